// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "util/common.h"
#include "output/cgroup_fmt.h"

struct cgroup_fmt *cgroup_fmt_new(bool json)
{
	struct cgroup_fmt *cf;

	if (!json)
		return NULL;
	cf = calloc(1, sizeof(*cf));
	if (!cf || out_init(&cf->last, -1, 256)) {
		free(cf);
		p_warn("out of memory: \"cgroup\" is null");
		return NULL;
	}
	cf->names = cgroup_names_new(NULL, CG_NAMES_MAX);
	if (!cf->names)
		p_warn("no cgroup v2 mount (%s): \"cgroup\" is null",
		       strerror(errno));
	return cf;
}

void cgroup_fmt_free(struct cgroup_fmt *cf)
{
	if (!cf)
		return;
	cgroup_names_free(cf->names);
	out_free(&cf->last);
	free(cf);
}

/*
 * The members, from the first one's key: the caller owes the comma.
 * Returns whether the answer is final (the path known, or no id).
 */
static bool members(struct out *o, struct cgroup_names *cn, __u64 id)
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
		return !id || !cn;
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
	return true;
}

/* the members for id, from the memo where they are there */
static void write_members(struct out *o, struct cgroup_fmt *cf, __u64 id)
{
	if (!cf) {
		members(o, NULL, id);
		return;
	}
	if (!cf->memo || cf->id != id) {
		cf->last.len = 0;
		cf->last.err = 0;
		cf->memo = members(&cf->last, cf->names, id) && !cf->last.err;
		cf->id = id;
	}
	out_mem(o, cf->last.buf, cf->last.len);
}

void out_json_cgroup(struct out *o, struct cgroup_fmt *cf, __u64 id)
{
	out_char(o, ',');
	write_members(o, cf, id);
}

void json_cgroup(struct json_writer *j, struct cgroup_fmt *cf, __u64 id)
{
	json_value_begin(j);
	write_members(j->o, cf, id);
}
