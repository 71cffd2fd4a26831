// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrail check's verdict (user/output/check_report.c) over a state built
 * by user/model/check_rules.c from fuzz-made ring-buffer records: ck_init
 * (a small table), ck_event for each record, ck_finish; then
 * ck_report_json, ck_report_junit and ck_report_text.
 *
 * Input, front to back (past the end reads zeros):
 *   u8 opts   bit 0 --fail-on-open; bit 1 --max-closewait (a u64 follows);
 *             bit 2 a command (argv follows); bits 3-4 the watch ("cgroup",
 *             "process tree", "host", "host"); bit 5 lost transitions (a
 *             u64 follows); bit 6 "many": the records are replayed (a u16
 *             count follows), each round as new sockets, so that more
 *             than CK_MAX_VIOLATIONS are broken; bit 7 the command's
 *             exit status (a u32)
 *   u8 key (bits 0-6 % 3; bit 7: with stop's bit 7, CMD's process tree
 *      is followed, CK_ENDS_KERNEL_TREE), u8 max_conns (1 + % 16), u8 cap
 *      (output buffer 1 + 8 *)
 *   u8 stop   bit 0 interrupted (with a command), bits 1-5 the signal (0:
 *             a failed output), bit 6 the limit was the default, bit 7
 *             the kernel lists the end (CK_ENDS_KERNEL; else the records)
 *   [u64 max_closewait_ns] [u64 lost] [u32 cmd_status]
 *   u64 elapsed_ns, grace_ns, wall_start, now_ns (ck_finish), unseen
 *   [argv: u8 argc (% 9), each a u8 length and the bytes (NULs cut it
 *    short); length 0xff: a u8 length, bytes repeated to 5000 bytes]
 *   [many: u16 rounds, 1 + % 1200]
 *   records to the end (at most 64), each: u8 sock_id (% 12; 0 has no state), u8
 *   oldstate, u8 newstate (any byte), u8 flags, u8 family (0 AF_INET, 1
 *   AF_INET6, else a u16 follows), u16 sport, u16 dport, u64 ts_ns, u64
 *   delta_ns, u32 tgid (pid too), u32 owner_tgid, saddr and daddr (4
 *   bytes each for AF_INET, else 16), comm[16], owner_comm[16] (any
 *   bytes, 0x00-0xff), u8 netns (% 4)
 *
 * With the kernel's end, the list it gives is each socket of the last
 * round in the state of its last record there (since_ns from its ts_ns
 * when delta_ns is odd), and the walk goes through the odd namespaces
 * only: the counts left in the even ones are checked against a
 * reference model of their own.
 *
 * Checked: the JSON is one strict object (RFC 8259, UTF-8, unique keys)
 * with every member as the state says, cmd decoding to each argument
 * (cut at 4096 bytes, bad UTF-8 as U+FFFD), each violation's comm the
 * same way and its endpoints as inet_ntop writes them, the ports
 * ascending and each the connections counted for it. The JUnit is
 * well-formed XML by this file's own checker for the subset used (the
 * declaration, elements, attributes in double quotes, character data,
 * the five predefined entities only, printable ASCII and '\n' only,
 * balanced tags, one root), tests and failures equal to the testcase
 * and failure elements and to what the state implies, each failure's
 * count that of its (rule, port), the command property decoding back to
 * the arguments. The text is printable ASCII and '\n' only, its summary
 * line exact, one line per listed violation with the comm unescaped
 * back byte for byte, and the notes where they belong.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "fuzz_common.h"
#include "output/check_report.h"
#include "model/tcp_state.h"

enum {
	OPT_OPEN = 1 << 0,
	OPT_MAXCW = 1 << 1,
	OPT_CMD = 1 << 2,
	OPT_LOST = 1 << 5,
	OPT_MANY = 1 << 6,
	OPT_STATUS = 1 << 7,
};

#define MAX_ARGS 8
#define MAX_RECORDS 64
#define ARG_CUT 4096 /* what the report shows of an argument */

static const char *const watches[4] = { "cgroup", "process tree", "host",
					"host" };
static const char *const rules[CK_RULES] = { "max_closewait", "leak", "open" };
/* this file's own table of state names */
static const char *const names[14] = {
	"UNKNOWN",	"ESTABLISHED",	  "SYN_SENT",  "SYN_RECV",
	"FIN_WAIT1",	"FIN_WAIT2",	  "TIME_WAIT", "CLOSE",
	"CLOSE_WAIT",	"LAST_ACK",	  "LISTEN",    "CLOSING",
	"NEW_SYN_RECV", "BOUND_INACTIVE",
};

static const char *state_name(unsigned int st)
{
	return st >= 1 && st <= 13 ? names[st] : "UNKNOWN";
}

struct run {
	struct ck_state s;
	struct ck_report r;
	char *argv[MAX_ARGS + 1];
	int argc;
	__u32 ports[65536]; /* what the report must list, ascending */
	size_t nports;
	__u8 opts;
	size_t cap;
};

static char *read_arg(struct fuzz_in *in)
{
	__u8 len = fuzz_u8(in);
	char *s, *piece;
	size_t n;

	if (len != 0xff) {
		n = len <= in->n ? len : in->n;
		s = fuzz_strndup(in->p, n);
		if (n) {
			in->p += n;
			in->n -= n;
		}
		return s;
	}
	piece = fuzz_str(in, false);
	n = strlen(piece);
	s = malloc(5001);
	FUZZ_CHECK(s, "out of memory");
	for (size_t i = 0; i < 5000; i++)
		s[i] = n ? piece[i % n] : 'a';
	s[5000] = '\0';
	free(piece);
	return s;
}

static void read_event(struct fuzz_in *in, struct tt_event *e)
{
	__u8 fam;

	memset(e, 0, sizeof(*e));
	e->sock_id = fuzz_u8(in) % 12;
	e->oldstate = fuzz_u8(in);
	e->newstate = fuzz_u8(in);
	e->flags = fuzz_u8(in);
	fam = fuzz_u8(in);
	e->family = fam == 0 ? AF_INET : fam == 1 ? AF_INET6 : fuzz_u16(in);
	e->sport = fuzz_u16(in);
	e->dport = fuzz_u16(in);
	e->ts_ns = fuzz_u64(in);
	e->delta_ns = fuzz_u64(in);
	/*
	 * As the kernel: the old state when timed; untimed, a first sight
	 * (0, even ts_ns: the seeds') or a step unseen (another state).
	 */
	e->seen_state = 0;
	if (e->delta_ns != TT_DELTA_UNKNOWN)
		e->seen_state = e->oldstate;
	else if ((e->ts_ns & 1) && (e->ts_ns >> 1) % 13 != e->oldstate)
		e->seen_state = (e->ts_ns >> 1) % 13;
	e->tgid = e->pid = fuzz_u32(in);
	e->owner_tgid = fuzz_u32(in);
	fuzz_bytes(in, e->saddr, e->family == AF_INET ? 4 : 16);
	fuzz_bytes(in, e->daddr, e->family == AF_INET ? 4 : 16);
	fuzz_bytes(in, e->comm, TT_COMM_LEN);
	fuzz_bytes(in, e->owner_comm, TT_COMM_LEN);
	e->netns = fuzz_u8(in) & 3;
}

