// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sys/proctree.h"

#define MAX_DEPTH 64

/* parent of pid from the text of /proc/PID/stat; 0 if unparsable */
static __u32 proctree_parse_ppid(const char *stat, size_t len)
{
	/* "pid (comm) state ppid ...": comm may hold ") " itself */
	const char *p = NULL;
	unsigned long v;
	char *end;

	for (size_t i = len; i-- > 0;) {
		if (stat[i] == ')') {
			p = stat + i;
			break;
		}
	}
	if (!p || (size_t)(p - stat) + 5 > len || p[1] != ' ' || p[3] != ' ')
		return 0;
	v = 0;
	end = (char *)p + 4;
	while (end < stat + len && *end >= '0' && *end <= '9' &&
	       v <= 0xffffffffUL)
		v = v * 10 + (*end++ - '0');
	if (end == p + 4 || v > 0xffffffffUL)
		return 0;
	return v;
}

static __u32 parent_of(__u32 pid)
{
	char path[32], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return proctree_parse_ppid(buf, n);
}

static bool known(const struct proctree *t, __u32 pid)
{
	if (pid == t->root)
		return true;
	for (__u32 i = 0; i < t->nyes; i++)
		if (t->yes[i] == pid)
			return true;
	return false;
}

bool proctree_has(struct proctree *t, __u32 pid)
{
	__u32 chain[MAX_DEPTH], n = 0, p = pid;

	while (p > 1 && n < MAX_DEPTH) {
		if (known(t, p)) {
			for (__u32 i = 0; i < n && t->nyes < PROCTREE_CACHE;
			     i++)
				t->yes[t->nyes++] = chain[i];
			return true;
		}
		chain[n++] = p;
		p = parent_of(p);
	}
	return false;
}
