// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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

static int try_create(struct cgroup_child *c, const char *root,
		      const char *parent)
{
	struct stat st;
	int n;

	n = snprintf(c->path, sizeof(c->path), "%s%s/tcptrail-check.%d", root,
		     strcmp(parent, "/") ? parent : "", (int)getpid());
	if (n >= (int)sizeof(c->path))
		return -ENAMETOOLONG;
	if (mkdir(c->path, 0755) && errno != EEXIST)
		return -errno;
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