/* an event's socket as iter/tcp would list it after that event */
static void kernel_rec(struct tt_sock_rec *r, const struct tt_event *e)
{
	memset(r, 0, sizeof(*r));
	r->sock_id = e->sock_id;
	r->since_ns = e->delta_ns & 1 ? e->ts_ns : 0;
	r->owner_tgid = e->owner_tgid;
	r->netns = e->netns;
	memcpy(r->saddr, e->saddr, TT_ADDR_LEN);
	memcpy(r->daddr, e->daddr, TT_ADDR_LEN);
	r->sport = e->sport;
	r->dport = e->dport;
	r->family = e->family;
	r->state = e->newstate;
	r->flags = e->flags;
	memcpy(r->owner_comm, e->owner_comm, TT_COMM_LEN);
	r->cgroup_id = e->cgroup_id;
}

/* the walk went through the odd namespaces */
static bool odd_walked(void *ctx, __u32 netns)
{
	(void)ctx;
	return netns & 1;
}

/* each socket's last record, in the last round */
static int last_of(const struct tt_event *ev, size_t nev, __u64 id)
{
	int last = -1;

	for (size_t i = 0; i < nev; i++)
		if (ev[i].sock_id == id)
			last = i;
	return last;
}

/* the kernel's list at the end: each socket once, as iter/tcp lists it */
static void kernel_end(struct run *x, const struct tt_event *ev, size_t nev,
		       size_t rounds, __u64 now)
{
	for (__u64 id = 1; id < 12; id++) {
		struct tt_sock_rec rec;
		int i = last_of(ev, nev, id);

		/* iter/tcp lists no socket in CLOSE: it is gone */
		if (i < 0 || ev[i].newstate == TCP_CLOSE)
			continue;
		kernel_rec(&rec, &ev[i]);
		rec.sock_id = id + (rounds - 1) * 12;
		ck_finish_sock(&x->s, &rec, now);
	}
}

static bool ref_open(__u8 st)
{
	return st != TCP_CLOSE && st != TCP_LISTEN && st != TCP_CLOSE_WAIT;
}

/*
 * The counts of what the walk could not name, the plain way: per
 * namespace, entered minus left (a state left counts if the tracer saw
 * it entered: seen_state), less what the list found there, in the
 * namespaces not walked. Following a process tree, the list finds only
 * the sockets kept as CMD's: all of them here, unless the table was full.
 */
static void check_not_found(const struct run *x, const struct tt_event *ev,
			    size_t nev, size_t rounds, enum ck_ends ends)
{
	__s64 cw[4] = { 0 }, open[4] = { 0 };
	__u64 want_cw = 0, want_open = 0;
	bool fo = x->s.rules.fail_on_open;

	for (size_t r = 0; ends != CK_ENDS_RECORDS && r < rounds; r++) {
		for (size_t i = 0; i < nev; i++) {
			const struct tt_event *e = &ev[i];
			__u8 seen = e->seen_state;

			if (!e->sock_id)
				continue;
			cw[e->netns] += (e->newstate == TCP_CLOSE_WAIT) -
					(seen == TCP_CLOSE_WAIT);
			if (fo)
				open[e->netns] += ref_open(e->newstate) -
						  (seen && ref_open(seen));
		}
	}
	for (__u64 id = 1; ends != CK_ENDS_RECORDS && id < 12; id++) {
		int i = last_of(ev, nev, id);
		__u8 st = i < 0 ? TCP_CLOSE : ev[i].newstate;

		if (i < 0 || st == TCP_CLOSE || (ev[i].netns & 1))
			continue;
		/* found in a namespace not walked whole: taken off */
		if (st == TCP_CLOSE_WAIT && cw[ev[i].netns] > 0)
			cw[ev[i].netns]--;
		else if (st != TCP_CLOSE_WAIT && fo && ref_open(st) &&
			 open[ev[i].netns] > 0)
			open[ev[i].netns]--;
	}
	for (int ns = 0; ns < 4; ns += 2) {
		want_cw += cw[ns] > 0 ? cw[ns] : 0;
		want_open += open[ns] > 0 ? open[ns] : 0;
	}
	if (ends == CK_ENDS_KERNEL_TREE && x->s.dropped)
		return;
	FUZZ_CHECK(x->s.leaks_not_found == want_cw &&
			   x->s.open_not_found == want_open,
		   "not found: %llu leaks and %llu open, want %llu and %llu",
		   (unsigned long long)x->s.leaks_not_found,
		   (unsigned long long)x->s.open_not_found,
		   (unsigned long long)want_cw, (unsigned long long)want_open);
}

/* the ports a report lists: with a connection or a violation */
static size_t report_ports(const struct ck_state *s, __u32 *ports)
{
	static bool seen[65536];
	size_t n = 0;

	for (size_t i = 0; i < s->nv; i++)
		seen[s->v[i].service] = true;
	for (__u32 p = 0; p < 65536; p++) {
		if (seen[p] || s->port_conns[p])
			ports[n++] = p;
		seen[p] = false;
	}
	return n;
}

/* the violations listed for (rule, port) */
static size_t listed(const struct ck_state *s, int rule, __u32 port)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nv; i++)
		n += (int)s->v[i].rule == rule && s->v[i].service == port;
	return n;
}

