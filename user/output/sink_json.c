// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line; field names are documented in README.md. */
#include <string.h>
#include "util/common.h"
#include "model/event.h"
#include "output/sink.h"
#include "model/tcp_state.h"
#include "output/textfmt.h"

static const char *owner_str(const struct tt_event *e, __u32 pid)
{
	if (e->flags & TT_F_OWNER_ACCEPT)
		return "accept";
	if (e->flags & TT_F_OWNER_LISTENER)
		return "listener";
	if (e->flags & TT_F_OWNER_KNOWN)
		return "socket";
	return pid ? "task" : NULL;
}

static void json_event(struct fmt_ctx *c, const struct tt_event *e)
{
	struct out *o = c->o;
	struct json_writer j;
	const char *comm, *owner;
	__u32 pid;

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	json_init(&j, o);
	json_obj_start(&j);
	json_word_field(&j, "type", "transition");
	json_time(&j, c, e->ts_ns);
	json_u64_field(&j, "ts_ns", e->ts_ns);
	json_u64_field(&j, "sock_id", e->sock_id);
	json_word_field(&j, "family", tt_family_str(e->family));
	json_endpoint(&j, false, e->family, e->saddr, e->sport);
	json_endpoint(&j, true, e->family, e->daddr, e->dport);
	json_word_field(&j, "old", tcp_state_str(e->oldstate));
	json_word_field(&j, "new", tcp_state_str(e->newstate));
	json_key(&j, "ms");
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		json_null(&j);
	else
		json_ms(&j, e->delta_ns);

	pid = tt_event_who(e, &comm);
	json_who(&j, pid, comm);
	owner = owner_str(e, pid);
	json_key(&j, "owner");
	if (owner)
		json_word(&j, owner);
	else
		json_null(&j);
	json_word_field(&j, "ctx",
			e->flags & TT_F_PROCESS_CTX ? "process" : "softirq");
	/* the task on the CPU, where it is not the one shown above */
	if (!pid || pid != e->tgid || strncmp(comm, e->comm, TT_COMM_LEN)) {
		json_u64_field(&j, "task_pid", e->tgid);
		json_u64_field(&j, "task_tid", e->pid);
		json_key(&j, "task_comm");
		json_str(&j, e->comm, TT_COMM_LEN);
	}
	if (e->flags & TT_F_TIME_WAIT)
		json_bool_field(&j, "time_wait", true);
	json_u64_field(&j, "netns", e->netns);
	json_obj_end(&j);
	out_end_line(o);
}

static void json_header(struct fmt_ctx *c)
{
	(void)c;
}

static void sink_json_lost(struct fmt_ctx *c, __u64 n)
{
	json_lost(c->o, n);
}

const struct sink_ops sink_json = {
	.header = json_header,
	.event = json_event,
	.lost = sink_json_lost,
};
