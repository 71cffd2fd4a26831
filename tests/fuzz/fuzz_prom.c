// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus exposition (prom_render) of fuzz-made aggregates.
 *
 * Input, front to back (past the end reads zeros):
 *   u8 opts     bits 0-1: attach NULL, "tp_btf", "tracepoint", NULL;
 *               bit 2 "relaxed": a histogram's count is any value
 *               rather than the sum of its slots; bit 3: a transitions
 *               matrix follows (FUZZ_DEBUG=1: the output to stderr)
 *   u8 unnamed  the one state without a name that this input may use:
 *               0, 14, 15, ... 31 (unnamed % 19)
 *   u8 cap      initial output buffer: 1 + cap * 16 bytes
 *   u8 mp       max_ports: 1 + mp % 16, or with bit 7 1 + u32 % 70000
 *   u32 sock_states, u64 lost, untimed, untracked, missed, gaps
 *   [bit 3] u8 k, k * (u8 index into the 16 x 16 matrix, u64 value)
 *   u8 nhists (% 49), each: key, u8 k (% 9), k * (u8 slot, u32 n),
 *               [relaxed: u64 count], u64 sum_ns, u64 max_ns
 *   u8 nsocks (% 49), each: key, u32 count, u64 oldest_ns
 * A key is a state byte (bits 0-4: 1..13 that state, anything else the
 * unnamed one) and a port byte (0xff TT_PORT_OTHER, bit 7: a u16 port
 * follows, else the port is the byte itself: 0..127, to collide often).
 *
 * What prom_render may assume, and the harness guarantees:
 *  - hists sorted by state then port, each key once, count != 0 unless
 *    relaxed (histmap_read's contract); without "relaxed", count is the
 *    sum of the slots, as the kernel's per-socket update keeps it (the
 *    relaxed case stands for a per-CPU value read while the kernel
 *    updates it: everything is checked then but "+Inf bucket == _count").
 *  - states with no name all render as state="unknown": two of them in
 *    one input would make duplicate series. The kernel keys hists only by
 *    states of --states (tcp_state_parse_list: 1..13) and the iterator
 *    returns only those, so an input uses at most one unnamed state, and
 *    sock_states has no bit for another unnamed state below 16.
 *  - counts small enough that no sum wraps (slots < 2^32, counts and
 *    sum_ns < 2^56).
 *
 * Checked, independently of prom.c, on the parsed exposition: the line
 * grammar (HELP, TYPE, samples, metric and label names, label value
 * escapes, values); HELP and TYPE once per family, before its samples,
 * the family's lines contiguous; no duplicate series; per histogram
 * series exactly TT_HIST_SLOTS buckets, le strictly increasing to +Inf,
 * cumulative counts non-decreasing, +Inf == _count; at most max_ports
 * port label values plus "other", and those kept are the busiest ports
 * (traffic: count + 1 per histogram or socket entry); every sample's
 * value recomputed from the input, merging the ports not kept; _count
 * per state conserved; the counters, transitions and build_info.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "output/prom.h"

#define MAX_HISTS 48
#define MAX_SOCKS 48
#define NPORTS (TT_PORT_OTHER + 1)
#define NO_STATE 0xffffffffu

enum {
	OPT_RELAXED = 1 << 2,
	OPT_TRANS = 1 << 3,
};

static bool debug;

static const char *const attach_names[4] = { NULL, "tp_btf", "tracepoint",
					     NULL };

/* this file's own table of the label values of named states */
static const char *const labels[14] = {
	NULL,		"established",	  "syn_sent",  "syn_recv",
	"fin_wait1",	"fin_wait2",	  "time_wait", "close",
	"close_wait",	"last_ack",	  "listen",    "closing",
	"new_syn_recv", "bound_inactive",
};

#define CLOSE_WAIT 8

struct input {
	struct prom_input in;
	struct hist_entry h[MAX_HISTS];
	struct prom_sockets s[MAX_SOCKS];
	__u64 trans[TT_NSTATES * TT_NSTATES];
	__u32 unnamed;
	bool relaxed;
	size_t cap;
};

static bool named(__u32 st)
{
	return st >= 1 && st <= 13;
}

static void read_key(struct fuzz_in *in, const struct input *x, __u32 *state,
		     __u32 *port)
{
	__u8 sb = fuzz_u8(in) & 31, pb = fuzz_u8(in);

	*state = named(sb) ? sb : x->unnamed;
	if (pb == 0xff)
		*port = TT_PORT_OTHER;
	else if (pb & 0x80)
		*port = fuzz_u16(in);
	else
		*port = pb;
}

