// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output/holders_fmt.h"
#include "output/check_report.h"
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/textfmt.h"

static const char hex[] = "0123456789abcdef";

static const char *const verdict_text[] = {
	[CK_PASS] = "PASS",
	[CK_FAIL] = "FAIL",
	[CK_INTERRUPTED] = "INTERRUPTED",
};

void out_xml_str(struct out *o, const char *s, size_t maxlen)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < maxlen && u[i]; i++) {
		unsigned char c = u[i];

		if (c == '&')
			out_lit(o, "&amp;");
		else if (c == '<')
			out_lit(o, "&lt;");
		else if (c == '>')
			out_lit(o, "&gt;");
		else if (c == '"')
			out_lit(o, "&quot;");
		else if (c == '\'')
			out_lit(o, "&apos;");
		else if (c == '\\')
			out_lit(o, "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			out_char(o, c);
		else {
			out_lit(o, "\\x");
			out_char(o, hex[c >> 4]);
			out_char(o, hex[c & 15]);
		}
	}
}

const char *ck_rule_text(enum ck_rule r)
{
	switch (r) {
	case CK_MAX_CLOSEWAIT:
		return "no CLOSE_WAIT longer than the limit";
	case CK_LEAK:
		return "no socket left in CLOSE_WAIT";
	case CK_OPEN:
		return "no connection left open";
	default:
		return "?";
	}
}

bool ck_rule_on(const struct ck_report *r, enum ck_rule rule)
{
	if (rule == CK_MAX_CLOSEWAIT)
		return r->s->rules.max_closewait_ns;
	if (rule == CK_OPEN)
		return r->s->rules.fail_on_open;
	return true;
}

static bool cmd_failed(const struct ck_report *r)
{
	return r->cmd && r->cmd_status > 0;
}

enum ck_verdict ck_verdict(const struct ck_report *r)
{
	if (r->interrupted)
		return CK_INTERRUPTED;
	if (!ck_passed(r->s) || r->lost || cmd_failed(r))
		return CK_FAIL;
	return CK_PASS;
}

const char *ck_signal_name(int sig)
{
	const char *name = sig > 0 ? sigabbrev_np(sig) : NULL;
	static char buf[24];

	if (!name) {
		snprintf(buf, sizeof(buf), "signal %d", sig);
		return buf;
	}
	snprintf(buf, sizeof(buf), "SIG%s", name);
	return buf;
}

void ck_cmd_words(struct out *o, int status)
{
	if (status > 128) {
		out_lit(o, "command killed by ");
		out_str(o, ck_signal_name(status - 128));
	} else {
		out_lit(o, "command exited ");
		out_u64(o, status);
	}
}

/* why the verdict is what it is: "command exited 7; leak broken" */
static void reasons_text(struct out *o, const struct ck_report *r)
{
	const char *sep = ": ";

	if (r->interrupted) {
		out_lit(o, " by ");
		out_str(o, r->interrupted_by ?
				   ck_signal_name(r->interrupted_by) :
				   "a failed output");
		out_lit(o, " before the command ended");
		if (r->cmd_status >= 0) {
			out_lit(o, "; then ");
			ck_cmd_words(o, r->cmd_status);
		}
		return;
	}
	if (cmd_failed(r)) {
		out_str(o, sep);
		ck_cmd_words(o, r->cmd_status);
		sep = "; ";
	}
	for (int i = 0; i < CK_RULES; i++) {
		if (!r->s->broken[i])
			continue;
		out_str(o, sep);
		out_str(o, ck_rule_str(i));
		out_lit(o, " broken");
		sep = "; ";
	}
	if (r->lost) {
		out_str(o, sep);
		out_lit(o, "transitions lost");
	}
}

