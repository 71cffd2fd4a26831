// SPDX-License-Identifier: GPL-2.0
#include "util/common.h"
#include "model/event.h"
#include "output/sink.h"
#include "model/tcp_state.h"
#include "output/put.h"
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

/*
 * The line per transition: reserved once, every column written in place
 * (output/put.h); bench/cost.sh counts its instructions.
 */
static void text_event(struct fmt_ctx *c, const struct tt_event *e)
{
	struct out *o = c->o;
	const char *comm;
	__u32 pid;
	char *p;

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	p = text_put_time(c, o->buf + o->len, e->ts_ns);
	pid = tt_event_who(e, &comm);
	p = text_put_who(p, pid, comm);
	p = text_put_endpoint(p, c->wide, e->family, e->saddr, e->sport);
	p = text_put_endpoint(p, c->wide, e->family, e->daddr, e->dport);
	p = text_put_state(p, e->oldstate);
	p = put_lit(p, "-> ");
	p = text_put_state(p, e->newstate);
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		*p++ = '-';
	else
		p = put_fixed(p, e->delta_ns, 1000000ULL, 3);
	o->len = p - o->buf;
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
