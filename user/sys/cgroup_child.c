// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "sys/cgroup_child.h"
#include "model/filter.h"
#include "sys/resolve.h"

/* our cgroup v2 path, from "0::/path" in /proc/self/cgroup */
static int own_cgroup(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[PATH_MAX];
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n;

		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		n = strlen(line + 3);
		if (n < len) {
			memcpy(buf, line + 3, n + 1);
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
}

/*
 * tcptrail-check.PID[-N] left by a run that was killed: removed once its
 * run is gone (PID is not alive, or is us) and no process is left in it
 * (rmdir refuses a cgroup that has one).
 */
static void remove_stale(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(dir);
	int pid;

	while (dp && (d = readdir(dp))) {
		if (sscanf(d->d_name, "tcptrail-check.%d", &pid) != 1 ||
		    pid <= 0)
			continue;
		if (pid != getpid() && (!kill(pid, 0) || errno != ESRCH))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) <
		    (int)sizeof(path))
			rmdir(path);
	}
	if (dp)
		closedir(dp);
}

static int try_create(struct cgroup_child *c, const char *root,
		      const char *parent)
{
	char dir[PATH_MAX];
	struct stat st;
	int n, i;

	n = snprintf(dir, sizeof(dir), "%s%s", root,
		     strcmp(parent, "/") ? parent : "");
	if (n >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	remove_stale(dir);
	/* a stale one of our PID that still holds processes: a new name */
	for (i = 0; i < 100; i++) {
		if (i)
			n = snprintf(c->path, sizeof(c->path),
				     "%s/tcptrail-check.%d-%d", dir,
				     (int)getpid(), i);
		else
			n = snprintf(c->path, sizeof(c->path),
				     "%s/tcptrail-check.%d", dir,
				     (int)getpid());
		if (n >= (int)sizeof(c->path))
			return -ENAMETOOLONG;
		if (!mkdir(c->path, 0755))
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (i == 100)
		return -EEXIST;
	if (stat(c->path, &st))
		return -errno;
	c->id = st.st_ino;
	return 0;
}

int cgroup_child_create(struct cgroup_child *c)
{
	char root[PATH_MAX], own[PATH_MAX];
	int err = -ENOENT;

	memset(c, 0, sizeof(*c));
	if (cgroup2_root(root, sizeof(root)))
		return -ENOENT;
	if (!own_cgroup(own, sizeof(own)))
		err = try_create(c, root, own);
	if (err)
		err = try_create(c, root, "/");
	if (err)
		c->path[0] = '\0';
	return err;
}

int cgroup_child_enter(const struct cgroup_child *c, int pid)
{
	char path[PATH_MAX + 16], num[16];
	int fd, n, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", c->path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(num, sizeof(num), "%d", pid);
	if (write(fd, num, n) != n)
		err = -errno;
	close(fd);
	return err;
}

/* processes still in it (CMD's leftovers) go back to its parent */
static void evacuate(const struct cgroup_child *c)
{
	char path[PATH_MAX + 16], parent[PATH_MAX + 16];
	FILE *f, *to;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", c->path);
	snprintf(parent, sizeof(parent), "%s", c->path);
	*strrchr(parent, '/') = '\0';
	strcat(parent, "/cgroup.procs");
	f = fopen(path, "r");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1) {
		to = fopen(parent, "w");
		if (!to)
			break;
		fprintf(to, "%d", pid);
		fclose(to);
	}
	fclose(f);
}

void cgroup_child_remove(struct cgroup_child *c)
{
	struct timespec ts = { 0, 10000000 };

	if (!c->path[0])
		return;
	evacuate(c);
	/* descendants may still be exiting: EBUSY until they are gone */
	for (int i = 0; i < 100 && rmdir(c->path) && errno == EBUSY; i++)
		nanosleep(&ts, NULL);
	c->path[0] = '\0';
}