/* "  rules: leak (after a 1s grace), max_closewait 1s (default), ..." */
static void rules_text(struct out *o, const struct ck_report *r)
{
	const struct ck_rules *rules = &r->s->rules;

	out_lit(o, "  rules: leak");
	if (r->cmd) {
		out_lit(o, " (after a ");
		out_human(o, r->grace_ns);
		out_lit(o, " grace)");
	}
	out_lit(o, ", max_closewait ");
	if (rules->max_closewait_ns) {
		out_human(o, rules->max_closewait_ns);
		if (r->max_closewait_default)
			out_lit(o, " (default)");
	} else {
		out_lit(o, "off");
	}
	out_lit(o, ", open ");
	out_str(o, rules->fail_on_open ? "on" : "off");
	out_end_line(o);
}

static void pid_comm(struct out *o, __u32 pid, const char *comm, bool xml)
{
	out_lit(o, "pid ");
	out_u64(o, pid);
	out_lit(o, " (");
	if (xml)
		out_xml_str(o, comm, TT_COMM_LEN);
	else
		out_text_esc(o, comm, TT_COMM_LEN);
	out_char(o, ')');
}

/*
 * A leak names who holds the socket now (every process, with its fd),
 * then who opened it where that differs: "held by pid 12 (socat) fd 6,
 * opened by pid 9 (socat): ..."
 */
static void holders_words(struct out *o, const struct ck_violation *v, bool xml)
{
	const struct holders *h = &v->now.h;
	bool opener_holds = false;

	out_str(o, v->now.queued ? "in the accept queue of " : "held by ");
	for (__u32 i = 0; i < h->n; i++) {
		if (i)
			out_lit(o, ", ");
		pid_comm(o, h->v[i].pid, h->v[i].comm, xml);
		out_lit(o, " fd ");
		out_u64(o, h->v[i].fd);
		opener_holds |= h->v[i].pid == v->pid;
	}
	if (v->pid && !opener_holds) {
		out_lit(o, ", opened by ");
		pid_comm(o, v->pid, v->comm, xml);
	}
	out_lit(o, ": ");
}

/* "pid 123 (comm) 127.0.0.1:80 <-> 127.0.0.1:5000, CLOSE_WAIT 1.204s" */
void ck_violation_words(struct out *o, const struct ck_violation *v, bool xml)
{
	char ep[TT_ENDPOINT_LEN];

	if (v->now.h.n) {
		holders_words(o, v, xml);
	} else if (v->pid) {
		pid_comm(o, v->pid, v->comm, xml);
		out_char(o, ' ');
	} else {
		out_lit(o, "owner unknown ");
	}
	tt_endpoint_fmt(ep, sizeof(ep), v->family, v->laddr, v->lport);
	out_str(o, ep);
	if (xml)
		out_lit(o, " &lt;-&gt; ");
	else
		out_lit(o, " <-> ");
	tt_endpoint_fmt(ep, sizeof(ep), v->family, v->raddr, v->rport);
	out_str(o, ep);
	out_lit(o, ", ");
	out_str(o,
		tcp_state_str(v->rule == CK_OPEN ? v->state : TCP_CLOSE_WAIT));
	out_str(o, v->at_least ? (xml ? " &gt;=" : " >=") : " ");
	out_human(o, v->ns);
	if (v->start_unseen)
		out_lit(o, " (its start was not seen)");
	else if (v->at_least)
		out_lit(o, " (began before tcptrail)");
	if (v->rule != CK_MAX_CLOSEWAIT)
		out_lit(o, " when the grace ended");
}

/* sockets counted in a namespace the kernel's list did not walk */
static void not_found_line(struct out *o, __u64 n, const char *seen,
			   const char *as, bool oom)
{
	if (!n)
		return;
	out_lit(o, "  not found: ");
	out_count(o, n, "socket", "sockets");
	out_lit(o, " seen ");
	out_str(o, seen);
	out_lit(o, ", in no network namespace walked");
	if (oom)
		out_lit(o, " (or where memory ran out counting)");
	out_lit(o, ": counted as ");
	out_str(o, as);
	out_end_line(o);
}

