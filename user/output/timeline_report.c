// SPDX-License-Identifier: GPL-2.0
/* timeline's connections: a text line each, or a JSON line each. */
#include <string.h>
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/textfmt.h"
#include "output/timeline_report.h"

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

/*
 * How step i ended, where the kernel did not say: an orphaned FIN_WAIT2
 * ended by tcp_fin_timeout, or by a peer's FIN whose time is a look's.
 */
static const char *step_note(const struct tl_conn *c, int i)
{
	bool last = i + 1 == c->nsteps;

	if (c->steps[i].state != TCP_FIN_WAIT2)
		return NULL;
	if (last && c->fin_timeout)
		return "fin_timeout";
	if (c->fin_inferred && (last ? c->state == TCP_TIME_WAIT :
				       c->steps[i + 1].state == TCP_TIME_WAIT))
		return "inferred";
	return NULL;
}

static void text_header(struct fmt_ctx *c)
{
	struct out *o = c->o;

	text_header_start(c);
	text_lit(o, "OPENED", 7);
	text_lit(o, "CLOSED", 7);
	text_lit(o, "LIFETIME", 10);
	out_lit(o, "PATH");
	out_end_line(o);
}

static void text_conn(struct fmt_ctx *fc, const struct tl_conn *c, __u64 now,
		      bool open)
{
	__u64 life = now > c->first_ns ? now - c->first_ns : 0;
	struct out *o = fc->o;
	const char *note;
	size_t start;

	/* a path of 16 steps with escaped names stays well inside 2 lines */
	if (!out_reserve(o, 2 * TT_LINE_MAX))
		return;
	text_time(fc, now);
	text_who(o, c->pid, c->comm);
	text_endpoint(fc, c->family, c->laddr, c->lport);
	text_endpoint(fc, c->family, c->raddr, c->rport);
	text_col(o, opened_str(c), strlen(opened_str(c)), 7);
	text_col(o, closer_str[c->closer], strlen(closer_str[c->closer]), 7);
	start = o->len;
	if (c->partial || c->truncated)
		out_lit(o, ">=");
	out_human(o, life);
	text_pad_from(o, start, 10);
	for (int i = 0; i < c->nsteps; i++) {
		out_str(o, tcp_state_str(c->steps[i].state));
		out_char(o, ' ');
		if (c->steps[i].ns == TT_DELTA_UNKNOWN)
			out_char(o, '?');
		else
			out_human(o, c->steps[i].ns);
		if (c->steps[i].state == TCP_TIME_WAIT && !c->tw_exact)
			out_lit(o, " (inferred)");
		note = step_note(c, i);
		if (note) {
			out_lit(o, " (");
			out_str(o, note);
			out_char(o, ')');
		}
		out_lit(o, " -> ");
		if (c->truncated && i == PATH_MAX_STEPS / 2 - 1)
			out_lit(o, "... -> ");
	}
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
	out_lost_marker(c->o, false, n);
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

static void json_conn(struct fmt_ctx *fc, const struct tl_conn *c, __u64 now,
		      bool open)
{
	__u64 life = now > c->first_ns ? now - c->first_ns : 0;
	struct out *o = fc->o;
	const char *note;

	/* a path of 16 steps with escaped names stays well inside 2 lines */
	if (!out_reserve(o, 2 * TT_LINE_MAX))
		return;
	out_lit(o, "{\"type\":\"connection\",\"time\":\"");
	fmt_wall_time(fc, now, true);
	out_char(o, '"');
	json_key(o, "sock_id");
	out_u64(o, c->id);
	json_who(o, c->pid, c->comm);
	json_key(o, "family");
	json_quoted(o, tt_family_str(c->family));
	json_endpoint(o, false, c->family, c->laddr, c->lport);
	json_endpoint(o, true, c->family, c->raddr, c->rport);
	json_key(o, "opened");
	json_quoted(o, opened_str(c));
	json_key(o, "closed_first");
	json_quoted(o, closer_str[c->closer]);
	json_key(o, "lifetime_ms");
	json_ms(o, life);
	json_key(o, "complete");
	out_str(o, c->partial || c->truncated ? "false" : "true");
	json_key(o, "open");
	out_str(o, open ? "true" : "false");
	json_key(o, "path");
	out_char(o, '[');
	for (int i = 0; i < c->nsteps; i++) {
		out_str(o, i ? ",{\"state\":" : "{\"state\":");
		json_quoted(o, tcp_state_str(c->steps[i].state));
		json_key(o, "ms");
		if (c->steps[i].ns == TT_DELTA_UNKNOWN)
			out_lit(o, "null");
		else
			json_ms(o, c->steps[i].ns);
		if (c->steps[i].state == TCP_TIME_WAIT && !c->tw_exact)
			out_lit(o, ",\"inferred\":true");
		note = step_note(c, i);
		if (note) {
			out_lit(o, ",\"");
			out_str(o, note);
			out_lit(o, "\":true");
		}
		out_char(o, '}');
	}
	out_str(o, c->nsteps ? ",{\"state\":" : "{\"state\":");
	json_quoted(o, tcp_state_str(c->state));
	json_key(o, "ms");
	if (open)
		json_ms(o, now - c->since_ns);
	else
		out_lit(o, "null");
	if (c->state == TCP_TIME_WAIT)
		out_lit(o, ",\"inferred\":true");
	out_lit(o, "}]}");
	out_end_line(o);
}

static void json_tl_lost(struct fmt_ctx *c, __u64 n)
{
	out_lost_marker(c->o, true, n);
}

const struct tl_report_ops tl_report_json = {
	.header = json_header,
	.conn = json_conn,
	.lost = json_tl_lost,
};
