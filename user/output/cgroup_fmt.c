// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "util/common.h"
#include "output/cgroup_fmt.h"

struct cgroup_names *cgroup_fmt_names(bool json)
{
	struct cgroup_names *cn;

	if (!json)
		return NULL;
	cn = cgroup_names_new(NULL, CG_NAMES_MAX);
	if (!cn)
		p_warn("no cgroup v2 mount (%s): \"cgroup\" is null",
		       strerror(errno));
	return cn;
}

/* the members, from the first one's key: the caller owes the comma */
static void members(struct out *o, struct cgroup_names *cn, __u64 id)
{
	const struct cg_info *ci = cn ? cgroup_names_get(cn, id) : NULL;
	const char *qos;

	out_lit(o, "\"cgroup_id\":");
	if (id)
		out_u64(o, id);
	else
		out_lit(o, "null");
	out_lit(o, ",\"cgroup\":");
	if (!ci || !ci->path) {
		out_lit(o, "null");
		return;
	}
	/* a directory name may hold anything but '/' and NUL */
	json_quote(o, ci->path, PATH_MAX);
	if (ci->labels.container_id[0]) {
		/* hex digits: nothing to escape */
		out_lit(o, ",\"container_id\":\"");
		out_str(o, ci->labels.container_id);
		out_char(o, '"');
	}
	qos = cg_qos_str(ci->labels.qos);
	if (ci->labels.pod_uid[0] && qos) {
		out_lit(o, ",\"pod_uid\":\"");
		out_str(o, ci->labels.pod_uid);
		out_lit(o, "\",\"qos\":\"");
		out_str(o, qos);
		out_char(o, '"');
	}
}

void out_json_cgroup(struct out *o, struct cgroup_names *cn, __u64 id)
{
	out_char(o, ',');
	members(o, cn, id);
}

void json_cgroup(struct json_writer *j, struct cgroup_names *cn, __u64 id)
{
	json_value_begin(j);
	members(j->o, cn, id);
}