static void build(struct fuzz_in *in, struct run *x)
{
	static struct tt_event ev[MAX_RECORDS];
	struct ck_rules rules = { 0 };
	size_t nev = 0, rounds = 1;
	__u64 now;
	__u8 key, conns, stop;
	bool tree;
	enum ck_ends ends;

	memset(x, 0, sizeof(*x));
	x->opts = fuzz_u8(in);
	key = fuzz_u8(in);
	tree = key >> 7;
	key = (key & 0x7f) % 3;
	conns = fuzz_u8(in);
	x->cap = 1 + fuzz_u8(in) * 8;
	stop = fuzz_u8(in);
	rules.fail_on_open = x->opts & OPT_OPEN;
	rules.key = key;
	if (x->opts & OPT_MAXCW)
		rules.max_closewait_ns = fuzz_u64(in) | 1;
	x->r.lost = x->opts & OPT_LOST ? fuzz_u64(in) | 1 : 0;
	x->r.cmd_status = x->opts & OPT_STATUS ? (int)fuzz_u32(in) : -1;
	x->r.elapsed_ns = fuzz_u64(in);
	x->r.grace_ns = fuzz_u64(in);
	x->r.wall_start = fuzz_u64(in);
	now = fuzz_u64(in);
	x->r.unseen = fuzz_u64(in);
	x->r.watch = watches[x->opts >> 3 & 3];
	if (x->opts & OPT_CMD) {
		x->argc = fuzz_u8(in) % (MAX_ARGS + 1);
		for (int i = 0; i < x->argc; i++)
			x->argv[i] = read_arg(in);
		x->r.cmd = x->argv;
		x->r.interrupted = stop & 1;
		x->r.interrupted_by = stop >> 1 & 31;
	}
	x->r.max_closewait_default = stop >> 6 & 1;
	if (x->opts & OPT_MANY)
		rounds = 1 + fuzz_u16(in) % 1200;
	while (in->n && nev < MAX_RECORDS)
		read_event(in, &ev[nev++]);
	ends = !(stop >> 7) ? CK_ENDS_RECORDS :
	       tree	    ? CK_ENDS_KERNEL_TREE :
			      CK_ENDS_KERNEL;
	FUZZ_CHECK(!ck_init(&x->s, &rules, 1 + conns % 16, ends), "ck_init");
	x->r.s = &x->s;
	/* a long run: the same connections again and again */
	for (size_t round = 0; round < rounds; round++) {
		for (size_t i = 0; i < nev; i++) {
			struct tt_event e = ev[i];

			if (e.sock_id)
				e.sock_id += round * 12;
			ck_event(&x->s, &e);
		}
	}
	if (ends != CK_ENDS_RECORDS)
		kernel_end(x, ev, nev, rounds, now);
	ck_finish(&x->s, now, odd_walked, NULL);
	check_not_found(x, ev, nev, rounds, ends);
	x->nports = report_ports(&x->s, x->ports);
}

static void free_run(struct run *x)
{
	ck_free(&x->s);
	for (int i = 0; i < x->argc; i++)
		free(x->argv[i]);
}

/* ---- helpers shared by the checks ---- */

static bool failed(const struct run *x)
{
	return x->s.broken[0] || x->s.broken[1] || x->s.broken[2] || x->r.lost;
}

static bool cmd_failed(const struct run *x)
{
	return x->r.cmd && x->r.cmd_status > 0;
}

static const char *verdict(const struct run *x)
{
	if (x->r.interrupted)
		return "interrupted";
	return failed(x) || cmd_failed(x) ? "fail" : "pass";
}

