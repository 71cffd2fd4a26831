// SPDX-License-Identifier: GPL-2.0
#include "util/common.h"
#include "model/event.h"
#include "output/sink.h"
#include "model/tcp_state.h"
#include "output/textfmt.h"

static void text_header(struct fmt_ctx *c)
{
	struct out *o = c->o;

	text_header_start(c);
	text_lit(o, "OLD", W_STATE);
	text_lit(o, "->", 2);
	text_lit(o, "NEW", W_STATE);
	out_lit(o, "MS");
	out_end_line(o);
}

static void text_event(struct fmt_ctx *c, const struct tt_event *e)
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

static void sink_text_lost(struct fmt_ctx *c, __u64 n)
{
	text_lost(c->o, n);
}

const struct sink_ops sink_text = {
	.header = text_header,
	.event = text_event,
	.lost = sink_text_lost,
};