static int cmp_hist(const void *pa, const void *pb)
{
	const struct hist_entry *a = pa, *b = pb;

	if (a->key.state != b->key.state)
		return a->key.state < b->key.state ? -1 : 1;
	return a->key.port < b->key.port ? -1 : a->key.port > b->key.port;
}

static void build(struct fuzz_in *in, struct input *x, __u8 opts)
{
	static const __u32 unnamed[19] = { 0,  14, 15, 16, 17, 18, 19,
					   20, 21, 22, 23, 24, 25, 26,
					   27, 28, 29, 30, 31 };
	__u8 mp, n;
	size_t nh = 0;

	memset(x, 0, sizeof(*x));
	x->relaxed = opts & OPT_RELAXED;
	x->unnamed = unnamed[fuzz_u8(in) % 19];
	x->cap = 1 + fuzz_u8(in) * 16;
	x->in.attach = attach_names[opts & 3];
	mp = fuzz_u8(in);
	x->in.max_ports = mp & 0x80 ? 1 + fuzz_u32(in) % 70000 : 1 + mp % 16;
	x->in.sock_states = fuzz_u32(in);
	/* no bit for an unnamed state other than the one in use */
	for (__u32 st = 0; st < 16; st++)
		if (!named(st) && st != x->unnamed)
			x->in.sock_states &= ~(1U << st);
	x->in.lost = fuzz_u64(in);
	x->in.untimed = fuzz_u64(in);
	x->in.untracked = fuzz_u64(in);
	x->in.missed = fuzz_u64(in);
	x->in.gaps = fuzz_u64(in);
	if (opts & OPT_TRANS) {
		n = fuzz_u8(in);
		for (int i = 0; i < n; i++) {
			__u8 idx = fuzz_u8(in);

			x->trans[idx] = fuzz_u64(in);
		}
	}
	x->in.transitions = x->trans;

	n = fuzz_u8(in) % (MAX_HISTS + 1);
	for (int i = 0; i < n; i++) {
		struct hist_entry *e = &x->h[nh];
		__u8 k;

		memset(e, 0, sizeof(*e));
		read_key(in, x, &e->key.state, &e->key.port);
		k = fuzz_u8(in) % 9;
		for (int j = 0; j < k; j++) {
			__u8 s = fuzz_u8(in) % TT_HIST_SLOTS;
			__u32 v = fuzz_u32(in);

			e->h.slots[s] += v;
			e->h.count += v;
		}
		if (x->relaxed)
			e->h.count = fuzz_u64(in) & ((1ULL << 56) - 1);
		e->h.sum_ns = fuzz_u64(in) & ((1ULL << 56) - 1);
		e->h.max_ns = fuzz_u64(in);
		/* histmap_read keeps only keys with a count */
		if (e->h.count || x->relaxed)
			nh++;
	}
	/* sorted by state then port, one entry per key */
	qsort(x->h, nh, sizeof(x->h[0]), cmp_hist);
	x->in.nhists = 0;
	for (size_t i = 0; i < nh; i++)
		if (!i || cmp_hist(&x->h[i], &x->h[x->in.nhists - 1]))
			x->h[x->in.nhists++] = x->h[i];
	x->in.hists = x->h;

	n = fuzz_u8(in) % (MAX_SOCKS + 1);
	for (int i = 0; i < n; i++) {
		struct prom_sockets *s = &x->s[i];

		read_key(in, x, &s->state, &s->port);
		s->count = fuzz_u32(in);
		s->oldest_ns = fuzz_u64(in);
	}
	x->in.nsocks = n;
	x->in.socks = x->s;
}

/* ---- the exposition, parsed by this file's own grammar ---- */

#define MAX_LABELS 4

struct label {
	char name[32];
	char val[48]; /* unescaped */
};

struct sample {
	char name[64];
	struct label l[MAX_LABELS];
	int nl;
	const char *value;
	size_t value_len;
	const char *line;
	size_t line_len;
};

struct family {
	const char *name;
	const char *type;
	bool help, typed, closed;
	size_t samples;
};

static struct family families[] = {
	{ .name = "tcptrail_state_duration_seconds", .type = "histogram" },
	{ .name = "tcptrail_transitions_total", .type = "counter" },
	{ .name = "tcptrail_sockets", .type = "gauge" },
	{ .name = "tcptrail_closewait_oldest_seconds", .type = "gauge" },
	{ .name = "tcptrail_lost_events_total", .type = "counter" },
	{ .name = "tcptrail_untimed_total", .type = "counter" },
	{ .name = "tcptrail_untracked_total", .type = "counter" },
	{ .name = "tcptrail_missed_total", .type = "counter" },
	{ .name = "tcptrail_gaps_total", .type = "counter" },
	{ .name = "tcptrail_build_info", .type = "gauge" },
};