/* this file's own words for a signal: "SIGTERM", else "signal N" */
static const char *sig_name(int sig)
{
	static char buf[32];
	const char *a = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (a)
		snprintf(buf, sizeof(buf), "SIG%s", a);
	else
		snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

static const char *cmd_words(int status)
{
	static char buf[64];

	if (status > 128)
		snprintf(buf, sizeof(buf), "command killed by %s",
			 sig_name(status - 128));
	else
		snprintf(buf, sizeof(buf), "command exited %d", status);
	return buf;
}

static bool rule_on(const struct run *x, int rule)
{
	return rule == CK_LEAK ||
	       (rule == CK_OPEN && x->s.rules.fail_on_open) ||
	       (rule == CK_MAX_CLOSEWAIT && x->s.rules.max_closewait_ns);
}

/* the address as inet_ntop writes it, "?" for other families */
static void addr_str(char *buf, size_t len, __u16 family, const __u8 *a)
{
	if (family == AF_INET)
		snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else if (family == AF_INET6)
		FUZZ_CHECK(inet_ntop(AF_INET6, a, buf, len), "inet_ntop");
	else
		snprintf(buf, len, "?");
}

static void ms_str(char *buf, size_t len, __u64 ns)
{
	snprintf(buf, len, "%llu.%06llu", (unsigned long long)(ns / 1000000),
		 (unsigned long long)(ns % 1000000));
}

/* ---- JSON ---- */

static const struct json_member *need(const struct json_doc *d, const char *key)
{
	const struct json_member *m = json_get(d, key);

	FUZZ_CHECK(m, "no \"%s\"", key);
	return m;
}

static void need_raw(const struct json_doc *d, const char *key,
		     const char *want)
{
	const struct json_member *m = need(d, key);

	FUZZ_CHECK(
		m->val_len == strlen(want) && !memcmp(m->val, want, m->val_len),
		"\"%s\" is %.*s, want %s", key, (int)m->val_len, m->val, want);
}

static void need_u64(const struct json_doc *d, const char *key, __u64 v)
{
	FUZZ_CHECK(json_u64_is(need(d, key), v), "\"%s\" is not %llu", key,
		   (unsigned long long)v);
}

static void need_ms(const struct json_doc *d, const char *key, __u64 ns)
{
	char want[32];

	ms_str(want, sizeof(want), ns);
	need_raw(d, key, want);
}

static void need_qstr(const struct json_doc *d, const char *key, const char *s)
{
	char want[64];

	snprintf(want, sizeof(want), "\"%s\"", s);
	need_raw(d, key, want);
}

/* a JSON string literal decodes to the bytes s[0..max) as json_quote
 * must show them: cut at the first NUL, bad UTF-8 as U+FFFD */
static void need_decoded(const char *lit, size_t len, const char *s, size_t max)
{
	static char want[3 * ARG_CUT], got[3 * ARG_CUT];
	size_t n = strnlen(s, max), wl = utf8_repair(want, (const __u8 *)s, n);
	long gl = json_decode_string(lit, len, got, sizeof(got));

	FUZZ_CHECK(gl >= 0 && (size_t)gl == wl && !memcmp(got, want, wl),
		   "string %.*s does not decode to %zu bytes of the input",
		   (int)(len < 200 ? len : 200), lit, wl);
}

static void check_json_violation(const struct ck_violation *v, const char *s,
				 size_t n)
{
	const struct json_member *m;
	struct json_doc d;
	const char *err = json_parse_object(s, n, &d);
	char a[64];

	/* a leak also names who holds it now: none in these inputs */
	FUZZ_CHECK(!err && d.n == (v->rule == CK_LEAK ? 15u : 13u),
		   "violation (%s, %zu members): %.*s", err ?: "ok", d.n,
		   (int)n, s);
	if (v->rule == CK_LEAK) {
		need_raw(&d, "queued", "false");
		need_raw(&d, "holders", "[]");
	}
	need_qstr(&d, "rule", v->rule < CK_RULES ? rules[v->rule] : "?");
	/* no cgroup names here (ck_report.cg NULL): the id alone */
	if (v->cgroup_id)
		need_u64(&d, "cgroup_id", v->cgroup_id);
	else
		need_raw(&d, "cgroup_id", "null");
	need_raw(&d, "cgroup", "null");
	need_u64(&d, "port", v->service);
	if (v->pid) {
		need_u64(&d, "owner_pid", v->pid);
		m = need(&d, "owner_comm");
		FUZZ_CHECK(m->is_string, "owner_comm not a string");
		need_decoded(m->val, m->val_len, v->comm, TT_COMM_LEN);
	} else {
		need_raw(&d, "owner_pid", "null");
		need_raw(&d, "owner_comm", "null");
	}
	addr_str(a, sizeof(a), v->family, v->laddr);
	need_qstr(&d, "laddr", a);
	need_u64(&d, "lport", v->lport);
	addr_str(a, sizeof(a), v->family, v->raddr);
	need_qstr(&d, "raddr", a);
	need_u64(&d, "rport", v->rport);
	need_qstr(&d, "state", state_name(v->state));
	need_ms(&d, "duration_ms", v->ns);
	need_raw(&d, "duration_at_least", v->at_least ? "true" : "false");
}

static void check_json(const struct run *x, const char *out, size_t len,
		       size_t *cw_ports)
{
	const struct ck_state *s = &x->s;
	const struct json_member *m;
	struct json_doc d, b;
	const char *err, *elem;
	size_t pos = 0, elen, i = 0;
	const __u32 *ports = x->ports;
	size_t nports = x->nports;
	__u64 last = 0;

	FUZZ_CHECK(len && out[len - 1] == '\n' &&
			   memchr(out, '\n', len) == out + len - 1,
		   "the JSON is not one line");
	err = json_parse_object(out, len, &d);
	FUZZ_CHECK(!err, "not strict JSON (%s): %.*s", err,
		   (int)(len < 2000 ? len : 2000), out);
	FUZZ_CHECK(d.n == 22, "%zu members", d.n);
	need_qstr(&d, "result", verdict(x));
	if (x->r.interrupted && x->r.interrupted_by)
		need_qstr(&d, "interrupted_by", sig_name(x->r.interrupted_by));
	else
		need_raw(&d, "interrupted_by", "null");
	need_raw(&d, "max_closewait_default",
		 x->r.max_closewait_default ? "true" : "false");
	m = need(&d, "cmd");
	if (!x->r.cmd) {
		need_raw(&d, "cmd", "null");
	} else {
		int k = 0;

		while (json_array_next(m->val, m->val_len, &pos, &elem,
				       &elen)) {
			FUZZ_CHECK(k < x->argc && *elem == '"',
				   "cmd: more than %d strings", x->argc);
			need_decoded(elem, elen, x->argv[k++], ARG_CUT);
		}
		FUZZ_CHECK(k == x->argc && *m->val == '[',
			   "cmd: %d of %d arguments", k, x->argc);
	}
	if (x->r.cmd && x->r.cmd_status >= 0)
		need_u64(&d, "cmd_exit", x->r.cmd_status);
	else
		need_raw(&d, "cmd_exit", "null");
	need_qstr(&d, "watch", x->r.watch);
	need_ms(&d, "duration_ms", x->r.elapsed_ns);
	need_ms(&d, "grace_ms", x->r.grace_ns);
	if (s->rules.max_closewait_ns)
		need_ms(&d, "max_closewait_ms", s->rules.max_closewait_ns);
	else
		need_raw(&d, "max_closewait_ms", "null");
	need_raw(&d, "fail_on_open", s->rules.fail_on_open ? "true" : "false");
	need_u64(&d, "lost", x->r.lost);
	need_u64(&d, "unseen", x->r.unseen);
	need_u64(&d, "untracked", s->dropped);
	need_u64(&d, "leaks_not_found", s->leaks_not_found);
	need_u64(&d, "open_not_found", s->open_not_found);
	need_u64(&d, "connections", s->connections);
	need_u64(&d, "closewait_episodes", s->episodes);
	need_u64(&d, "closewait_predating", s->predating);
	need_u64(&d, "closewait_untimed", s->untimed);
	m = need(&d, "broken");
	err = json_parse_object(m->val, m->val_len, &b);
	FUZZ_CHECK(!err && b.n == CK_RULES, "broken: %.*s", (int)m->val_len,
		   m->val);
	for (int r = 0; r < CK_RULES; r++)
		need_u64(&b, rules[r], s->broken[r]);

	m = need(&d, "violations");
	pos = 0;
	while (json_array_next(m->val, m->val_len, &pos, &elem, &elen)) {
		FUZZ_CHECK(i < s->nv, "more than %zu violations", s->nv);
		check_json_violation(&s->v[i++], elem, elen);
	}
	FUZZ_CHECK(i == s->nv, "%zu violations, want %zu", i, s->nv);

	m = need(&d, "ports");
	pos = 0;
	i = 0;
	*cw_ports = 0;
	while (json_array_next(m->val, m->val_len, &pos, &elem, &elen)) {
		const struct json_member *eps;
		struct json_doc p;
		uint64_t port, n;

		err = json_parse_object(elem, elen, &p);
		FUZZ_CHECK(!err && p.n == 6, "port: %.*s", (int)elen, elem);
		FUZZ_CHECK(i < nports, "more than %zu ports", nports);
		need_u64(&p, "port", ports[i]);
		dec_u64(need(&p, "port")->val, need(&p, "port")->val_len,
			&port);
		FUZZ_CHECK(!i || port > last, "ports not ascending");
		last = port;
		need_u64(&p, "connections", s->port_conns[ports[i]]);
		eps = need(&p, "closewait_episodes");
		FUZZ_CHECK(dec_u64(eps->val, eps->val_len, &n),
			   "closewait_episodes: %.*s", (int)elen, elem);
		*cw_ports += n != 0;
		if (!n) {
			need_raw(&p, "p50_ms", "null");
			need_raw(&p, "p99_ms", "null");
			need_raw(&p, "max_ms", "null");
		}
		i++;
	}
	FUZZ_CHECK(i == nports, "%zu ports, want %zu", i, nports);
}

/* ---- JUnit: a checker for the XML subset it uses ---- */

struct xml {
	const char *p, *end;
	char stack[8][32];
	int depth;
	bool root_done;
	/* what the checks need */
	size_t testcases, failures_seen, errors_seen, suites;
	__u64 tests_attr[2], failures_attr[2], errors_attr[2];
	bool in_failure, tc_failed, tc_errored, tc_cmd;
	size_t failure_lines;
	int tc_rule;
	long tc_port;
	__u64 tc_bad;
	bool tc_unwalked; /* "namespaces not walked": a count, no lines */
	char *command;
	bool command_seen;
	bool truncated; /* more broken than listed */
	bool interrupted; /* the report's */
};

struct attr {
	char name[32];
	char *val; /* decoded, malloc'ed */
};

#define MAX_ATTRS 8

static bool xml_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':';
}

