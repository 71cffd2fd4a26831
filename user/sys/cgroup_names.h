/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 ids (the kernel's kernfs node ids, which the tracer records
 * for each socket) to their paths, and the labels in those paths. Found
 * by walking the cgroup v2 mount, kept in a bounded cache.
 */
#ifndef __TT_CGROUP_NAMES_H
#define __TT_CGROUP_NAMES_H

#include <stddef.h>
#include <linux/types.h>
#include "model/cgroup_labels.h"

struct cg_info {
	/*
	 * From the root of the mount, "/" for the root itself; NULL when
	 * unknown (removed before it was seen, or outside this cgroup
	 * namespace)
	 */
	const char *path;
	struct cg_labels labels; /* all empty when path is NULL */
};

struct cgroup_names;

/*
 * root: the cgroup v2 mount, NULL to find it; max: cgroups kept (the
 * cache starts again when full). NULL on failure (errno set).
 */
struct cgroup_names *cgroup_names_new(const char *root, size_t max);
void cgroup_names_free(struct cgroup_names *cn);
/*
 * What cgroup id is; NULL for id 0 (the kernel gave none). A miss walks
 * the mount, at most once per CG_WALK_GAP_NS, and a cgroup not found is
 * looked for again after a delay that doubles up to a minute. The
 * answer stays valid until the next call.
 */
const struct cg_info *cgroup_names_get(struct cgroup_names *cn, __u64 id);
/* the walks done so far, for tests and --verbose */
__u64 cgroup_names_walks(const struct cgroup_names *cn);

#define CG_WALK_GAP_NS (100 * 1000000ULL)

#endif /* __TT_CGROUP_NAMES_H */
