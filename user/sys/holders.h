/* SPDX-License-Identifier: GPL-2.0 */
/* Which processes hold a socket now, by its inode: a scan of /proc/PID/fd. */
#ifndef __TT_HOLDERS_H
#define __TT_HOLDERS_H

#include <stddef.h>
#include <linux/types.h>
#include "model/holders.h"

/*
 * For each of the n socket inodes in want (sorted ascending), out[i]
 * gets every process that has it open, with each fd, as ss -p lists
 * them: a socket can be shared (fork, SCM_RIGHTS, dup). Returns how many
 * inodes have a holder, or -1 (out freed) when out of memory. Free with
 * holders_free().
 */
long holders_find(const __u64 *want, size_t n, struct holders *out);

#endif /* __TT_HOLDERS_H */
