// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line; field names are documented in README.md. */
#include <string.h>
#include "util/common.h"
#include "model/event.h"
#include "output/sink.h"
#include "model/tcp_state.h"
#include "output/json.h"
#include "output/textfmt.h"
#include "output/cgroup_fmt.h"

/* ,"key": as one literal: the line's shape is fixed */
#define member(o, key) out_lit(o, ",\"" key "\":")

static void quoted_word(struct out *o, const char *s)
{
	out_char(o, '"');
	out_short(o, s);
	out_char(o, '"');
}

static void endpoint(struct out *o, bool remote, __u16 family, const __u8 *addr,
		     __u16 port)
{
	char a[TT_ENDPOINT_LEN];
	/* addresses are digits, dots, colons and '?': nothing to escape */
	int n = tt_addr_fmt(a, sizeof(a), family, addr);

	if (remote)
		member(o, "raddr");
	else
		member(o, "laddr");
	out_char(o, '"');
	out_mem(o, a, n);
	out_char(o, '"');
	if (remote)
		member(o, "rport");
	else
		member(o, "lport");
	out_u64(o, port);
}

/*
 * The one JSON line written without the JSON writer (output/json.h): it
 * is written once per transition, always in the same shape, so every
 * comma is part of a literal; the writer's bookkeeping per field cost
 * 47% more instructions per event here (bench/cost.sh: 2,523 to 3,709).
 * test_sink.c and the sink fuzz target check every line with a JSON parser.
 */
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
	member(o, "ts_ns");
	out_u64(o, e->ts_ns);
	member(o, "sock_id");
	out_u64(o, e->sock_id);
	member(o, "family");
	quoted_word(o, tt_family_str(e->family));
	endpoint(o, false, e->family, e->saddr, e->sport);
	endpoint(o, true, e->family, e->daddr, e->dport);
	member(o, "old");
	quoted_word(o, tcp_state_str(e->oldstate));
	member(o, "new");
	quoted_word(o, tcp_state_str(e->newstate));
	member(o, "ms");
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		out_lit(o, "null");
	else
		out_fixed(o, e->delta_ns, 1000000ULL, 6);
	pid = tt_event_who(e, &comm);
	member(o, "pid");
	if (pid) {
		out_u64(o, pid);
		member(o, "comm");
		json_quote(o, comm, TT_COMM_LEN);
	} else {
		out_lit(o, "null,\"comm\":null");
	}
	member(o, "owner");
	out_str(o, e->flags & TT_F_OWNER_ACCEPT	  ? "\"accept\"" :
		   e->flags & TT_F_OWNER_LISTENER ? "\"listener\"" :
		   e->flags & TT_F_OWNER_KNOWN	  ? "\"socket\"" :
		   pid				  ? "\"task\"" :
						    "null");
	member(o, "ctx");
	out_str(o, e->flags & TT_F_PROCESS_CTX ? "\"process\"" : "\"softirq\"");
	/* the task on the CPU, where it is not the one shown above */
	if (!pid || pid != e->tgid || strncmp(comm, e->comm, TT_COMM_LEN)) {
		member(o, "task_pid");
		out_u64(o, e->tgid);
		member(o, "task_tid");
		out_u64(o, e->pid);
		member(o, "task_comm");
		json_quote(o, e->comm, TT_COMM_LEN);
	}
	if (e->flags & TT_F_TIME_WAIT)
		out_lit(o, ",\"time_wait\":true");
	member(o, "netns");
	out_u64(o, e->netns);
	out_json_cgroup(o, c->cg, e->cgroup_id);
	out_char(o, '}');
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
