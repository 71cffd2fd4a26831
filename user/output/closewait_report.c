// SPDX-License-Identifier: GPL-2.0
/* closewait's episodes and exit summary: text columns, or JSON lines. */
#include <string.h>
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/closewait_report.h"
#include "output/textfmt.h"

static void text_header(struct fmt_ctx *c)
{
	struct out *o = c->o;

	text_header_start(c);
	text_lit(o, "SERVICE", 7);
	text_lit(o, "NEXT", W_STATE);
	out_lit(o, "MS");
	out_end_line(o);
}

static void text_episode(struct fmt_ctx *c, const struct tt_event *e,
			 __u16 service, __u64 ns, bool known)
{
	struct out *o = c->o;
	const char *comm, *next;
	__u32 pid = tt_event_who(e, &comm);
	size_t start;

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	text_time(c, e->ts_ns);
	text_who(o, pid, comm);
	text_endpoint(c, e->family, e->saddr, e->sport);
	text_endpoint(c, e->family, e->daddr, e->dport);
	start = o->len;
	out_u64(o, service);
	text_pad_from(o, start, 7);
	next = tcp_state_str(e->newstate);
	text_col(o, next, strlen(next), W_STATE);
	if (!known)
		out_lit(o, ">=");
	out_fixed(o, ns, 1000000ULL, 3);
	out_end_line(o);
}

static void text_cw_lost(struct fmt_ctx *c, __u64 n)
{
	out_lost_marker(c->o, false, n);
}

/* a percentile of no samples (all past the sample cap) is unknown */
static void text_pct(struct out *o, const struct port_summary *p, __u64 ns)
{
	if (p->sampled)
		out_fixed(o, ns, 1000000ULL, 3);
	else
		out_char(o, '-');
}

static void text_ports(struct out *o, const struct cw_summary *s)
{
	out_lit(o, "\nCLOSE_WAIT episodes by service port:\n");
	out_lit(o, "SERVICE  EPISODES      P50(ms)      P99(ms)      "
		   "MAX(ms)\n");
	for (size_t i = 0; i < s->nports; i++) {
		const struct port_summary *p = &s->ports[i];
		size_t start;

		out_reserve(o, TT_LINE_MAX);
		start = o->len;
		out_u64(o, p->port);
		text_pad_from(o, start, 7);
		start = o->len;
		out_u64(o, p->count);
		text_pad_from(o, start, 8);
		start = o->len;
		text_pct(o, p, p->p50_ns);
		text_pad_from(o, start, 12);
		start = o->len;
		text_pct(o, p, p->p99_ns);
		text_pad_from(o, start, 12);
		out_fixed(o, p->max_ns, 1000000ULL, 3);
		out_char(o, '\n');
	}
	if (!s->nports)
		out_lit(o, "(none)\n");
}

static void text_open(struct fmt_ctx *c, const struct cw_summary *s)
{
	struct out *o = c->o;

	out_lit(o, "\nStill in CLOSE_WAIT:\n");
	text_lit(o, "AGE(ms)", 12);
	text_lit(o, "PID", W_PID);
	text_lit(o, "COMM", W_COMM);
	text_lit(o, "LADDR:LPORT", c->wide ? W_ADDR_WIDE : W_ADDR);
	text_lit(o, "RADDR:RPORT", c->wide ? W_ADDR_WIDE : W_ADDR);
	out_lit(o, "SERVICE\n");
	for (size_t i = 0; i < s->nopen; i++) {
		const struct cw_open *w = s->open[i];
		__u64 age = s->now > w->since_ns ? s->now - w->since_ns : 0;
		size_t start;

		out_reserve(o, TT_LINE_MAX);
		start = o->len;
		if (w->estimated)
			out_lit(o, ">=");
		out_fixed(o, age, 1000000ULL, 3);
		text_pad_from(o, start, 12);
		text_who(o, w->pid, w->comm);
		text_endpoint(c, w->family, w->laddr, w->lport);
		text_endpoint(c, w->family, w->raddr, w->rport);
		out_u64(o, w->service);
		out_char(o, '\n');
	}
	if (!s->nopen)
		out_lit(o, "(none)\n");
}