static bool xml_name_char(char c)
{
	return xml_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

static size_t xml_name(struct xml *x, char *buf, size_t cap)
{
	size_t n = 0;

	FUZZ_CHECK(x->p < x->end && xml_name_start(*x->p),
		   "XML: a name expected at '%.20s'", x->p);
	while (x->p + n < x->end && xml_name_char(x->p[n]))
		n++;
	FUZZ_CHECK(n < cap, "XML: a name too long");
	memcpy(buf, x->p, n);
	buf[n] = '\0';
	x->p += n;
	return n;
}

/* one of the five entities at x->p ('&'); its character */
static char xml_entity(struct xml *x)
{
	static const struct {
		const char *e;
		char c;
	} ents[] = { { "&amp;", '&' },
		     { "&lt;", '<' },
		     { "&gt;", '>' },
		     { "&quot;", '"' },
		     { "&apos;", '\'' } };

	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		size_t l = strlen(ents[i].e);

		if ((size_t)(x->end - x->p) >= l &&
		    !memcmp(x->p, ents[i].e, l)) {
			x->p += l;
			return ents[i].c;
		}
	}
	FUZZ_CHECK(0, "XML: a bad entity at '%.12s'", x->p);
}

static bool xml_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* a quoted attribute value at x->p, decoded */
static char *xml_attr_value(struct xml *x)
{
	char *v = malloc(x->end - x->p + 1);
	size_t n = 0;

	FUZZ_CHECK(v, "out of memory");
	FUZZ_CHECK(x->p < x->end && *x->p == '"',
		   "XML: an attribute value not in double quotes");
	x->p++;
	for (;;) {
		FUZZ_CHECK(x->p < x->end, "XML: an unterminated value");
		if (*x->p == '"')
			break;
		FUZZ_CHECK(*x->p != '<' && *x->p != '\n',
			   "XML: a raw '<' or newline in a value");
		if (*x->p == '&')
			v[n++] = xml_entity(x);
		else
			v[n++] = *x->p++;
	}
	x->p++;
	v[n] = '\0';
	return v;
}

static const char *attr(const struct attr *a, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return a[i].val;
	return NULL;
}

static __u64 attr_u64(const struct attr *a, int n, const char *name)
{
	const char *v = attr(a, n, name);
	uint64_t u;

	FUZZ_CHECK(v && dec_u64(v, strlen(v), &u), "XML: %s is no number",
		   name);
	return u;
}

#define UNWALKED "namespaces not walked: "

/* counted in a namespace the kernel's list did not walk: not listed */
static __u64 not_found(const struct ck_state *s)
{
	return s->leaks_not_found + s->open_not_found;
}

/* "port 80: ..." or "all ports: ..." */
static long tc_port(const char *name)
{
	uint64_t p;
	size_t n;

	if (!strncmp(name, "all ports: ", 11))
		return -1;
	FUZZ_CHECK(!strncmp(name, "port ", 5), "testcase name '%s'", name);
	n = strcspn(name + 5, ":");
	FUZZ_CHECK(dec_u64(name + 5, n, &p) && p < 65536, "testcase name '%s'",
		   name);
	return p;
}

static void xml_start(struct xml *x, const char *el, const struct attr *a,
		      int n, bool empty, const struct run *r)
{
	const char *parent = x->depth ? x->stack[x->depth - 1] : "";

	if (!strcmp(el, "testsuites") || !strcmp(el, "testsuite")) {
		int k = el[9] == 's' ? 0 : 1;

		FUZZ_CHECK(!strcmp(parent, k ? "testsuites" : ""),
			   "XML: <%s> in <%s>", el, parent);
		x->tests_attr[k] = attr_u64(a, n, "tests");
		x->failures_attr[k] = attr_u64(a, n, "failures");
		x->errors_attr[k] = attr_u64(a, n, "errors");
		x->suites++;
	} else if (!strcmp(el, "property")) {
		const char *name = attr(a, n, "name"),
			   *val = attr(a, n, "value");

		FUZZ_CHECK(name && val && !strcmp(parent, "properties"),
			   "XML: a bad property");
		if (!strcmp(name, "command")) {
			x->command = strdup(val);
			x->command_seen = true;
		} else {
			FUZZ_CHECK(!strcmp(name, "watch") &&
					   !strcmp(val, r->r.watch),
				   "XML: property %s=%s", name, val);
		}
	} else if (!strcmp(el, "testcase")) {
		const char *cls = attr(a, n, "classname"),
			   *name = attr(a, n, "name");

		FUZZ_CHECK(cls && name && !strcmp(parent, "testsuite") &&
				   !strncmp(cls, "tcptrail.", 9),
			   "XML: a bad testcase");
		x->testcases++;
		x->tc_failed = x->tc_errored = x->tc_cmd = false;
		x->tc_rule = -1;
		for (int k = 0; k < CK_RULES; k++)
			if (!strcmp(cls + 9, rules[k]))
				x->tc_rule = k;
		x->tc_unwalked = x->tc_rule >= 0 &&
				 !strncmp(name, UNWALKED, strlen(UNWALKED));
		if (x->tc_unwalked) {
			x->tc_bad =
				x->tc_rule == CK_LEAK ? r->s.leaks_not_found :
				x->tc_rule == CK_OPEN ? r->s.open_not_found :
							0;
			FUZZ_CHECK(x->tc_bad, "XML: '%s' for none", name);
		} else if (x->tc_rule >= 0) {
			x->tc_port = tc_port(name);
			x->tc_bad = x->tc_port < 0 ? 0 :
						     listed(&r->s, x->tc_rule,
							    x->tc_port);
		} else if (!strcmp(cls, "tcptrail.command")) {
			FUZZ_CHECK(r->r.cmd, "XML: a command testcase, no "
					     "command");
			x->tc_cmd = true;
			x->tc_bad = !r->r.interrupted && cmd_failed(r);
		} else {
			FUZZ_CHECK(!strcmp(cls, "tcptrail.events"),
				   "XML: testcase class %s", cls);
			x->tc_bad = r->r.lost != 0;
		}
		if (empty)
			FUZZ_CHECK(!x->tc_bad, "XML: no failure for %s %s", cls,
				   name);
	} else if (!strcmp(el, "failure")) {
		const char *msg = attr(a, n, "message");
		char want[128];

		FUZZ_CHECK(!strcmp(parent, "testcase") && !x->tc_failed && msg,
			   "XML: a bad failure");
		x->tc_failed = true;
		x->failures_seen++;
		FUZZ_CHECK(x->tc_bad, "XML: a failure where none is due");
		snprintf(want, sizeof(want), "%llu connection%s broke it",
			 (unsigned long long)x->tc_bad,
			 x->tc_bad == 1 ? "" : "s");
		if (x->tc_unwalked)
			snprintf(want, sizeof(want),
				 "%llu socket%s seen %s, in no network "
				 "namespace walked",
				 (unsigned long long)x->tc_bad,
				 x->tc_bad == 1 ? "" : "s",
				 x->tc_rule == CK_LEAK ?
					 "entering CLOSE_WAIT and not leaving" :
					 "opening and not closing");
		/* past CK_MAX_VIOLATIONS the count per port is not known */
		if (x->tc_rule >= 0 && (!x->truncated || x->tc_unwalked))
			FUZZ_CHECK(!strcmp(msg, want),
				   "XML: message '%s', want "
				   "'%s'",
				   msg, want);
		else if (x->tc_cmd)
			FUZZ_CHECK(!strcmp(msg, cmd_words(r->r.cmd_status)),
				   "XML: command message '%s'", msg);
		else if (x->tc_rule >= 0)
			FUZZ_CHECK(strlen(msg) > 9 &&
					   !strcmp(msg + strlen(msg) - 9,
						   " broke it"),
				   "XML: message '%s'", msg);
		x->in_failure = !empty;
		x->failure_lines = 0;
	} else if (!strcmp(el, "error")) {
		const char *msg = attr(a, n, "message");
		char want[96];

		FUZZ_CHECK(!strcmp(parent, "testcase") && x->tc_cmd && empty &&
				   r->r.interrupted && msg && !x->tc_errored,
			   "XML: an error where none is due");
		snprintf(want, sizeof(want),
			 "interrupted by %s before the command ended",
			 r->r.interrupted_by ? sig_name(r->r.interrupted_by) :
					       "a failed output");
		FUZZ_CHECK(!strcmp(msg, want), "XML: error '%s', want '%s'",
			   msg, want);
		x->tc_errored = true;
		x->errors_seen++;
	} else {
		FUZZ_CHECK(!strcmp(el, "properties") &&
				   !strcmp(parent, "testsuite"),
			   "XML: an unexpected <%s> in <%s>", el, parent);
	}
}

