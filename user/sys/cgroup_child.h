/* SPDX-License-Identifier: GPL-2.0 */
/* A cgroup v2 child of our own, to watch one command and its descendants. */
#ifndef __TT_CGROUP_CHILD_H
#define __TT_CGROUP_CHILD_H

#include <limits.h>
#include <linux/types.h>

struct cgroup_child {
	char path[PATH_MAX];
	__u64 id; /* kernfs inode: what the BPF filter compares */
};

/*
 * Create tcptrail-check.PID beside our own cgroup's processes (below our
 * cgroup), else at the root of the cgroup v2 mount, removing there the
 * empty ones that killed runs left. 0, or -errno.
 */
int cgroup_child_create(struct cgroup_child *c);
/* move process pid into it: 0 or -errno (safe after fork) */
int cgroup_child_enter(const struct cgroup_child *c, int pid);
/* remove it once empty; waits a little for exiting processes */
void cgroup_child_remove(struct cgroup_child *c);

#endif /* __TT_CGROUP_CHILD_H */
