/* SPDX-License-Identifier: GPL-2.0 */
/* Is a process a descendant of another? For check without a cgroup. */
#ifndef __TT_PROCTREE_H
#define __TT_PROCTREE_H

#include <stdbool.h>
#include <linux/types.h>

#define PROCTREE_CACHE 4096

struct proctree {
	__u32 root;
	__u32 yes[PROCTREE_CACHE]; /* descendants found: they stay ours */
	__u32 nyes;
};

/*
 * By the parent links in /proc/PID/stat, remembered once found: a child
 * that exited before it was asked about cannot be told (false).
 */
bool proctree_has(struct proctree *t, __u32 pid);

#endif /* __TT_PROCTREE_H */