static void text_summary(struct fmt_ctx *c, const struct cw_summary *s)
{
	text_ports(c->o, s);
	text_open(c, s);
}

const struct cw_report_ops cw_report_text = {
	.header = text_header,
	.episode = text_episode,
	.lost = text_cw_lost,
	.summary = text_summary,
};

static void json_header(struct fmt_ctx *c)
{
	(void)c;
}

static void json_episode(struct fmt_ctx *c, const struct tt_event *e,
			 __u16 service, __u64 ns, bool known)
{
	struct out *o = c->o;
	const char *comm;
	__u32 pid = tt_event_who(e, &comm);

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	out_lit(o, "{\"type\":\"close_wait\",\"time\":\"");
	fmt_wall_time(c, e->ts_ns, true);
	out_char(o, '"');
	json_key(o, "sock_id");
	out_u64(o, e->sock_id);
	json_who(o, pid, comm);
	json_key(o, "family");
	json_quoted(o, tt_family_str(e->family));
	json_endpoint(o, false, e->family, e->saddr, e->sport);
	json_endpoint(o, true, e->family, e->daddr, e->dport);
	json_key(o, "service");
	out_u64(o, service);
	json_key(o, "next");
	json_quoted(o, tcp_state_str(e->newstate));
	json_key(o, "ms");
	if (known)
		json_ms(o, ns);
	else
		out_lit(o, "null");
	json_key(o, "ms_at_least");
	json_ms(o, ns);
	out_char(o, '}');
	out_end_line(o);
}

static void json_cw_lost(struct fmt_ctx *c, __u64 n)
{
	out_lost_marker(c->o, true, n);
}

/* a percentile of no samples (all past the sample cap) is unknown */
static void json_pct(struct out *o, const struct port_summary *p, __u64 ns)
{
	if (p->sampled)
		json_ms(o, ns);
	else
		out_lit(o, "null");
}

static void json_summary(struct fmt_ctx *c, const struct cw_summary *s)
{
	struct out *o = c->o;

	out_lit(o, "{\"type\":\"summary\",\"episodes\":");
	out_u64(o, s->episodes);
	json_key(o, "predating");
	out_u64(o, s->predating);
	json_key(o, "dropped");
	out_u64(o, s->dropped);
	json_key(o, "ports");
	out_char(o, '[');
	for (size_t i = 0; i < s->nports; i++) {
		const struct port_summary *p = &s->ports[i];

		out_reserve(o, TT_LINE_MAX);
		out_str(o, i ? ",{\"service\":" : "{\"service\":");
		out_u64(o, p->port);
		json_key(o, "episodes");
		out_u64(o, p->count);
		json_key(o, "p50_ms");
		json_pct(o, p, p->p50_ns);
		json_key(o, "p99_ms");
		json_pct(o, p, p->p99_ns);
		json_key(o, "max_ms");
		json_ms(o, p->max_ns);
		out_char(o, '}');
	}
	out_char(o, ']');
	json_key(o, "open");
	out_char(o, '[');
	for (size_t i = 0; i < s->nopen; i++) {
		const struct cw_open *w = s->open[i];
		__u64 age = s->now > w->since_ns ? s->now - w->since_ns : 0;

		out_reserve(o, TT_LINE_MAX);
		out_str(o, i ? ",{\"age_ms\":" : "{\"age_ms\":");
		json_ms(o, age);
		json_key(o, "age_estimated");
		out_str(o, w->estimated ? "true" : "false");
		json_who(o, w->pid, w->comm);
		json_endpoint(o, false, w->family, w->laddr, w->lport);
		json_endpoint(o, true, w->family, w->raddr, w->rport);
		json_key(o, "service");
		out_u64(o, w->service);
		out_char(o, '}');
	}
	out_lit(o, "]}");
	out_end_line(o);
}

const struct cw_report_ops cw_report_json = {
	.header = json_header,
	.episode = json_episode,
	.lost = json_cw_lost,
	.summary = json_summary,
};
