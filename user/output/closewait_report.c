// SPDX-License-Identifier: GPL-2.0
/* closewait's episodes and exit summary: text columns, or JSON lines. */
#include <string.h>
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/holders_fmt.h"
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
	text_lost(c->o, n);
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
	text_lit(o, "FD", W_FD);
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
		text_holder_cols(o, &w->now, w->pid, w->comm);
		text_endpoint(c, w->family, w->laddr, w->lport);
		text_endpoint(c, w->family, w->raddr, w->rport);
		start = o->len;
		out_u64(o, w->service);
		if (w->now.h.n > 1 ||
		    (w->now.h.n && w->pid && w->now.h.v[0].pid != w->pid)) {
			text_pad_from(o, start, 8);
			text_holders_more(o, &w->now, w->pid, w->comm);
		}
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
	struct json_writer j;
	const char *comm;
	__u32 pid = tt_event_who(e, &comm);

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	json_init(&j, o);
	json_obj_start(&j);
	json_word_field(&j, "type", "close_wait");
	json_time(&j, c, e->ts_ns);
	json_u64_field(&j, "sock_id", e->sock_id);
	json_who(&j, pid, comm);
	json_word_field(&j, "family", tt_family_str(e->family));
	json_endpoint(&j, false, e->family, e->saddr, e->sport);
	json_endpoint(&j, true, e->family, e->daddr, e->dport);
	json_u64_field(&j, "service", service);
	json_word_field(&j, "next", tcp_state_str(e->newstate));
	json_key(&j, "ms");
	if (known)
		json_ms(&j, ns);
	else
		json_null(&j);
	json_ms_field(&j, "ms_at_least", ns);
	json_obj_end(&j);
	out_end_line(o);
}

static void json_cw_lost(struct fmt_ctx *c, __u64 n)
{
	json_lost(c->o, n);
}

/* a percentile of no samples (all past the sample cap) is unknown */
static void json_pct(struct json_writer *j, const char *key,
		     const struct port_summary *p, __u64 ns)
{
	json_key(j, key);
	if (p->sampled)
		json_ms(j, ns);
	else
		json_null(j);
}

static void json_ports(struct json_writer *j, const struct cw_summary *s)
{
	json_key(j, "ports");
	json_arr_start(j);
	for (size_t i = 0; i < s->nports; i++) {
		const struct port_summary *p = &s->ports[i];

		out_reserve(j->o, TT_LINE_MAX);
		json_obj_start(j);
		json_u64_field(j, "service", p->port);
		json_u64_field(j, "episodes", p->count);
		json_pct(j, "p50_ms", p, p->p50_ns);
		json_pct(j, "p99_ms", p, p->p99_ns);
		json_ms_field(j, "max_ms", p->max_ns);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_open(struct json_writer *j, const struct cw_summary *s)
{
	json_key(j, "open");
	json_arr_start(j);
	for (size_t i = 0; i < s->nopen; i++) {
		const struct cw_open *w = s->open[i];
		__u64 age = s->now > w->since_ns ? s->now - w->since_ns : 0;

		out_reserve(j->o, TT_LINE_MAX);
		json_obj_start(j);
		json_ms_field(j, "age_ms", age);
		json_bool_field(j, "age_estimated", w->estimated);
		json_holders(j, &w->now, w->pid, w->comm);
		json_endpoint(j, false, w->family, w->laddr, w->lport);
		json_endpoint(j, true, w->family, w->raddr, w->rport);
		json_u64_field(j, "service", w->service);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* one line: the totals, per service port, and the sockets still open */
static void json_summary(struct fmt_ctx *c, const struct cw_summary *s)
{
	struct json_writer j;

	json_init(&j, c->o);
	json_obj_start(&j);
	json_word_field(&j, "type", "summary");
	json_u64_field(&j, "episodes", s->episodes);
	json_u64_field(&j, "predating", s->predating);
	json_u64_field(&j, "dropped", s->dropped);
	json_ports(&j, s);
	json_open(&j, s);
	json_obj_end(&j);
	out_end_line(c->o);
}

const struct cw_report_ops cw_report_json = {
	.header = json_header,
	.episode = json_episode,
	.lost = json_cw_lost,
	.summary = json_summary,
};
