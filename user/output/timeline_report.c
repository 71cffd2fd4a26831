// SPDX-License-Identifier: GPL-2.0
/* timeline's connections: a text line each, or a JSON line each. */
#include <string.h>
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/put.h"
#include "output/textfmt.h"
#include "output/timeline_report.h"
#include "output/cgroup_fmt.h"

static const char *opened_str(const struct tl_conn *c)
{
	if (c->listener)
		return "listen";
	if (c->flags & TT_F_ACTIVE)
		return "active";
	if (c->flags & TT_F_PASSIVE)
		return "passive";
	return "unknown";
}

static const char *const closer_str[] = {
	[CLOSER_UNKNOWN] = "unknown",
	[CLOSER_LOCAL] = "local",
	[CLOSER_PEER] = "peer",
	[CLOSER_RESET] = "reset",
};

/* the OPENED and CLOSED columns: every word fits 7, so 8 bytes copied */
static const char *opened_col(const struct tl_conn *c)
{
	if (c->listener)
		return "listen  ";
	if (c->flags & TT_F_ACTIVE)
		return "active  ";
	if (c->flags & TT_F_PASSIVE)
		return "passive ";
	return "unknown ";
}

static const char closer_col[][8] = {
	[CLOSER_UNKNOWN] = "unknown ",
	[CLOSER_LOCAL] = "local   ",
	[CLOSER_PEER] = "peer    ",
	[CLOSER_RESET] = "reset   ",
};

/*
 * How step i ended, where the kernel did not say: an orphaned FIN_WAIT2
 * ended by tcp_fin_timeout or cut short before it, or by a peer's FIN
 * whose time is a look's.
 */
static const char *step_note(const struct tl_conn *c, int i)
{
	bool last = i + 1 == tl_nsteps(c);

	if (tl_step(c, i).state != TCP_FIN_WAIT2)
		return NULL;
	if (last && c->fin_timeout)
		return "fin_timeout";
	if (last && c->fin_cut_short)
		return "cut_short";
	if (c->fin_inferred &&
	    (last ? c->state == TCP_TIME_WAIT :
		    tl_step(c, i + 1).state == TCP_TIME_WAIT))
		return "inferred";
	return NULL;
}

static void text_header(struct fmt_ctx *c)
{
	struct out *o = c->o;

	text_header_start(c);
	text_lit(o, "OPENED", 7);
	text_lit(o, "CLOSED", 7);
	text_rlit(o, "LIFETIME", 10);
	out_lit(o, "PATH");
	out_end_line(o);
}

static void text_conn(struct fmt_ctx *fc, const struct tl_conn *c, __u64 now,
		      bool open)
{
	__u64 life = now > c->first_ns ? now - c->first_ns : 0;
	struct out *o = fc->o;
	char life_s[PUT_RCOL_MAX], *p, *e;
	const char *note;
	size_t n;

	/* a path of 16 steps with escaped names stays well inside 2 lines */
	if (!out_reserve(o, 2 * TT_LINE_MAX))
		return;
	p = text_put_time(fc, o->buf + o->len, now);
	p = text_put_who(p, c->pid, c->comm);
	p = text_put_endpoint(p, fc->wide, c->family, c->laddr, c->lport);
	p = text_put_endpoint(p, fc->wide, c->family, c->raddr, c->rport);
	p = put_mem(p, opened_col(c), 8);
	p = put_mem(p, closer_col[c->closer], 8);
	/* LIFETIME: right-aligned in 10 */
	e = life_s;
	if (c->partial || tl_truncated(c))
		e = put_lit(e, ">=");
	n = put_human(e, life) - life_s;
	p = put_rcol(p, life_s, n, 10);
	for (int i = 0; i < tl_nsteps(c); i++) {
		struct tl_step s = tl_step(c, i);
		const struct tcp_state_name *name = tcp_state_name(s.state);

		memcpy(p, name->s, sizeof(name->s));
		p += name->len;
		*p++ = ' ';
		if (s.ns == TT_DELTA_UNKNOWN)
			*p++ = '?';
		else
			p = put_human(p, s.ns);
		if (s.state == TCP_TIME_WAIT && !c->tw_exact)
			p = put_lit(p, " (inferred)");
		note = step_note(c, i);
		if (note) {
			p = put_lit(p, " (");
			p = put_mem(p, note, strlen(note));
			*p++ = ')';
		}
		p = put_lit(p, " -> ");
		if (tt_path_gap_after(c->nsteps, i))
			p = put_lit(p, "... -> ");
	}
	o->len = p - o->buf;
	out_str(o, tcp_state_str(c->state));
	if (c->state == TCP_TIME_WAIT)
		out_lit(o, " (inferred)");
	if (open) {
		out_char(o, ' ');
		out_human(o, now - c->since_ns);
		out_lit(o, " (open)");
	}
	out_end_line(o);
}

