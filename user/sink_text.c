// SPDX-License-Identifier: GPL-2.0
#include "common.h"
#include "event.h"
#include "sink.h"
#include "tcp_state.h"
#include "textfmt.h"

static void text_header(struct sink_ctx *c)
{
	size_t aw = c->wide ? W_ADDR_WIDE : W_ADDR;
	struct out *o = c->o;

	if (c->wall)
		text_lit(o, "TIME", W_TIME);
	else
		text_lit(o, "TIME(s)", W_TIME);
	text_lit(o, "PID", W_PID);
	text_lit(o, "COMM", W_COMM);
	text_lit(o, "LADDR:LPORT", aw);
	text_lit(o, "RADDR:RPORT", aw);
	text_lit(o, "OLD", W_STATE);
	text_lit(o, "->", 2);
	text_lit(o, "NEW", W_STATE);
	out_lit(o, "MS");
	out_end_line(o);
}

static void text_event(struct sink_ctx *c, const struct tt_event *e)
{
	struct out *o = c->o;
	const char *comm, *s;
	__u32 pid;

	/* a whole line fits: no flush can move o->len under text_pad_from() */
	if (!out_reserve(o, TT_LINE_MAX))
		return;
	text_time(c, e->ts_ns);
	pid = tt_event_who(e, &comm);
	text_who(o, pid, comm);
	text_endpoint(c, e->family, e->saddr, e->sport);
	text_endpoint(c, e->family, e->daddr, e->dport);
	s = tcp_state_str(e->oldstate);
	text_col(o, s, strlen(s), W_STATE);
	text_lit(o, "->", 2);
	s = tcp_state_str(e->newstate);
	text_col(o, s, strlen(s), W_STATE);
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		out_char(o, '-');
	else
		out_fixed(o, e->delta_ns, 1000000ULL, 3);
	out_end_line(o);
}

static void text_lost(struct sink_ctx *c, __u64 n)
{
	out_lit(c->o, "# lost ");
	out_u64(c->o, n);
	out_lit(c->o, " events: ring buffer full (raise --ringbuf-size)");
	out_end_line(c->o);
}

const struct sink_ops sink_text = {
	.header = text_header,
	.event = text_event,
	.lost = text_lost,
};
