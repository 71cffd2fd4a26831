// SPDX-License-Identifier: GPL-2.0
#include "common.h"
#include "event.h"
#include "sink.h"
#include "tcp_state.h"

#define W_TIME 15
#define W_PID 7
#define W_COMM 16
#define W_ADDR 21
#define W_ADDR_WIDE 47
#define W_STATE 11

/* s, then spaces up to width; always at least one space after */
static void col(struct out *o, const char *s, size_t len, size_t width)
{
	out_mem(o, s, len);
	out_pad(o, len < width ? width - len + 1 : 1);
}

static void text_header(struct sink_ctx *c)
{
	size_t aw = c->wide ? W_ADDR_WIDE : W_ADDR;
	struct out *o = c->o;

	col(o, c->wall ? "TIME" : "TIME(s)", c->wall ? 4 : 7, W_TIME);
	col(o, "PID", 3, W_PID);
	col(o, "COMM", 4, W_COMM);
	col(o, "LADDR:LPORT", 11, aw);
	col(o, "RADDR:RPORT", 11, aw);
	col(o, "OLD", 3, W_STATE);
	col(o, "->", 2, 2);
	col(o, "NEW", 3, W_STATE);
	out_str(o, "MS");
	out_end_line(o);
}

/* pad what was written since 'start' to width, plus one space */
static void pad_from(struct out *o, size_t start, size_t width)
{
	size_t len = o->len - start;

	out_pad(o, len < width ? width - len + 1 : 1);
}

static void text_event(struct sink_ctx *c, const struct tt_event *e)
{
	size_t aw = c->wide ? W_ADDR_WIDE : W_ADDR, start;
	char ep[TT_ENDPOINT_LEN];
	struct out *o = c->o;
	const char *comm, *s;
	__u32 pid;
	int n;

	/* a whole line fits: no flush can move o->len under pad_from() */
	if (!out_reserve(o, TT_LINE_MAX))
		return;
	start = o->len;
	if (c->wall)
		sink_wall_time(c, e->ts_ns, false);
	else
		out_fixed(o,
			  e->ts_ns > c->start_ns ? e->ts_ns - c->start_ns : 0,
			  1000000000ULL, 6);
	pad_from(o, start, W_TIME);

	pid = tt_event_who(e, &comm);
	if (pid) {
		start = o->len;
		out_u64(o, pid);
		pad_from(o, start, W_PID);
		start = o->len;
		/* an empty name would shift the columns */
		if (comm[0])
			out_text_esc(o, comm, TT_COMM_LEN);
		else
			out_char(o, '-');
		pad_from(o, start, W_COMM);
	} else {
		col(o, "-", 1, W_PID);
		col(o, "-", 1, W_COMM);
	}

	n = tt_endpoint_fmt(ep, sizeof(ep), e->family, e->saddr, e->sport);
	col(o, ep, n, aw);
	n = tt_endpoint_fmt(ep, sizeof(ep), e->family, e->daddr, e->dport);
	col(o, ep, n, aw);
	s = tcp_state_str(e->oldstate);
	col(o, s, strlen(s), W_STATE);
	col(o, "->", 2, 2);
	s = tcp_state_str(e->newstate);
	col(o, s, strlen(s), W_STATE);
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		out_char(o, '-');
	else
		out_fixed(o, e->delta_ns, 1000000ULL, 3);
	out_end_line(o);
}

static void text_lost(struct sink_ctx *c, __u64 n)
{
	out_str(c->o, "# lost ");
	out_u64(c->o, n);
	out_str(c->o, " events: ring buffer full (raise --ringbuf-size)");
	out_end_line(c->o);
}

const struct sink_ops sink_text = {
	.header = text_header,
	.event = text_event,
	.lost = text_lost,
};
