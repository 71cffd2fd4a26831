// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sys/cmd_child.h"
#include "util/common.h"

#define STEP_NS 10000000ULL
#define KILL_WAIT_NS 1000000000ULL

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * fork, join the cgroup, exec; an exec failure comes back through a
 * close-on-exec pipe as errno, with a tag for the cgroup step.
 */
int cmd_child_spawn(struct cmd_child *c, char *const argv[])
{
	int pipefd[2], err[2] = {};
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC)) {
		p_err("cannot create a pipe: %s", strerror(errno));
		return TT_EXIT_FAILURE;
	}
	c->pid = fork();
	if (c->pid < 0) {
		c->pid = 0;
		p_err("cannot fork: %s", strerror(errno));
		return TT_EXIT_FAILURE;
	}
	if (!c->pid) {
		close(pipefd[0]);
		signal(SIGPIPE, SIG_DFL);
		if (c->cg && (err[1] = -cgroup_child_enter(c->cg, 0))) {
			err[0] = 1;
		} else {
			execvp(argv[0], argv);
			err[1] = errno;
		}
		if (write(pipefd[1], err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	do {
		n = read(pipefd[0], err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (c->tree)
		c->tree->root = c->pid;
	if (n != sizeof(err))
		return 0;
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
	if (err[0]) {
		p_err("cannot move the command into %s: %s", c->cg->path,
		      strerror(err[1]));
		return TT_EXIT_FAILURE;
	}
	p_err("cannot execute '%s': %s", argv[0], strerror(err[1]));
	return TT_EXIT_USAGE;
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

bool cmd_child_reap(struct cmd_child *c, int *status)
{
	int st;

	if (!c->pid || waitpid(c->pid, &st, WNOHANG) != c->pid)
		return false;
	*status = exit_status(st);
	c->pid = 0;
	return true;
}

static bool send(pid_t pid, int sig, bool group_got_it)
{
	if (group_got_it && getpgid(pid) == getpgrp())
		return true;
	return !kill(pid, sig) || errno != ESRCH;
}

/* every process in dir's cgroup and below it; how many were there */
static int signal_cgroup(const char *dir, int sig, bool group_got_it)
{
	char path[PATH_MAX + 16];
	struct dirent *d;
	int pid, n = 0;
	DIR *sub;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (f) {
		while (fscanf(f, "%d", &pid) == 1)
			n += send(pid, sig, group_got_it);
		fclose(f);
	}
	sub = opendir(dir);
	while (sub && (d = readdir(sub))) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) <
		    (int)sizeof(path))
			n += signal_cgroup(path, sig, group_got_it);
	}
	if (sub)
		closedir(sub);
	return n;
}

/* the root and every descendant still linked to it by its parents */
static int signal_tree(struct proctree *t, int sig, bool group_got_it)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	int n = 0;

	while (proc && (d = readdir(proc))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0 || pid == getpid())
			continue;
		if (proctree_has(t, pid))
			n += send(pid, sig, group_got_it);
	}
	if (proc)
		closedir(proc);
	return n;
}

/* how many processes of the command got sig (0: none is left) */
static int signal_all(struct cmd_child *c, int sig, bool group_got_it)
{
	if (c->cg)
		return signal_cgroup(c->cg->path, sig, group_got_it);
	if (c->tree)
		return signal_tree(c->tree, sig, group_got_it);
	return c->pid ? send(c->pid, sig, group_got_it) : 0;
}

/* until every process is gone (signal 0 probes), the deadline, or a signal */
static void wait_gone(struct cmd_child *c, int *status, __u64 deadline,
		      int signals)
{
	struct timespec step = { 0, STEP_NS };

	while (mono_ns() < deadline && tt_signals == signals) {
		cmd_child_reap(c, status);
		if (!c->pid && !signal_all(c, 0, false))
			return;
		nanosleep(&step, NULL);
	}
}

int cmd_child_stop(struct cmd_child *c, int sig, bool group_got_it,
		   __u64 wait_ns)
{
	int status = -1, signals = tt_signals;

	if (sig)
		signal_all(c, sig, group_got_it);
	wait_gone(c, &status, mono_ns() + wait_ns, signals);
	if (c->pid || signal_all(c, 0, false)) {
		signal_all(c, SIGKILL, false);
		wait_gone(c, &status, mono_ns() + KILL_WAIT_NS, tt_signals);
	}
	if (c->pid && waitpid(c->pid, NULL, WNOHANG) == c->pid)
		c->pid = 0;
	return status;
}
