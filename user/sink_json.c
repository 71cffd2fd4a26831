// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line; field names are documented in README.md. */
#include "common.h"
#include "event.h"
#include "sink.h"
#include "tcp_state.h"

static void key(struct out *o, const char *k)
{
	out_char(o, ',');
	out_char(o, '"');
	out_str(o, k);
	out_str(o, "\":");
}

static void json_event(struct sink_ctx *c, const struct tt_event *e)
{
	char ep[TT_ENDPOINT_LEN];
	struct out *o = c->o;
	const char *comm;
	__u32 pid;
	int n;

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	out_str(o, "{\"type\":\"transition\",\"time\":\"");
	sink_wall_time(c, e->ts_ns, true);
	out_char(o, '"');
	key(o, "ts_ns");
	out_u64(o, e->ts_ns);
	key(o, "sock_id");
	out_u64(o, e->sock_id);
	key(o, "family");
	out_char(o, '"');
	out_str(o, tt_family_str(e->family));
	out_char(o, '"');

	n = tt_addr_fmt(ep, sizeof(ep), e->family, e->saddr);
	key(o, "laddr");
	out_json_str(o, ep, n);
	key(o, "lport");
	out_u64(o, e->sport);
	n = tt_addr_fmt(ep, sizeof(ep), e->family, e->daddr);
	key(o, "raddr");
	out_json_str(o, ep, n);
	key(o, "rport");
	out_u64(o, e->dport);

	key(o, "old");
	out_char(o, '"');
	out_str(o, tcp_state_str(e->oldstate));
	out_char(o, '"');
	key(o, "new");
	out_char(o, '"');
	out_str(o, tcp_state_str(e->newstate));
	out_char(o, '"');
	key(o, "ms");
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		out_str(o, "null");
	else
		out_fixed(o, e->delta_ns, 1000000ULL, 6);

	pid = tt_event_who(e, &comm);
	key(o, "pid");
	if (pid)
		out_u64(o, pid);
	else
		out_str(o, "null");
	key(o, "comm");
	if (pid)
		out_json_str(o, comm, TT_COMM_LEN);
	else
		out_str(o, "null");
	key(o, "owner");
	out_str(o, e->flags & TT_F_OWNER_LISTENER ? "\"listener\"" :
		   e->flags & TT_F_OWNER_KNOWN	  ? "\"socket\"" :
		   pid				  ? "\"task\"" :
						    "null");
	key(o, "ctx");
	out_str(o, e->flags & TT_F_PROCESS_CTX ? "\"process\"" : "\"softirq\"");
	key(o, "task_pid");
	out_u64(o, e->tgid);
	key(o, "task_tid");
	out_u64(o, e->pid);
	key(o, "task_comm");
	out_json_str(o, e->comm, TT_COMM_LEN);
	key(o, "netns");
	out_u64(o, e->netns);
	out_char(o, '}');
	out_end_line(o);
}

static void json_lost(struct sink_ctx *c, __u64 n)
{
	out_str(c->o, "{\"type\":\"lost\",\"count\":");
	out_u64(c->o, n);
	out_char(c->o, '}');
	out_end_line(c->o);
}

static void json_header(struct sink_ctx *c)
{
	(void)c;
}

const struct sink_ops sink_json = {
	.header = json_header,
	.event = json_event,
	.lost = json_lost,
};
