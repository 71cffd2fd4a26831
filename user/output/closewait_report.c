// SPDX-License-Identifier: GPL-2.0
/* closewait's episodes and exit summary: text columns, or JSON lines. */
#include <string.h>
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/holders_fmt.h"
#include "output/closewait_report.h"
#include "output/put.h"
#include "output/textfmt.h"
#include "output/cgroup_fmt.h"

#define W_SERVICE 7
#define W_MS 10

static void text_header(struct fmt_ctx *c)
{
	struct out *o = c->o;

	text_header_start(c);
	text_rlit(o, "SERVICE", W_SERVICE);
	text_lit(o, "NEXT", W_STATE);
	text_rlit(o, "MS", W_MS);
	out_trim(o);
	out_end_line(o);
}

static void text_episode(struct fmt_ctx *c, const struct tt_event *e,
			 __u16 service, __u64 ns, bool known)
{
	struct out *o = c->o;
	char tmp[PUT_RCOL_MAX], *t = tmp, *p;
	const char *comm;
	__u32 pid = tt_event_who(e, &comm);

	/* written in place, as trace's line (output/put.h) */
	if (!out_reserve(o, TT_LINE_MAX))
		return;
	p = text_put_time(c, o->buf + o->len, e->ts_ns);
	p = text_put_who(p, pid, comm);
	p = text_put_endpoint(p, c->wide, e->family, e->saddr, e->sport);
	p = text_put_endpoint(p, c->wide, e->family, e->daddr, e->dport);
	p = put_rcol(p, tmp, put_u32(tmp, service) - tmp, W_SERVICE);
	p = text_put_state(p, e->newstate);
	if (!known)
		t = put_lit(t, ">=");
	t = put_fixed(t, ns, 1000000ULL, 3);
	/* the last column: no space after it */
	p = put_rcol(p, tmp, t - tmp, W_MS) - 1;
	o->len = p - o->buf;
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
	text_rlit(o, "SERVICE", W_SERVICE);
	text_rlit(o, "EPISODES", 8);
	text_rlit(o, "P50(ms)", 12);
	text_rlit(o, "P99(ms)", 12);
	text_rlit(o, "MAX(ms)", 12);
	out_trim(o);
	out_char(o, '\n');
	for (size_t i = 0; i < s->nports; i++) {
		const struct port_summary *p = &s->ports[i];
		size_t start;

		out_reserve(o, TT_LINE_MAX);
		start = o->len;
		out_u64(o, p->port);
		text_rpad_from(o, start, W_SERVICE);
		start = o->len;
		out_u64(o, p->count);
		text_rpad_from(o, start, 8);
		start = o->len;
		text_pct(o, p, p->p50_ns);
		text_rpad_from(o, start, 12);
		start = o->len;
		text_pct(o, p, p->p99_ns);
		text_rpad_from(o, start, 12);
		start = o->len;
		out_fixed(o, p->max_ns, 1000000ULL, 3);
		text_rpad_from(o, start, 12);
		out_trim(o);
		out_char(o, '\n');
	}
	if (!s->nports)
		out_lit(o, "(none)\n");
}

static void text_open(struct fmt_ctx *c, const struct cw_summary *s)
{
	struct out *o = c->o;

	out_lit(o, "\nStill in CLOSE_WAIT:\n");
	text_rlit(o, "AGE(ms)", 12);
	text_rlit(o, "PID", W_PID);
	text_lit(o, "COMM", W_COMM);
	text_rlit(o, "FD", W_FD);
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
		text_rpad_from(o, start, 12);
		text_holder_cols(o, &w->now, w->pid, w->comm);
		text_endpoint(c, w->family, w->laddr, w->lport);
		text_endpoint(c, w->family, w->raddr, w->rport);
		start = o->len;
		out_u64(o, w->service);
		text_rpad_from(o, start, W_SERVICE);
		text_holders_more(o, &w->now, w->pid, w->comm);
		out_trim(o);
		out_char(o, '\n');
	}
	if (!s->nopen && !s->not_listed)
		out_lit(o, "(none)\n");
	if (s->not_listed) {
		out_lit(o, "(");
		out_u64(o, s->not_listed);
		if (s->not_listed_oom)
			out_lit(o, " more not listed: --list-max, or out of "
				   "memory)\n");
		else
			out_lit(o, " more, younger, not listed: --list-max)\n");
	}
}