#define NFAM (sizeof(families) / sizeof(families[0]))

static bool name_start(char c, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (colon && c == ':');
}

static bool name_char(char c, bool colon)
{
	return name_start(c, colon) || (c >= '0' && c <= '9');
}

/* a metric (colon) or label name at p: its length, 0 if none */
static size_t name_len(const char *p, const char *end, bool colon)
{
	size_t n = 0;

	if (p >= end || !name_start(*p, colon))
		return 0;
	while (p + n < end && name_char(p[n], colon))
		n++;
	return n;
}

/* [0-9]+(\.[0-9]+)? or +Inf */
static bool value_ok(const char *v, size_t n)
{
	size_t i = 0, d;

	if (n == 4 && !memcmp(v, "+Inf", 4))
		return true;
	for (d = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		d++;
	if (!d)
		return false;
	if (i == n)
		return true;
	if (v[i++] != '.')
		return false;
	for (d = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		d++;
	return d && i == n;
}

#define LINE_FAIL(l, n, ...) \
	FUZZ_CHECK(0, "%s in line '%.*s'", __VA_ARGS__, (int)(n), l)

static void parse_sample(const char *line, size_t len, struct sample *s)
{
	const char *p = line, *end = line + len;
	size_t n = name_len(p, end, true);

	memset(s, 0, sizeof(*s));
	s->line = line;
	s->line_len = len;
	if (!n || n >= sizeof(s->name))
		LINE_FAIL(line, len, "bad metric name");
	memcpy(s->name, p, n);
	p += n;
	if (p < end && *p == '{') {
		p++;
		while (p < end && *p != '}') {
			struct label *l;
			size_t o = 0;

			if (s->nl == MAX_LABELS)
				LINE_FAIL(line, len, "too many labels");
			l = &s->l[s->nl++];
			n = name_len(p, end, false);
			if (!n || n >= sizeof(l->name))
				LINE_FAIL(line, len, "bad label name");
			memcpy(l->name, p, n);
			p += n;
			if (end - p < 2 || p[0] != '=' || p[1] != '"')
				LINE_FAIL(line, len, "expected =\"");
			p += 2;
			for (;; p++) {
				char c;

				if (p >= end)
					LINE_FAIL(line, len,
						  "unterminated value");
				if (*p == '"')
					break;
				c = *p;
				if (c == '\\') {
					if (++p >= end)
						LINE_FAIL(line, len,
							  "bad escape");
					if (*p == 'n')
						c = '\n';
					else if (*p == '\\' || *p == '"')
						c = *p;
					else
						LINE_FAIL(line, len,
							  "unknown escape");
				}
				if (o + 1 >= sizeof(l->val))
					LINE_FAIL(line, len,
						  "label value longer than any "
						  "tcptrail writes");
				l->val[o++] = c;
			}
			p++; /* '"' */
			for (int k = 0; k < s->nl - 1; k++)
				if (!strcmp(s->l[k].name, l->name))
					LINE_FAIL(line, len, "label repeated");
			if (p < end && *p == ',')
				p++;
			else if (p >= end || *p != '}')
				LINE_FAIL(line, len, "expected , or }");
		}
		if (p >= end)
			LINE_FAIL(line, len, "unterminated label set");
		p++; /* '}' */
	}
	if (p >= end || *p != ' ')
		LINE_FAIL(line, len, "no space before the value");
	p++;
	s->value = p;
	s->value_len = end - p;
	if (!value_ok(p, end - p))
		LINE_FAIL(line, len, "bad value (or a timestamp)");
}

static const char *label(const struct sample *s, const char *name)
{
	for (int i = 0; i < s->nl; i++)
		if (!strcmp(s->l[i].name, name))
			return s->l[i].val;
	return NULL;
}

/* the sample has exactly these labels (NULL-terminated list) */
static void labels_are(const struct sample *s, const char *const *names)
{
	int n = 0;

	for (; names[n]; n++)
		FUZZ_CHECK(label(s, names[n]), "no label %s in '%.*s'",
			   names[n], (int)s->line_len, s->line);
	FUZZ_CHECK(s->nl == n, "extra labels in '%.*s'", (int)s->line_len,
		   s->line);
}

static bool value_is(const struct sample *s, const char *want)
{
	return s->value_len == strlen(want) &&
	       !memcmp(s->value, want, s->value_len);
}

static __u64 value_u64(const struct sample *s)
{
	uint64_t v;

	FUZZ_CHECK(dec_u64(s->value, s->value_len, &v),
		   "not an integer: '%.*s'", (int)s->line_len, s->line);
	return v;
}

/* compare two decimals [0-9]+(.[0-9]+)?, or +Inf (the greatest) */
static int dec_cmp(const char *a, const char *b)
{
	size_t ia, ib, fa, fb;
	int c;

	if (!strcmp(a, "+Inf") || !strcmp(b, "+Inf"))
		return !strcmp(a, "+Inf") - !strcmp(b, "+Inf");
	while (a[0] == '0' && a[1] >= '0' && a[1] <= '9')
		a++;
	while (b[0] == '0' && b[1] >= '0' && b[1] <= '9')
		b++;
	ia = strcspn(a, ".");
	ib = strcspn(b, ".");
	if (ia != ib)
		return ia < ib ? -1 : 1;
	c = memcmp(a, b, ia);
	if (c)
		return c < 0 ? -1 : 1;
	a += ia + (a[ia] == '.');
	b += ib + (b[ib] == '.');
	fa = strlen(a);
	fb = strlen(b);
	for (size_t i = 0; i < fa || i < fb; i++) {
		char x = i < fa ? a[i] : '0', y = i < fb ? b[i] : '0';

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* ---- what the exposition must say ---- */

struct want_hist {
	__u32 state, port; /* port TT_PORT_OTHER: "other" */
	struct tt_hist h;
	bool emitted; /* a kept port always; "other" only with a count */
	int buckets;
	char last_le[32];
	__u64 last_cum;
	bool sum, count;
};

struct want_sock {
	__u32 state, port;
	__u64 count, oldest;
	bool seen, cw_seen;
};

struct check {
	const struct input *x;
	bool *kept; /* [NPORTS]: has its own port label in the output */
	__u32 kept_list[MAX_HISTS + MAX_SOCKS];
	size_t nkept;
	__u32 ports[MAX_HISTS + MAX_SOCKS]; /* in the input, but other */
	size_t nports;
	__u64 *weight; /* [NPORTS] */
	struct want_hist wh[2 * MAX_HISTS];
	size_t nwh;
	struct want_sock ws[MAX_SOCKS + 16 * (MAX_HISTS + MAX_SOCKS)];
	size_t nws;
	size_t trans_seen;
	bool counter_seen[5], build_seen;
};

static __u32 state_of_label(const struct check *c, const char *v,
			    const struct sample *s)
{
	if (!strcmp(v, "unknown"))
		return c->x->unnamed;
	for (__u32 st = 1; st <= 13; st++)
		if (!strcmp(v, labels[st]))
			return st;
	FUZZ_CHECK(0, "unknown state label in '%.*s'", (int)s->line_len,
		   s->line);
}

static __u32 port_of_label(const char *v, const struct sample *s)
{
	uint64_t p;

	if (!strcmp(v, "other"))
		return TT_PORT_OTHER;
	FUZZ_CHECK(dec_u64(v, strlen(v), &p) && p <= 65535,
		   "bad port label in '%.*s'", (int)s->line_len, s->line);
	return p;
}

static struct want_hist *want_hist(struct check *c, __u32 state, __u32 port)
{
	for (size_t i = 0; i < c->nwh; i++)
		if (c->wh[i].state == state && c->wh[i].port == port)
			return &c->wh[i];
	return NULL;
}

static struct want_sock *want_sock(struct check *c, __u32 state, __u32 port)
{
	for (size_t i = 0; i < c->nws; i++)
		if (c->ws[i].state == state && c->ws[i].port == port)
			return &c->ws[i];
	return NULL;
}

/* the ports prom.c kept, read off the output, and whether they are right */
static void check_kept(struct check *c, const struct sample *smp, size_t n)
{
	const struct input *x = c->x;
	__u64 min_kept = UINT64_MAX;
	size_t want;
	bool other = false;

	for (size_t i = 0; i < n; i++) {
		const char *v = label(&smp[i], "port");
		__u32 p;

		if (!v)
			continue;
		p = port_of_label(v, &smp[i]);
		if (p == TT_PORT_OTHER) {
			other = true;
		} else if (!c->kept[p]) {
			FUZZ_CHECK(c->nkept < MAX_HISTS + MAX_SOCKS,
				   "more port labels than input ports");
			c->kept[p] = true;
			c->kept_list[c->nkept++] = p;
		}
	}
	FUZZ_CHECK(c->nkept + other <= (size_t)x->in.max_ports + 1,
		   "%zu port label values for max_ports %u", c->nkept + other,
		   x->in.max_ports);
	/* traffic: count + 1 per histogram or socket entry */
	for (size_t i = 0; i < x->in.nhists + x->in.nsocks; i++) {
		bool h = i < x->in.nhists;
		__u32 p = h ? x->h[i].key.port : x->s[i - x->in.nhists].port;

		if (p == TT_PORT_OTHER)
			continue;
		if (!c->weight[p])
			c->ports[c->nports++] = p;
		c->weight[p] +=
			(h ? x->h[i].h.count : x->s[i - x->in.nhists].count) +
			1;
	}
	for (size_t i = 0; i < c->nkept; i++) {
		__u32 p = c->kept_list[i];

		FUZZ_CHECK(c->weight[p],
			   "port %u has a label of its own but "
			   "no traffic",
			   p);
		if (c->weight[p] < min_kept)
			min_kept = c->weight[p];
	}
	want = c->nports < x->in.max_ports ? c->nports : x->in.max_ports;
	FUZZ_CHECK(c->nkept == want, "%zu ports kept of %zu, max_ports %u",
		   c->nkept, c->nports, x->in.max_ports);
	for (size_t i = 0; i < c->nports; i++) {
		__u32 p = c->ports[i];

		FUZZ_CHECK(c->kept[p] || c->weight[p] <= min_kept,
			   "port %u (traffic %llu) merged into other, but a "
			   "port with %llu kept",
			   p, (unsigned long long)c->weight[p],
			   (unsigned long long)min_kept);
	}
}

static void build_wants(struct check *c)
{
	const struct input *x = c->x;

	for (size_t i = 0; i < x->in.nhists; i++) {
		const struct hist_entry *e = &x->h[i];
		__u32 port = c->kept[e->key.port] ? e->key.port : TT_PORT_OTHER;
		struct want_hist *w = want_hist(c, e->key.state, port);

		if (!w) {
			w = &c->wh[c->nwh++];
			w->state = e->key.state;
			w->port = port;
		}
		for (int s = 0; s < TT_HIST_SLOTS; s++)
			w->h.slots[s] += e->h.slots[s];
		w->h.count += e->h.count;
		w->h.sum_ns += e->h.sum_ns;
		w->emitted = port != TT_PORT_OTHER || w->h.count;
	}
	for (__u32 st = 0; st < TT_NSTATES; st++) {
		if (!(x->in.sock_states & (1U << st)))
			continue;
		for (size_t i = 0; i < c->nkept; i++) {
			FUZZ_CHECK(c->nws < sizeof(c->ws) / sizeof(c->ws[0]),
				   "harness: too many gauges");
			c->ws[c->nws++] =
				(struct want_sock){ .state = st,
						    .port = c->kept_list[i] };
		}
	}
	for (size_t i = 0; i < x->in.nsocks; i++) {
		const struct prom_sockets *s = &x->s[i];
		__u32 port = c->kept[s->port] ? s->port : TT_PORT_OTHER;
		struct want_sock *w = want_sock(c, s->state, port);

		if (!w) {
			FUZZ_CHECK(c->nws < sizeof(c->ws) / sizeof(c->ws[0]),
				   "harness: too many gauges");
			w = &c->ws[c->nws++];
			*w = (struct want_sock){ .state = s->state,
						 .port = port };
		}
		w->count += s->count;
		if (s->oldest_ns > w->oldest)
			w->oldest = s->oldest_ns;
	}
}

static void fixed(char *buf, size_t len, __u64 v, __u64 div, int digits)
{
	__u64 scale = 1;

	for (int i = 0; i < digits; i++)
		scale *= 10;
	snprintf(buf, len, "%llu.%0*llu", (unsigned long long)(v / div), digits,
		 (unsigned long long)(v % div / (div / scale)));
}

static void check_hist_sample(struct check *c, const struct sample *s,
			      const char *suffix)
{
	static const char *const with_le[] = { "state", "port", "le", NULL };
	static const char *const plain[] = { "state", "port", NULL };
	__u32 state = state_of_label(c, label(s, "state") ?: "", s);
	__u32 port = port_of_label(label(s, "port") ?: "", s);
	struct want_hist *w = want_hist(c, state, port);
	char want[48];

	FUZZ_CHECK(w && w->emitted, "a series from nothing: '%.*s'",
		   (int)s->line_len, s->line);
	if (!strcmp(suffix, "_bucket")) {
		const char *le;
		__u64 cum = 0, v = value_u64(s);

		labels_are(s, with_le);
		le = label(s, "le");
		FUZZ_CHECK(!w->sum && !w->count && w->buckets < TT_HIST_SLOTS,
			   "bucket after _sum/_count or too many: '%.*s'",
			   (int)s->line_len, s->line);
		FUZZ_CHECK(!strcmp(le, "+Inf") || value_ok(le, strlen(le)),
			   "le is no number: '%.*s'", (int)s->line_len,
			   s->line);
		FUZZ_CHECK(!w->buckets || dec_cmp(w->last_le, le) < 0,
			   "le not increasing after %s: '%.*s'", w->last_le,
			   (int)s->line_len, s->line);
		FUZZ_CHECK(!w->buckets || v >= w->last_cum,
			   "buckets not cumulative: '%.*s'", (int)s->line_len,
			   s->line);
		/* the bound of slot b is 2^b us; the last has none */
		if (w->buckets == TT_HIST_SLOTS - 1)
			snprintf(want, sizeof(want), "+Inf");
		else
			fixed(want, sizeof(want), 1ULL << w->buckets, 1000000,
			      6);
		FUZZ_CHECK(!strcmp(le, want), "le=\"%s\" where %s: '%.*s'", le,
			   want, (int)s->line_len, s->line);
		for (int b = 0; b <= w->buckets; b++)
			cum += w->h.slots[b];
		FUZZ_CHECK(v == cum, "bucket %d is %llu, want %llu: '%.*s'",
			   w->buckets, (unsigned long long)v,
			   (unsigned long long)cum, (int)s->line_len, s->line);
		snprintf(w->last_le, sizeof(w->last_le), "%s", le);
		w->last_cum = v;
		w->buckets++;
		return;
	}
	labels_are(s, plain);
	FUZZ_CHECK(w->buckets == TT_HIST_SLOTS && !strcmp(w->last_le, "+Inf"),
		   "%d buckets, not ending at +Inf, before '%.*s'", w->buckets,
		   (int)s->line_len, s->line);
	if (!strcmp(suffix, "_sum")) {
		FUZZ_CHECK(!w->sum && !w->count,
			   "_sum repeated or late: '%.*s'", (int)s->line_len,
			   s->line);
		w->sum = true;
		fixed(want, sizeof(want), w->h.sum_ns, 1000000000, 9);
		FUZZ_CHECK(value_is(s, want), "_sum want %s: '%.*s'", want,
			   (int)s->line_len, s->line);
		return;
	}
	FUZZ_CHECK(!w->count, "_count repeated: '%.*s'", (int)s->line_len,
		   s->line);
	w->count = true;
	FUZZ_CHECK(value_u64(s) == w->h.count, "_count want %llu: '%.*s'",
		   (unsigned long long)w->h.count, (int)s->line_len, s->line);
	FUZZ_CHECK(c->x->relaxed || w->last_cum == w->h.count,
		   "+Inf bucket %llu != _count: '%.*s'",
		   (unsigned long long)w->last_cum, (int)s->line_len, s->line);
}

static void check_sample(struct check *c, const struct sample *s,
			 const struct family *f, const char *suffix)
{
	static const char *const from_to[] = { "from", "to", NULL };
	static const char *const state_port[] = { "state", "port", NULL };
	static const char *const port_only[] = { "port", NULL };
	static const char *const build[] = { "version", "libbpf", "attach",
					     NULL };
	static const char *const none[] = { NULL };
	const struct input *x = c->x;
	char want[48];
	int k = f - families;

	switch (k) {
	case 0:
		check_hist_sample(c, s, suffix);
		break;
	case 1: {
		__u32 from, to;

		labels_are(s, from_to);
		from = state_of_label(c, label(s, "from"), s);
		to = state_of_label(c, label(s, "to"), s);
		FUZZ_CHECK(named(from) && named(to),
			   "a transition of an unnamed state: '%.*s'",
			   (int)s->line_len, s->line);
		FUZZ_CHECK(x->trans[from * TT_NSTATES + to] &&
				   value_u64(s) ==
					   x->trans[from * TT_NSTATES + to],
			   "want %llu: '%.*s'",
			   (unsigned long long)x->trans[from * TT_NSTATES + to],
			   (int)s->line_len, s->line);
		c->trans_seen++;
		break;
	}
	case 2:
	case 3: {
		__u32 state = CLOSE_WAIT, port;
		struct want_sock *w;

		labels_are(s, k == 2 ? state_port : port_only);
		if (k == 2)
			state = state_of_label(c, label(s, "state"), s);
		port = port_of_label(label(s, "port"), s);
		w = want_sock(c, state, port);
		FUZZ_CHECK(w, "a gauge from nothing: '%.*s'", (int)s->line_len,
			   s->line);
		if (k == 2) {
			FUZZ_CHECK(!w->seen && value_u64(s) == w->count,
				   "repeated, or want %llu: '%.*s'",
				   (unsigned long long)w->count,
				   (int)s->line_len, s->line);
			w->seen = true;
		} else {
			fixed(want, sizeof(want), w->oldest, 1000000000, 6);
			FUZZ_CHECK(!w->cw_seen && value_is(s, want),
				   "repeated, or want %s: '%.*s'", want,
				   (int)s->line_len, s->line);
			w->cw_seen = true;
		}
		break;
	}
	case 4:
	case 5:
	case 6:
	case 7:
	case 8: {
		const __u64 v[5] = { x->in.lost, x->in.untimed, x->in.untracked,
				     x->in.missed, x->in.gaps };

		labels_are(s, none);
		FUZZ_CHECK(!c->counter_seen[k - 4] && value_u64(s) == v[k - 4],
			   "repeated, or want %llu: '%.*s'",
			   (unsigned long long)v[k - 4], (int)s->line_len,
			   s->line);
		c->counter_seen[k - 4] = true;
		break;
	}
	default: {
		const char *ver, *lib;

		labels_are(s, build);
		ver = label(s, "version");
		lib = label(s, "libbpf");
		FUZZ_CHECK(!c->build_seen && value_is(s, "1") &&
				   !strcmp(label(s, "attach"),
					   x->in.attach ?: "none") &&
				   strspn(ver, "0123456789.") == strlen(ver) &&
				   *ver && strspn(lib, "0123456789") &&
				   lib[strspn(lib, "0123456789")] == '.',
			   "build_info: '%.*s'", (int)s->line_len, s->line);
		c->build_seen = true;
		break;
	}
	}
}

static struct family *family_named(const char *name, size_t n)
{
	for (size_t i = 0; i < NFAM; i++)
		if (strlen(families[i].name) == n &&
		    !memcmp(families[i].name, name, n))
			return &families[i];
	return NULL;
}

/* the family of a sample, and which histogram suffix it has ("" none) */
static struct family *family_of(const char *name, const char **suffix)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	size_t n = strlen(name);
	struct family *f = family_named(name, n);

	*suffix = "";
	if (f)
		return f;
	for (int i = 0; i < 3; i++) {
		size_t l = strlen(sfx[i]);

		if (n > l && !strcmp(name + n - l, sfx[i]) &&
		    (f = family_named(name, n - l)) &&
		    !strcmp(f->type, "histogram")) {
			*suffix = sfx[i];
			return f;
		}
	}
	return NULL;
}

/* the family a line belongs to starts or goes on: no going back */
static void enter(struct family **cur, struct family *f, const char *line,
		  size_t len)
{
	FUZZ_CHECK(!f->closed, "family %s resumed at '%.*s'", f->name, (int)len,
		   line);
	if (*cur && *cur != f)
		(*cur)->closed = true;
	*cur = f;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name,
		      ((const struct label *)b)->name);
}

/* name{labels sorted by name}: equal for the same series */
static char *series_key(const struct sample *s)
{
	struct label l[MAX_LABELS];
	char *k = malloc(sizeof(s->name) + MAX_LABELS * 96), *p = k;

	FUZZ_CHECK(k, "out of memory");
	memcpy(l, s->l, sizeof(l));
	qsort(l, s->nl, sizeof(l[0]), cmp_label);
	p += sprintf(p, "%s{", s->name);
	for (int i = 0; i < s->nl; i++)
		p += sprintf(p, "%s=%s\x01", l[i].name, l[i].val);
	strcpy(p, "}");
	return k;
}

static void check(const struct input *x, const char *out, size_t len)
{
	/* by port; only the entries set are cleared again */
	static bool kept[NPORTS];
	static __u64 weight[NPORTS];
	struct check *c = calloc(1, sizeof(*c));
	struct sample *smp = calloc(len / 4 + 1, sizeof(*smp));
	char **keys;
	size_t n = 0, want_trans = 0;
	struct family *cur = NULL;
	__u64 in_count[32] = { 0 }, out_count[32] = { 0 };

	FUZZ_CHECK(c && smp, "out of memory");
	c->x = x;
	c->kept = kept;
	c->weight = weight;
	for (size_t i = 0; i < NFAM; i++) {
		families[i].help = families[i].typed = false;
		families[i].closed = false;
		families[i].samples = 0;
	}

	FUZZ_CHECK(len && out[len - 1] == '\n', "output not ended by \\n");
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((out[i] >= 0x20 && out[i] < 0x7f) || out[i] == '\n',
			   "byte 0x%02x at %zu", (unsigned char)out[i], i);

	/* pass 1: the grammar, and the families' headers */
	for (const char *line = out, *nl; line < out + len; line = nl + 1) {
		size_t l, nn;
		struct family *f;
		const char *p, *suffix;

		nl = memchr(line, '\n', out + len - line);
		l = nl - line;
		if (l >= 7 && (!memcmp(line, "# HELP ", 7) ||
			       !memcmp(line, "# TYPE ", 7))) {
			bool help = line[2] == 'H';

			p = line + 7;
			nn = name_len(p, nl, true);
			FUZZ_CHECK(nn && p + nn < nl && p[nn] == ' ',
				   "bad header '%.*s'", (int)l, line);
			f = family_named(p, nn);
			FUZZ_CHECK(f, "header of an unknown family '%.*s'",
				   (int)l, line);
			enter(&cur, f, line, l);
			FUZZ_CHECK(!f->samples && !(help ? f->help : f->typed),
				   "header repeated or after samples '%.*s'",
				   (int)l, line);
			p += nn + 1;
			if (help) {
				f->help = true;
				for (; p < nl; p++) {
					if (*p != '\\')
						continue;
					p++;
					FUZZ_CHECK(p < nl && (*p == '\\' ||
							      *p == 'n'),
						   "bad escape in '%.*s'",
						   (int)l, line);
				}
			} else {
				f->typed = true;
				FUZZ_CHECK((size_t)(nl - p) ==
							   strlen(f->type) &&
						   !memcmp(p, f->type, nl - p),
					   "TYPE should be %s: '%.*s'", f->type,
					   (int)l, line);
			}
			continue;
		}
		FUZZ_CHECK(l && line[0] != '#', "unexpected line '%.*s'",
			   (int)l, line);
		parse_sample(line, l, &smp[n]);
		f = family_of(smp[n].name, &suffix);
		FUZZ_CHECK(f && f->help && f->typed,
			   "sample before its HELP and TYPE: '%.*s'", (int)l,
			   line);
		enter(&cur, f, line, l);
		f->samples++;
		n++;
	}
	for (size_t i = 0; i < NFAM; i++)
		FUZZ_CHECK(families[i].help && families[i].typed,
			   "no header for %s", families[i].name);

	/* no series twice */
	keys = calloc(n + 1, sizeof(*keys));
	FUZZ_CHECK(keys, "out of memory");
	for (size_t i = 0; i < n; i++)
		keys[i] = series_key(&smp[i]);
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 1; i < n; i++)
		FUZZ_CHECK(strcmp(keys[i - 1], keys[i]), "series twice: %s",
			   keys[i]);
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);

	/* pass 2: every value, from the input */
	check_kept(c, smp, n);
	build_wants(c);
	for (size_t i = 0; i < n; i++) {
		const char *suffix;
		struct family *f = family_of(smp[i].name, &suffix);

		check_sample(c, &smp[i], f, suffix);
	}
	for (size_t i = 0; i < c->nwh; i++) {
		const struct want_hist *w = &c->wh[i];

		FUZZ_CHECK(!w->emitted || (w->buckets == TT_HIST_SLOTS &&
					   w->sum && w->count),
			   "histogram state %u port %u missing or incomplete",
			   w->state, w->port);
		if (w->count)
			out_count[w->state] += w->h.count;
	}
	for (size_t i = 0; i < x->in.nhists; i++)
		in_count[x->h[i].key.state] += x->h[i].h.count;
	for (int st = 0; st < 32; st++)
		FUZZ_CHECK(in_count[st] == out_count[st],
			   "state %d: _count sums to %llu, input %llu", st,
			   (unsigned long long)out_count[st],
			   (unsigned long long)in_count[st]);
	for (size_t i = 0; i < c->nws; i++)
		FUZZ_CHECK(c->ws[i].seen && (c->ws[i].state != CLOSE_WAIT ||
					     c->ws[i].cw_seen),
			   "no gauge for state %u port %u", c->ws[i].state,
			   c->ws[i].port);
	for (__u32 from = 1; from <= 13; from++)
		for (__u32 to = 1; to <= 13; to++)
			want_trans += !!x->trans[from * TT_NSTATES + to];
	FUZZ_CHECK(c->trans_seen == want_trans, "%zu transitions, want %zu",
		   c->trans_seen, want_trans);
	for (int i = 0; i < 5; i++)
		FUZZ_CHECK(c->counter_seen[i], "counter %d missing", i);
	FUZZ_CHECK(c->build_seen, "no build_info");

	for (size_t i = 0; i < c->nkept; i++)
		kept[c->kept_list[i]] = false;
	for (size_t i = 0; i < c->nports; i++)
		weight[c->ports[i]] = 0;
	free(c);
	free(smp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	debug = getenv("FUZZ_DEBUG");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct input x;
	struct out o;

	build(&in, &x, fuzz_u8(&in));
	FUZZ_CHECK(!out_init(&o, -1, x.cap), "out_init");
	prom_render(&o, &x.in);
	FUZZ_CHECK(!o.err, "prom_render failed: %d", o.err);
	if (debug)
		fprintf(stderr, "%.*s", (int)o.len, o.buf);
	check(&x, o.buf, o.len);
	out_free(&o);
	return 0;
}
