// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sys/netns.h"

struct nslist {
	struct netns_ref *v;
	size_t n, cap;
	unsigned int hidden; /* processes whose namespace we may not see */
	dev_t nsfs; /* the namespaces' file system: our own's, listed first */
};

#define PF_KTHREAD 0x00200000

/* a kernel thread (its /proc/PID/ns/net is init's, and as closed) */
static bool kthread(const char *ns_path)
{
	char path[64], buf[512], *p;
	unsigned long flags = 0;
	ssize_t len;
	int fd;

	/* /proc/PID/ns/net -> /proc/PID/stat */
	snprintf(path, sizeof(path), "%s", ns_path);
	p = strstr(path, "/ns/net");
	if (!p)
		return false;
	strcpy(p, "/stat");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	/* after the comm's ')': state ppid pgrp session tty tpgid flags */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & PF_KTHREAD;
}

static int add(struct nslist *l, const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		/* gone, or not a namespace we may see (ptrace access) */
		if ((errno == EACCES || errno == EPERM) && !kthread(path))
			l->hidden++;
		return 0;
	}
	/*
	 * not a namespace: `ip netns add` makes /run/netns/NAME a plain file
	 * before it binds the namespace over it (and del leaves one a moment)
	 */
	if (!l->n)
		l->nsfs = st.st_dev;
	else if (st.st_dev != l->nsfs)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inum == st.st_ino)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct netns_ref *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].inum = st.st_ino;
	snprintf(l->v[l->n].path, sizeof(l->v[0].path), "%s", path);
	l->n++;
	return 0;
}

/* every DIR/ENTRY/LEAF; digits only where pids are listed */
static int add_dir(struct nslist *l, const char *dir, const char *leaf,
		   int digits)
{
	char path[64];
	struct dirent *d;
	int err = 0;
	DIR *dp = opendir(dir);

	if (!dp)
		return 0;
	while (!err && (d = readdir(dp))) {
		if (d->d_name[0] == '.' ||
		    (digits && !isdigit((unsigned char)d->d_name[0])))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s%s", dir, d->d_name,
			     leaf) < (int)sizeof(path))
			err = add(l, path);
	}
	closedir(dp);
	return err;
}

int netns_list(struct netns_ref **out, size_t *n, unsigned int *hidden)
{
	struct nslist l = {};
	int err;

	err = add(&l, "/proc/self/ns/net");
	if (!err)
		err = add_dir(&l, "/run/netns", "", 0);
	if (!err)
		err = add_dir(&l, "/proc", "/ns/net", 1);
	if (err) {
		free(l.v);
		return err;
	}
	*out = l.v;
	*n = l.n;
	if (hidden)
		*hidden = l.hidden;
	return 0;
}

int netns_enter(const char *path, int *back)
{
	int fd, err;

	*back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*back < 0)
		return -errno;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		close(*back);
		return err;
	}
	err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	if (err)
		close(*back);
	return err;
}

int netns_leave(int back)
{
	int err = setns(back, CLONE_NEWNET) ? -errno : 0;

	close(back);
	return err;
}