/* one socket whose CLOSE_WAIT began before tcptrail: a lower bound */
static void text_predated_row(struct fmt_ctx *c, __u64 ns, __u32 pid,
			      const char *comm, __u16 family, const __u8 *laddr,
			      __u16 lport, const __u8 *raddr, __u16 rport,
			      __u16 service, bool ended)
{
	struct out *o = c->o;
	size_t start;

	out_reserve(o, TT_LINE_MAX);
	start = o->len;
	out_lit(o, "at least ");
	out_human(o, ns);
	text_rpad_from(o, start, 17);
	text_who(o, pid, comm);
	text_endpoint(c, family, laddr, lport);
	text_endpoint(c, family, raddr, rport);
	start = o->len;
	out_u64(o, service);
	text_rpad_from(o, start, W_SERVICE);
	out_str(o, ended ? "ended" : "still in CLOSE_WAIT");
	out_char(o, '\n');
}

/*
 * The episodes that began before tcptrail started: their ages are lower
 * bounds, so they are in no percentile; listed here with the open ones.
 */
static void text_predating(struct fmt_ctx *c, const struct cw_summary *s)
{
	struct out *o = c->o;
	size_t nopen = 0;

	for (size_t i = 0; i < s->nopen; i++)
		nopen += s->open[i]->estimated;
	out_lit(o, "\nStarted before tracing (ages are lower bounds): ");
	out_count(o, s->predating, "episode ended", "episodes ended");
	out_lit(o, ", ");
	out_count(o, nopen + s->not_listed_estimated, "socket", "sockets");
	out_lit(o, " still in CLOSE_WAIT");
	if (s->not_listed_estimated) {
		out_lit(o, " (");
		out_u64(o, s->not_listed_estimated);
		out_lit(o, " not listed)");
	}
	out_char(o, '\n');
	if (!s->predating && !nopen)
		return;
	text_rlit(o, "AGE", 17);
	text_rlit(o, "PID", W_PID);
	text_lit(o, "COMM", W_COMM);
	text_lit(o, "LADDR:LPORT", c->wide ? W_ADDR_WIDE : W_ADDR);
	text_lit(o, "RADDR:RPORT", c->wide ? W_ADDR_WIDE : W_ADDR);
	text_rlit(o, "SERVICE", W_SERVICE);
	out_lit(o, "STATE\n");
	for (size_t i = 0; i < s->nended; i++) {
		const struct cw_predated *p = &s->ended[i];

		text_predated_row(c, p->ns, p->pid, p->comm, p->family,
				  p->laddr, p->lport, p->raddr, p->rport,
				  p->service, true);
	}
	if (s->nended < s->predating) {
		out_lit(o, "(only the first ");
		out_count(o, s->nended, "ended episode is", "ended ones are");
		out_lit(o, " listed)\n");
	}
	for (size_t i = 0; i < s->nopen; i++) {
		const struct cw_open *w = s->open[i];
		const struct holder *h = w->now.h.n ? &w->now.h.v[0] : NULL;

		if (!w->estimated)
			continue;
		text_predated_row(
			c, s->now > w->since_ns ? s->now - w->since_ns : 0,
			h ? h->pid : w->pid, h ? h->comm : w->comm, w->family,
			w->laddr, w->lport, w->raddr, w->rport, w->service,
			false);
	}
}

static void text_summary(struct fmt_ctx *c, const struct cw_summary *s)
{
	text_ports(c->o, s);
	text_open(c, s);
	text_predating(c, s);
	if (s->untimed) {
		out_lit(c->o, "\nUntimed (a step unseen, a gap): ");
		out_count(c->o, s->untimed, "episode ended", "episodes ended");
		out_char(c->o, '\n');
	}
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
	json_cgroup(&j, c->cg, e->cgroup_id);
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

static void json_open(struct json_writer *j, const struct cw_summary *s,
		      struct cgroup_fmt *cg)
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
		json_cgroup(j, cg, w->cgroup_id);
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
	json_u64_field(&j, "untimed", s->untimed);
	json_u64_field(&j, "dropped", s->dropped);
	json_ports(&j, s);
	json_open(&j, s, c->cg);
	json_u64_field(&j, "open_not_listed", s->not_listed);
	json_obj_end(&j);
	out_end_line(c->o);
}

const struct cw_report_ops cw_report_json = {
	.header = json_header,
	.episode = json_episode,
	.lost = json_cw_lost,
	.summary = json_summary,
};