static void text_tl_lost(struct fmt_ctx *c, __u64 n)
{
	text_lost(c->o, n);
}

const struct tl_report_ops tl_report_text = {
	.header = text_header,
	.conn = text_conn,
	.lost = text_tl_lost,
};

static void json_header(struct fmt_ctx *c)
{
	(void)c;
}

/* a step of the path: a state and the time spent in it, null if unknown */
static void json_step(struct json_writer *j, __u8 state, bool known, __u64 ns,
		      bool inferred, const char *note)
{
	json_obj_start(j);
	json_word_field(j, "state", tcp_state_str(state));
	json_key(j, "ms");
	if (known)
		json_ms(j, ns);
	else
		json_null(j);
	if (inferred)
		json_bool_field(j, "inferred", true);
	if (note)
		json_bool_field(j, note, true);
	json_obj_end(j);
}

static void json_conn(struct fmt_ctx *fc, const struct tl_conn *c, __u64 now,
		      bool open)
{
	__u64 life = now > c->first_ns ? now - c->first_ns : 0;
	struct out *o = fc->o;
	struct json_writer j;

	/* a path of 16 steps with escaped names stays well inside 2 lines */
	if (!out_reserve(o, 2 * TT_LINE_MAX))
		return;
	json_init(&j, o);
	json_obj_start(&j);
	json_word_field(&j, "type", "connection");
	json_time(&j, fc, now);
	json_u64_field(&j, "sock_id", c->id);
	json_who(&j, c->pid, c->comm);
	json_word_field(&j, "family", tt_family_str(c->family));
	json_endpoint(&j, false, c->family, c->laddr, c->lport);
	json_endpoint(&j, true, c->family, c->raddr, c->rport);
	json_word_field(&j, "opened", opened_str(c));
	json_word_field(&j, "closed_first", closer_str[c->closer]);
	json_ms_field(&j, "lifetime_ms", life);
	json_bool_field(&j, "complete", !c->partial && !tl_truncated(c));
	json_bool_field(&j, "open", open);
	json_cgroup(&j, fc->cg, c->cgroup_id);
	json_key(&j, "path");
	json_arr_start(&j);
	for (int i = 0; i < tl_nsteps(c); i++) {
		struct tl_step s = tl_step(c, i);

		json_step(&j, s.state, s.ns != TT_DELTA_UNKNOWN, s.ns,
			  s.state == TCP_TIME_WAIT && !c->tw_exact,
			  step_note(c, i));
	}
	/* the current state ends the path: its time so far if still open */
	json_step(&j, c->state, open, now - c->since_ns,
		  c->state == TCP_TIME_WAIT, NULL);
	json_arr_end(&j);
	json_obj_end(&j);
	out_end_line(o);
}

static void json_tl_lost(struct fmt_ctx *c, __u64 n)
{
	json_lost(c->o, n);
}

const struct tl_report_ops tl_report_json = {
	.header = json_header,
	.conn = json_conn,
	.lost = json_tl_lost,
};
