// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line; field names are documented in README.md. */
#include <string.h>
#include "common.h"
#include "event.h"
#include "sink.h"
#include "tcp_state.h"

#define key(o, k) out_lit(o, ",\"" k "\":")

static void quoted(struct out *o, const char *s)
{
	out_char(o, '"');
	out_str(o, s);
	out_char(o, '"');
}

static void json_event(struct sink_ctx *c, const struct tt_event *e)
{
	char addr[TT_ENDPOINT_LEN];
	struct out *o = c->o;
	const char *comm;
	__u32 pid;

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	out_lit(o, "{\"type\":\"transition\",\"time\":\"");
	sink_wall_time(c, e->ts_ns, true);
	out_char(o, '"');
	key(o, "ts_ns");
	out_u64(o, e->ts_ns);
	key(o, "sock_id");
	out_u64(o, e->sock_id);
	key(o, "family");
	quoted(o, tt_family_str(e->family));
	/* addresses are digits, dots, colons and '?': nothing to escape */
	key(o, "laddr");
	tt_addr_fmt(addr, sizeof(addr), e->family, e->saddr);
	quoted(o, addr);
	key(o, "lport");
	out_u64(o, e->sport);
	key(o, "raddr");
	tt_addr_fmt(addr, sizeof(addr), e->family, e->daddr);
	quoted(o, addr);
	key(o, "rport");
	out_u64(o, e->dport);
	key(o, "old");
	quoted(o, tcp_state_str(e->oldstate));
	key(o, "new");
	quoted(o, tcp_state_str(e->newstate));
	key(o, "ms");
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		out_lit(o, "null");
	else
		out_fixed(o, e->delta_ns, 1000000ULL, 6);

	pid = tt_event_who(e, &comm);
	if (pid) {
		key(o, "pid");
		out_u64(o, pid);
		key(o, "comm");
		out_json_str(o, comm, TT_COMM_LEN);
	} else {
		out_lit(o, ",\"pid\":null,\"comm\":null");
	}
	key(o, "owner");
	out_str(o, e->flags & TT_F_OWNER_LISTENER ? "\"listener\"" :
		   e->flags & TT_F_OWNER_KNOWN	  ? "\"socket\"" :
		   pid				  ? "\"task\"" :
						    "null");
	key(o, "ctx");
	out_str(o, e->flags & TT_F_PROCESS_CTX ? "\"process\"" : "\"softirq\"");
	/* the task on the CPU, where it is not the one shown above */
	if (!pid || pid != e->tgid || strncmp(comm, e->comm, TT_COMM_LEN)) {
		key(o, "task_pid");
		out_u64(o, e->tgid);
		key(o, "task_tid");
		out_u64(o, e->pid);
		key(o, "task_comm");
		out_json_str(o, e->comm, TT_COMM_LEN);
	}
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
