/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a socket lives, as JSON members (README.md, "JSON output"):
 * "cgroup_id" (null if the kernel gave none), "cgroup" (its path, null if
 * unknown), and only where the path names them "container_id",
 * "pod_uid" and "qos".
 */
#ifndef __TT_CGROUP_FMT_H
#define __TT_CGROUP_FMT_H

#include "output/json.h"
#include "sys/cgroup_names.h"

/* how many cgroups a stream keeps the names of */
#define CG_NAMES_MAX 4096

/*
 * For a stream's JSON (NULL otherwise): the names of the cgroup v2 mount;
 * NULL with a warning where there is none.
 */
struct cgroup_names *cgroup_fmt_names(bool json);

/*
 * The members, each after a comma, written straight to o (for lines
 * written without the writer); cn NULL: paths are not looked up.
 */
void out_json_cgroup(struct out *o, struct cgroup_names *cn, __u64 id);
/* the same, through the writer, inside an object */
void json_cgroup(struct json_writer *j, struct cgroup_names *cn, __u64 id);

#endif /* __TT_CGROUP_FMT_H */