static void xml_end(struct xml *x, const char *el)
{
	if (!strcmp(el, "testcase")) {
		FUZZ_CHECK(x->tc_failed == (x->tc_bad != 0),
			   "XML: a testcase failed %d, want %d", x->tc_failed,
			   x->tc_bad != 0);
		FUZZ_CHECK(x->tc_errored == (x->tc_cmd && x->interrupted),
			   "XML: a testcase errored %d", x->tc_errored);
	}
	if (!strcmp(el, "failure") && x->in_failure) {
		FUZZ_CHECK(x->tc_rule < 0 || x->failure_lines == x->tc_bad,
			   "XML: %zu lines in a failure for %llu connections",
			   x->failure_lines, (unsigned long long)x->tc_bad);
		x->in_failure = false;
	}
}

static void xml_element(struct xml *x, const struct run *r)
{
	struct attr a[MAX_ATTRS];
	char el[32];
	int n = 0;
	bool empty = false;

	x->p++; /* '<' */
	if (x->p < x->end && *x->p == '/') {
		x->p++;
		xml_name(x, el, sizeof(el));
		while (x->p < x->end && xml_ws(*x->p))
			x->p++;
		FUZZ_CHECK(x->p < x->end && *x->p == '>', "XML: bad end tag");
		x->p++;
		FUZZ_CHECK(x->depth && !strcmp(x->stack[x->depth - 1], el),
			   "XML: </%s> closes %s", el,
			   x->depth ? x->stack[x->depth - 1] : "nothing");
		xml_end(x, el);
		if (!--x->depth)
			x->root_done = true;
		return;
	}
	FUZZ_CHECK(!x->root_done, "XML: a second root element");
	xml_name(x, el, sizeof(el));
	for (;;) {
		bool ws = false;

		while (x->p < x->end && xml_ws(*x->p)) {
			x->p++;
			ws = true;
		}
		FUZZ_CHECK(x->p < x->end, "XML: an unterminated tag");
		if (*x->p == '>') {
			x->p++;
			break;
		}
		if (*x->p == '/') {
			FUZZ_CHECK(x->p + 1 < x->end && x->p[1] == '>',
				   "XML: '/' not before '>'");
			x->p += 2;
			empty = true;
			break;
		}
		FUZZ_CHECK(ws && n < MAX_ATTRS,
			   "XML: attributes run together "
			   "or too many in <%s>",
			   el);
		xml_name(x, a[n].name, sizeof(a[n].name));
		FUZZ_CHECK(x->p < x->end && *x->p == '=', "XML: no '='");
		x->p++;
		a[n].val = xml_attr_value(x);
		for (int k = 0; k < n; k++)
			FUZZ_CHECK(strcmp(a[k].name, a[n].name),
				   "XML: attribute %s twice", a[n].name);
		n++;
	}
	xml_start(x, el, a, n, empty, r);
	for (int k = 0; k < n; k++)
		free(a[k].val);
	if (empty) {
		xml_end(x, el);
		if (!x->depth)
			x->root_done = true;
		return;
	}
	FUZZ_CHECK(x->depth < 8, "XML: nested too deep");
	strcpy(x->stack[x->depth++], el);
}

/* the command property, unescaped: \\ and \xNN */
static void check_command(const struct run *r, const char *v)
{
	size_t n = 0, cap = 1;
	char *want, *got = malloc(strlen(v) + 1);

	FUZZ_CHECK(got, "out of memory");
	for (int i = 0; i < r->argc; i++)
		cap += strnlen(r->argv[i], ARG_CUT) + 1;
	want = calloc(1, cap);
	FUZZ_CHECK(want, "out of memory");
	for (int i = 0; i < r->argc; i++) {
		size_t l = strnlen(r->argv[i], ARG_CUT);

		if (i)
			want[n++] = ' ';
		memcpy(want + n, r->argv[i], l);
		n += l;
	}
	n = 0;
	for (const char *p = v; *p;) {
		unsigned int b;

		if (*p != '\\') {
			FUZZ_CHECK(*p >= 0x20 && *p < 0x7f,
				   "command: raw byte 0x%02x", (__u8)*p);
			got[n++] = *p++;
			continue;
		}
		if (p[1] == '\\') {
			got[n++] = '\\';
			p += 2;
			continue;
		}
		FUZZ_CHECK(p[1] == 'x' && sscanf(p + 2, "%2x", &b) == 1 &&
				   strspn(p + 2, "0123456789abcdef") >= 2,
			   "command: bad escape at '%.8s'", p);
		FUZZ_CHECK(b < 0x20 || b >= 0x7f,
			   "command: 0x%02x escaped needlessly", b);
		got[n++] = b;
		p += 4;
	}
	FUZZ_CHECK(n == strlen(want) && !memcmp(got, want, n),
		   "command property does not decode to the arguments");
	free(want);
	free(got);
}

