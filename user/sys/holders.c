// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/common.h"
#include "sys/holders.h"

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

static int add_holder(struct holders *h, __u32 pid, int fd,
		      const char comm[TT_COMM_LEN])
{
	struct holder *v;

	if (!(h->n & (h->n + 1))) { /* 0, 1, 3, 7...: full */
		v = realloc(h->v, (2 * h->n + 1) * sizeof(*v));
		if (!v)
			return -1;
		h->v = v;
	}
	h->v[h->n].pid = pid;
	h->v[h->n].fd = fd;
	memcpy(h->v[h->n].comm, comm, TT_COMM_LEN);
	h->n++;
	return 0;
}

/* the fds of one process: -1 when out of memory, else 0 */
static int scan_pid(const char *pid, const __u64 *want, size_t n,
		    struct holders *out)
{
	char path[64], link[64], comm[TT_COMM_LEN];
	bool have_comm = false;
	struct dirent *d;
	int err = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!err && (d = readdir(dir))) {
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
		if (!hit)
			continue;
		if (!have_comm) {
			read_comm(pid, comm);
			have_comm = true;
		}
		err = add_holder(&out[hit - want], strtoul(pid, NULL, 10),
				 atoi(d->d_name), comm);
	}
	closedir(dir);
	return err;
}

long holders_find(const __u64 *want, size_t n, struct holders *out)
{
	struct dirent *d;
	long found = 0;
	int err = 0;
	DIR *proc;

	memset(out, 0, n * sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i].ino = want[i];
	if (!n)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!err && (d = readdir(proc)))
		if (isdigit((unsigned char)d->d_name[0]))
			err = scan_pid(d->d_name, want, n, out);
	closedir(proc);
	if (err) {
		holders_free(out, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		found += out[i].n > 0;
	return found;
}
