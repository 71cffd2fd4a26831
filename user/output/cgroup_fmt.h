/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a socket lives, as JSON members (README.md, "Where a socket
 * lives"): "cgroup_id" (null if the kernel gave none), "cgroup" (its path,
 * null if unknown), and only where the path names them "container_id",
 * "pod_uid" and "qos".
 */
#ifndef __TT_CGROUP_FMT_H
#define __TT_CGROUP_FMT_H

#include "output/json.h"
#include "sys/cgroup_names.h"

/* how many cgroups a stream keeps the names of */
#define CG_NAMES_MAX 4096

struct cgroup_fmt {
	struct cgroup_names *names; /* NULL: paths are not looked up */
	/*
	 * the members of the last id written, kept while its answer cannot
	 * change (its path known, or no id): one event after another mostly
	 * comes from the same cgroup
	 */
	__u64 id;
	bool memo;
	struct out last;
};

/*
 * For a stream's JSON (NULL otherwise): the names of the cgroup v2 mount
 * (without one, a warning, and the paths are null).
 */
struct cgroup_fmt *cgroup_fmt_new(bool json);
void cgroup_fmt_free(struct cgroup_fmt *cf);

/*
 * The members, each after a comma, written straight to o (for lines
 * written without the writer); cf NULL: the id alone.
 */
void out_json_cgroup(struct out *o, struct cgroup_fmt *cf, __u64 id);
/* the same, through the writer, inside an object */
void json_cgroup(struct json_writer *j, struct cgroup_fmt *cf, __u64 id);

#endif /* __TT_CGROUP_FMT_H */
