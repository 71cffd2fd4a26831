/* SPDX-License-Identifier: GPL-2.0 */
/* Which process holds a socket, by its inode: a scan of /proc/PID/fd. */
#ifndef __TT_OWNERS_H
#define __TT_OWNERS_H

#include <stddef.h>
#include <linux/types.h>
#include "tcptrail.h"

struct owner {
	__u64 ino;
	__u32 pid;
	int fd;
	char comm[TT_COMM_LEN];
};

/*
 * For each of the n inodes in want (sorted ascending), out[i] gets the
 * first process found with that socket open (pid 0 if none). Returns
 * how many were found.
 */
size_t owners_find(const __u64 *want, size_t n, struct owner *out);

#endif /* __TT_OWNERS_H */
