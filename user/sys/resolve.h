/* SPDX-License-Identifier: GPL-2.0 */
/* Names to kernel ids: network namespaces and cgroup v2 directories. */
#ifndef __TT_RESOLVE_H
#define __TT_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/*
 * The cgroup v2 mount point, from /proc/self/mountinfo: 0 or -1. Of
 * several, the one that shows the most of the hierarchy, the first of
 * equals.
 */
int cgroup2_root(char *buf, size_t len);
/* the same, from mountinfo lines read from f */
int cgroup2_root_in(FILE *f, char *buf, size_t len);
/* an inode number, an 'ip netns' name or a path: 0, or -1 with *why set */
int resolve_netns(const char *arg, __u32 *inum, const char **why);
/* PATH absolute, or relative to the cgroup v2 mount: 0, or -1 with *why */
int resolve_cgroup(const char *arg, __u64 *id, const char **why);
/*
 * A namespace given by inode number exists while a process is in it or a
 * file names it: looked up in /proc and /run/netns.
 */
bool netns_exists(__u32 inum);

#endif /* __TT_RESOLVE_H */