void ck_report_text(struct out *o, const struct ck_report *r)
{
	const struct ck_state *s = r->s;
	struct port_summary *ps = NULL;
	size_t n;

	out_lit(o, "tcptrail check: ");
	out_str(o, verdict_text[ck_verdict(r)]);
	reasons_text(o, r);
	out_lit(o, " (watching ");
	out_str(o, r->watch);
	out_lit(o, "; ");
	out_count(o, s->connections, "connection", "connections");
	out_lit(o, ", ");
	out_count(o, s->episodes, "CLOSE_WAIT episode", "CLOSE_WAIT episodes");
	if (s->predating) {
		out_lit(o, " (");
		out_u64(o, s->predating);
		out_lit(o, " began before tcptrail)");
	}
	if (s->untimed) {
		out_lit(o, " (");
		out_u64(o, s->untimed);
		out_lit(o, " untimed: a step unseen)");
	}
	out_lit(o, ", ");
	out_count(o, r->lost, "transition", "transitions");
	out_lit(o, " lost)");
	out_end_line(o);
	rules_text(o, r);
	for (size_t i = 0; i < s->nv; i++) {
		out_lit(o, "  ");
		out_str(o, ck_rule_str(s->v[i].rule));
		out_lit(o, ": port ");
		out_u64(o, s->v[i].service);
		out_lit(o, ": ");
		ck_violation_words(o, &s->v[i], false);
		out_end_line(o);
	}
	/* those not found are not listed: they are said below */
	if (s->nv < s->broken[CK_MAX_CLOSEWAIT] + s->broken[CK_LEAK] +
			    s->broken[CK_OPEN] - s->leaks_not_found -
			    s->open_not_found) {
		out_lit(o, "  (only the first ");
		out_u64(o, CK_MAX_VIOLATIONS);
		out_lit(o, " are listed)");
		out_end_line(o);
	}
	if (r->lost) {
		out_lit(o, "  lost transitions: the verdict is incomplete "
			   "(raise --ringbuf-size)");
		out_end_line(o);
	}
	not_found_line(o, s->leaks_not_found,
		       "entering CLOSE_WAIT and not leaving", "leaks",
		       s->leaks_not_found_oom);
	not_found_line(o, s->open_not_found, "opening and not closing", "open",
		       s->open_not_found_oom);
	if (r->unseen) {
		out_lit(o, "  unseen transitions: ");
		out_u64(o, r->unseen);
		out_lit(o, " missed or found missing by the socket's next one: "
			   "the verdict may be incomplete");
		out_end_line(o);
	}
	if (s->dropped) {
		out_lit(o, "  ");
		out_count(o, s->dropped, "connection", "connections");
		out_lit(o, " did not fit in the table: not checked");
		out_end_line(o);
	}
	n = portstats__summarise(s->cw, &ps);
	for (size_t i = 0; i < n; i++) {
		out_lit(o, "  port ");
		out_u64(o, ps[i].port);
		out_lit(o, ": ");
		out_u64(o, ps[i].count);
		out_lit(o, " CLOSE_WAIT, p50 ");
		out_human(o, ps[i].p50_ns);
		out_lit(o, ", p99 ");
		out_human(o, ps[i].p99_ns);
		out_lit(o, ", max ");
		out_human(o, ps[i].max_ns);
		out_end_line(o);
	}
	free(ps);
}

size_t ck_ports_of(const struct ck_state *s, __u16 **out)
{
	bool *seen = calloc(65536, sizeof(*seen));
	size_t n = 0;

	*out = NULL;
	if (!seen)
		return 0;
	for (size_t i = 0; i < s->nv; i++)
		seen[s->v[i].service] = true;
	for (int p = 0; p < 65536; p++)
		if (s->port_conns[p])
			seen[p] = true;
	for (int p = 0; p < 65536; p++)
		n += seen[p];
	*out = calloc(n ? n : 1, sizeof(**out));
	n = 0;
	for (int p = 0; *out && p < 65536; p++)
		if (seen[p])
			(*out)[n++] = p;
	free(seen);
	return *out ? n : 0;
}