static void check_junit(const struct run *r, const char *out, size_t len)
{
	static const char decl[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	const struct ck_state *s = &r->s;
	struct xml x = {
		.p = out,
		.end = out + len,
		.truncated = s->nv < s->broken[0] + s->broken[1] +
					     s->broken[2] - not_found(s),
		.interrupted = r->r.interrupted,
	};
	const __u32 *ports = r->ports;
	size_t nports = r->nports, tests = 1, fails = 0;
	size_t errors = r->r.cmd && r->r.interrupted;

	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((out[i] >= 0x20 && out[i] < 0x7f) || out[i] == '\n',
			   "JUnit: byte 0x%02x at %zu", (__u8)out[i], i);
	FUZZ_CHECK(len > sizeof(decl) && !memcmp(out, decl, sizeof(decl) - 1),
		   "JUnit: no XML declaration");
	x.p += sizeof(decl) - 1;
	while (x.p < x.end) {
		if (*x.p == '<') {
			xml_element(&x, r);
			continue;
		}
		if (!x.depth) {
			FUZZ_CHECK(xml_ws(*x.p),
				   "JUnit: text outside the root");
			x.p++;
			continue;
		}
		FUZZ_CHECK(x.end - x.p < 3 || memcmp(x.p, "]]>", 3),
			   "JUnit: ]]> in text");
		if (*x.p == '&') {
			xml_entity(&x);
			continue;
		}
		if (*x.p == '\n' && x.in_failure)
			x.failure_lines++;
		else
			FUZZ_CHECK(x.in_failure || xml_ws(*x.p),
				   "JUnit: text where none belongs: '%.20s'",
				   x.p);
		x.p++;
	}
	FUZZ_CHECK(x.root_done && !x.depth, "JUnit: unbalanced tags");
	FUZZ_CHECK(x.suites == 2, "JUnit: %zu suites", x.suites);

	/* what the state implies */
	for (int rule = 0; rule < CK_RULES; rule++) {
		if (!rule_on(r, rule))
			continue;
		for (size_t i = 0; i < (nports ? nports : 1); i++) {
			tests++;
			fails += nports && listed(s, rule, ports[i]);
		}
	}
	fails += r->r.lost != 0;
	tests += (s->leaks_not_found != 0) + (s->open_not_found != 0);
	fails += (s->leaks_not_found != 0) + (s->open_not_found != 0);
	tests += r->r.cmd != NULL;
	fails += !r->r.interrupted && cmd_failed(r);
	for (int k = 0; k < 2; k++)
		FUZZ_CHECK(x.errors_attr[k] == x.errors_seen &&
				   x.errors_seen == errors,
			   "JUnit: errors=%llu, %zu errors, want %zu",
			   (unsigned long long)x.errors_attr[k], x.errors_seen,
			   errors);
	for (int k = 0; k < 2; k++)
		FUZZ_CHECK(x.tests_attr[k] == x.testcases &&
				   x.failures_attr[k] == x.failures_seen &&
				   x.testcases == tests &&
				   x.failures_seen == fails,
			   "JUnit: tests=%llu failures=%llu, %zu testcases "
			   "and %zu failures, want %zu and %zu",
			   (unsigned long long)x.tests_attr[k],
			   (unsigned long long)x.failures_attr[k], x.testcases,
			   x.failures_seen, tests, fails);
	FUZZ_CHECK(x.command_seen, "JUnit: no command property");
	check_command(r, x.command);
	free(x.command);
}

/* ---- text ---- */

/* what follows PASS, FAIL or INTERRUPTED on the first line */
static void reasons(const struct run *r, char *buf, size_t cap)
{
	size_t n = 0;
	const char *sep = ": ";

	buf[0] = '\0';
	if (r->r.interrupted) {
		n = snprintf(buf, cap, " by %s before the command ended",
			     r->r.interrupted_by ?
				     sig_name(r->r.interrupted_by) :
				     "a failed output");
		if (r->r.cmd_status >= 0)
			snprintf(buf + n, cap - n, "; then %s",
				 cmd_words(r->r.cmd_status));
		return;
	}
	if (cmd_failed(r)) {
		n += snprintf(buf + n, cap - n, "%s%s", sep,
			      cmd_words(r->r.cmd_status));
		sep = "; ";
	}
	for (int i = 0; i < CK_RULES; i++) {
		if (!r->s.broken[i])
			continue;
		n += snprintf(buf + n, cap - n, "%s%s broken", sep, rules[i]);
		sep = "; ";
	}
	if (r->r.lost)
		snprintf(buf + n, cap - n, "%stransitions lost", sep);
}

/* "  rules: leak[ (after a T grace)], max_closewait T[ (default)]|off,
 * open on|off" */
static void check_rules_line(const struct run *r, const char *p, size_t l)
{
	const struct ck_rules *ru = &r->s.rules;
	const char *open = ru->fail_on_open ? ", open on" : ", open off";
	char line[256];

	FUZZ_CHECK(l < sizeof(line), "text: rules line too long");
	memcpy(line, p, l);
	line[l] = '\0';
	FUZZ_CHECK(!strncmp(line, "  rules: leak", 13) && l > strlen(open) &&
			   !strcmp(line + l - strlen(open), open),
		   "text: rules line '%s'", line);
	FUZZ_CHECK(!!strstr(line, " grace)") == !!r->r.cmd,
		   "text: grace in '%s'", line);
	if (!ru->max_closewait_ns)
		FUZZ_CHECK(strstr(line, ", max_closewait off, open"),
			   "text: '%s', want max_closewait off", line);
	else
		FUZZ_CHECK(!strstr(line, "max_closewait off") &&
				   !!strstr(line, " (default), open") ==
					   r->r.max_closewait_default,
			   "text: '%s': the limit or its default", line);
}

static void check_text(const struct run *r, const char *out, size_t len,
		       size_t cw_ports)
{
	const struct ck_state *s = &r->s;
	const char *p = out, *end = out + len;
	char want[512], predating[48], untimed[48], why[192];
	size_t n = 0, summary = 0, nf_lines = 0;

	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((out[i] >= 0x20 && out[i] < 0x7f) || out[i] == '\n',
			   "text: byte 0x%02x at %zu", (__u8)out[i], i);
	FUZZ_CHECK(len && out[len - 1] == '\n', "text: not ended");
	snprintf(predating, sizeof(predating), " (%llu began before tcptrail)",
		 (unsigned long long)s->predating);
	snprintf(untimed, sizeof(untimed), " (%llu untimed: a step unseen)",
		 (unsigned long long)s->untimed);
	reasons(r, why, sizeof(why));
	snprintf(want, sizeof(want),
		 "tcptrail check: %s%s (watching %s; %llu connection%s, %llu "
		 "CLOSE_WAIT episode%s%s%s, %llu transition%s lost)",
		 r->r.interrupted	     ? "INTERRUPTED" :
		 !strcmp(verdict(r), "fail") ? "FAIL" :
					       "PASS",
		 why, r->r.watch, (unsigned long long)s->connections,
		 s->connections == 1 ? "" : "s",
		 (unsigned long long)s->episodes, s->episodes == 1 ? "" : "s",
		 s->predating ? predating : "", s->untimed ? untimed : "",
		 (unsigned long long)r->r.lost, r->r.lost == 1 ? "" : "s");
	for (const char *nl; p < end; p = nl + 1, n++) {
		size_t l;

		nl = memchr(p, '\n', end - p);
		l = nl - p;
		if (!n) {
			FUZZ_CHECK(l == strlen(want) && !memcmp(p, want, l),
				   "text: '%.*s', want '%s'", (int)l, p, want);
			continue;
		}
		if (n == 1) {
			check_rules_line(r, p, l);
			continue;
		}
		if (n - 1 <= s->nv) {
			const struct ck_violation *v = &s->v[n - 2];
			char comm[TT_COMM_LEN + 1];
			const char *c, *e;
			size_t k = 0, pre;

			pre = snprintf(want, sizeof(want),
				       "  %s: port %u: ", rules[v->rule],
				       v->service);
			FUZZ_CHECK(l > pre && !memcmp(p, want, pre),
				   "text: '%.*s', want '%s...'", (int)l, p,
				   want);
			if (!v->pid)
				continue;
			pre += snprintf(want + pre, sizeof(want) - pre,
					"pid %u (", v->pid);
			FUZZ_CHECK(l > pre && !memcmp(p, want, pre),
				   "text: '%.*s', want '%s...'", (int)l, p,
				   want);
			/* a space is escaped: ") " ends the comm */
			c = p + pre;
			e = memmem(c, nl - c, ") ", 2);
			FUZZ_CHECK(e, "text: no end of comm: '%.*s'", (int)l,
				   p);
			while (c < e) {
				unsigned int b;

				FUZZ_CHECK(k < TT_COMM_LEN,
					   "text: comm too long");
				if (*c != '\\') {
					comm[k++] = *c++;
					continue;
				}
				FUZZ_CHECK(
					e - c >= 4 && c[1] == 'x' &&
						sscanf(c + 2, "%2x", &b) == 1,
					"text: bad escape '%.*s'", (int)l, p);
				comm[k++] = b;
				c += 4;
			}
			FUZZ_CHECK(k == strnlen(v->comm, TT_COMM_LEN) &&
					   !memcmp(comm, v->comm, k),
				   "text: comm not the violation's: '%.*s'",
				   (int)l, p);
			continue;
		}
		if (s->nv < s->broken[0] + s->broken[1] + s->broken[2] -
				    not_found(s) &&
		    n == s->nv + 2) {
			snprintf(want, sizeof(want),
				 "  (only the first %d are listed)",
				 CK_MAX_VIOLATIONS);
			FUZZ_CHECK(l == strlen(want) && !memcmp(p, want, l),
				   "text: '%.*s'", (int)l, p);
			continue;
		}
		if (l > 7 && !memcmp(p, "  port ", 7)) {
			summary++;
			continue;
		}
		snprintf(want, sizeof(want),
			 "  not found: %llu socket%s seen entering CLOSE_WAIT "
			 "and not leaving, in no network namespace walked: "
			 "counted as leaks",
			 (unsigned long long)s->leaks_not_found,
			 s->leaks_not_found == 1 ? "" : "s");
		if (s->leaks_not_found && l == strlen(want) &&
		    !memcmp(p, want, l)) {
			nf_lines++;
			continue;
		}
		snprintf(want, sizeof(want),
			 "  not found: %llu socket%s seen opening and not "
			 "closing, in no network namespace walked: counted as "
			 "open",
			 (unsigned long long)s->open_not_found,
			 s->open_not_found == 1 ? "" : "s");
		if (s->open_not_found && l == strlen(want) &&
		    !memcmp(p, want, l)) {
			nf_lines++;
			continue;
		}
		snprintf(want, sizeof(want),
			 "  unseen transitions: %llu missed or found missing "
			 "by the socket's next one: the verdict may be "
			 "incomplete",
			 (unsigned long long)r->r.unseen);
		if (r->r.unseen && l == strlen(want) && !memcmp(p, want, l))
			continue;
		FUZZ_CHECK(
			(r->r.lost && l > 20 &&
			 !memcmp(p, "  lost transitions: ", 20)) ||
				(s->dropped &&
				 memmem(p, l, " did not fit in the table", 25)),
			"text: unexpected line '%.*s'", (int)l, p);
	}
	FUZZ_CHECK(summary >= cw_ports, "text: %zu port summaries, JSON %zu",
		   summary, cw_ports);
	FUZZ_CHECK(nf_lines ==
			   (s->leaks_not_found != 0) + (s->open_not_found != 0),
		   "text: %zu lines of sockets not found", nf_lines);
}

static char *render(const struct run *r,
		    void (*fn)(struct out *, const struct ck_report *),
		    size_t *len)
{
	struct out o;
	char *text;

	FUZZ_CHECK(!out_init(&o, -1, r->cap), "out_init");
	fn(&o, &r->r);
	FUZZ_CHECK(!o.err, "output error %d", o.err);
	text = malloc(o.len + 1);
	FUZZ_CHECK(text, "out of memory");
	memcpy(text, o.buf, o.len);
	text[o.len] = '\0';
	*len = o.len;
	out_free(&o);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "%s", text);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct run r;
	size_t len, cw_ports;
	char *out;

	build(&in, &r);
	FUZZ_CHECK(r.s.nv <= CK_MAX_VIOLATIONS &&
			   r.s.nv <= r.s.broken[0] + r.s.broken[1] +
					     r.s.broken[2],
		   "%zu violations listed", r.s.nv);
	out = render(&r, ck_report_json, &len);
	check_json(&r, out, len, &cw_ports);
	free(out);
	out = render(&r, ck_report_junit, &len);
	check_junit(&r, out, len);
	free(out);
	out = render(&r, ck_report_text, &len);
	check_text(&r, out, len, cw_ports);
	free(out);
	free_run(&r);
	return 0;
}
