// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line; field names are documented in README.md. */
#include <string.h>
#include "util/common.h"
#include "model/event.h"
#include "output/sink.h"
#include "model/tcp_state.h"
#include "output/textfmt.h"

static void json_event(struct fmt_ctx *c, const struct tt_event *e)
{
	struct out *o = c->o;
	const char *comm;
	__u32 pid;

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	out_lit(o, "{\"type\":\"transition\",\"time\":\"");
	fmt_wall_time(c, e->ts_ns, true);
	out_char(o, '"');
	json_key(o, "ts_ns");
	out_u64(o, e->ts_ns);
	json_key(o, "sock_id");
	out_u64(o, e->sock_id);
	json_key(o, "family");
	json_quoted(o, tt_family_str(e->family));
	json_endpoint(o, false, e->family, e->saddr, e->sport);
	json_endpoint(o, true, e->family, e->daddr, e->dport);
	json_key(o, "old");
	json_quoted(o, tcp_state_str(e->oldstate));
	json_key(o, "new");
	json_quoted(o, tcp_state_str(e->newstate));
	json_key(o, "ms");
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		out_lit(o, "null");
	else
		json_ms(o, e->delta_ns);

	pid = tt_event_who(e, &comm);
	json_who(o, pid, comm);
	json_key(o, "owner");
	out_str(o, e->flags & TT_F_OWNER_ACCEPT	  ? "\"accept\"" :
		   e->flags & TT_F_OWNER_LISTENER ? "\"listener\"" :
		   e->flags & TT_F_OWNER_KNOWN	  ? "\"socket\"" :
		   pid				  ? "\"task\"" :
						    "null");
	json_key(o, "ctx");
	out_str(o, e->flags & TT_F_PROCESS_CTX ? "\"process\"" : "\"softirq\"");
	/* the task on the CPU, where it is not the one shown above */
	if (!pid || pid != e->tgid || strncmp(comm, e->comm, TT_COMM_LEN)) {
		json_key(o, "task_pid");
		out_u64(o, e->tgid);
		json_key(o, "task_tid");
		out_u64(o, e->pid);
		json_key(o, "task_comm");
		out_json_str(o, e->comm, TT_COMM_LEN);
	}
	if (e->flags & TT_F_TIME_WAIT)
		out_lit(o, ",\"time_wait\":true");
	json_key(o, "netns");
	out_u64(o, e->netns);
	out_char(o, '}');
	out_end_line(o);
}

static void json_lost(struct fmt_ctx *c, __u64 n)
{
	out_lost_marker(c->o, true, n);
}

static void json_header(struct fmt_ctx *c)
{
	(void)c;
}

const struct sink_ops sink_json = {
	.header = json_header,
	.event = json_event,
	.lost = json_lost,
};
