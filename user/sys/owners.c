// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/common.h"
#include "sys/owners.h"

static void read_comm(const char *pid, char comm[TT_COMM_LEN])
{
	char path[64];
	ssize_t n;
	int fd;

	memset(comm, 0, TT_COMM_LEN);
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, comm, TT_COMM_LEN - 1);
	close(fd);
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

/* the fds of one process; returns how many wanted inodes it newly owns */
static size_t scan_pid(const char *pid, const __u64 *want, size_t n,
		       struct owner *out)
{
	char path[64], link[64];
	size_t found = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		unsigned long long ino;
		const __u64 *hit;
		ssize_t len;
		char fdpath[sizeof(path) + sizeof(d->d_name) + 1];

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		if (snprintf(fdpath, sizeof(fdpath), "%s/%s", path,
			     d->d_name) >= (int)sizeof(fdpath))
			continue;
		len = readlink(fdpath, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%llu]", &ino) != 1)
			continue;
		hit = bsearch(&(__u64){ ino }, want, n, sizeof(*want), cmp_u64);
		if (!hit || out[hit - want].pid)
			continue;
		out[hit - want].ino = ino;
		out[hit - want].pid = strtoul(pid, NULL, 10);
		out[hit - want].fd = atoi(d->d_name);
		read_comm(pid, out[hit - want].comm);
		found++;
	}
	closedir(dir);
	return found;
}

size_t owners_find(const __u64 *want, size_t n, struct owner *out)
{
	size_t found = 0;
	struct dirent *d;
	DIR *proc;

	memset(out, 0, n * sizeof(*out));
	if (!n)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (found < n && (d = readdir(proc)))
		if (isdigit((unsigned char)d->d_name[0]))
			found += scan_pid(d->d_name, want, n, out);
	closedir(proc);
	return found;
}
