// SPDX-License-Identifier: GPL-2.0
/* prom_render (user/prom.c): the Prometheus text exposition. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "output/prom.h"
#include "model/tcp_state.h"

#define LAST (TT_HIST_SLOTS - 1)
#define HIST "tcptrail_state_duration_seconds"
#define MAX_SERIES 4096
#define MAX_FAMILIES 32

static const __u64 no_transitions[TT_NSTATES * TT_NSTATES];

/* ---- a checker for the text format, independent of the renderer ---- */

struct family {
	char name[96];
	char type[16];
	int samples;
};

struct checker {
	struct family fam[MAX_FAMILIES];
	int nfam;
	char *series[MAX_SERIES];
	int nseries;
	int line;
};

static void bad_line(const struct checker *c, const char *p, const char *e,
		     const char *why)
{
	fail_msg("line %d: %s: \"%.*s\"", c->line, why, (int)(e - p), p);
}

static size_t name_len(const char *p, const char *e)
{
	size_t n = 0;

	while (p + n < e && ((p[n] >= 'a' && p[n] <= 'z') || p[n] == '_'))
		n++;
	return n;
}

static struct family *find_family(struct checker *c, const char *name, size_t n)
{
	for (int i = 0; i < c->nfam; i++)
		if (strlen(c->fam[i].name) == n &&
		    !memcmp(c->fam[i].name, name, n))
			return &c->fam[i];
	return NULL;
}

/* "# HELP name text" (text escapes only \\ and \n) or "# TYPE name type" */
static void check_comment(struct checker *c, const char *p, const char *e)
{
	static const char *const types[] = { "counter", "gauge", "histogram",
					     "summary", "untyped" };
	bool help = e - p > 7 && !memcmp(p, "# HELP ", 7);
	bool type = e - p > 7 && !memcmp(p, "# TYPE ", 7);
	const char *q = p + 7;
	size_t n = name_len(q, e);
	struct family *f;

	if (!help && !type)
		bad_line(c, p, e, "a comment other than HELP or TYPE");
	if (!n || q + n >= e || q[n] != ' ' || q + n + 1 == e)
		bad_line(c, p, e, "expected a metric name, a space, then text");
	f = find_family(c, q, n);
	if (help) {
		if (f)
			bad_line(c, p, e, "a second HELP for this family");
		if (c->nfam == MAX_FAMILIES || n >= sizeof(f->name))
			fail_msg("too many families or too long a name");
		f = &c->fam[c->nfam++];
		memcpy(f->name, q, n);
		f->name[n] = '\0';
		for (q += n + 1; q < e; q++) {
			if ((unsigned char)*q < ' ' || *q == 0x7f)
				bad_line(c, p, e, "a control byte in HELP");
			if (*q == '\\' &&
			    (q + 1 == e || (q[1] != '\\' && q[1] != 'n')))
				bad_line(c, p, e, "a bad escape in HELP");
			if (*q == '\\')
				q++;
		}
		return;
	}
	/* TYPE: right after its own HELP, before any sample */
	if (!f || f != &c->fam[c->nfam - 1])
		bad_line(c, p, e, "TYPE not right after its HELP");
	if (f->type[0])
		bad_line(c, p, e, "a second TYPE for this family");
	if (f->samples)
		bad_line(c, p, e, "TYPE after a sample");
	q += n + 1;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if ((size_t)(e - q) == strlen(types[i]) &&
		    !memcmp(q, types[i], e - q)) {
			strcpy(f->type, types[i]);
			return;
		}
	}
	bad_line(c, p, e, "unknown type");
}

/* does a sample called name[0..n) belong to family f? */
static bool in_family(const struct family *f, const char *name, size_t n)
{
	static const char *const hsuffix[] = { "_bucket", "_sum", "_count" };
	size_t fl = strlen(f->name);
	bool histogram = !strcmp(f->type, "histogram");

	if (n == fl && !memcmp(name, f->name, n))
		return !histogram;
	if (!histogram || n <= fl || memcmp(name, f->name, fl))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(hsuffix); i++)
		if (n - fl == strlen(hsuffix[i]) &&
		    !memcmp(name + fl, hsuffix[i], n - fl))
			return true;
	return false;
}

/* name{label="value",...} value, in the family of the last HELP */
static void check_sample(struct checker *c, const char *p, const char *e)
{
	const char *labels[16];
	size_t nlabels = 0, label_len[16];
	const char *q = p, *v;
	size_t n = name_len(q, e);
	struct family *f = c->nfam ? &c->fam[c->nfam - 1] : NULL;

	if (!n)
		bad_line(c, p, e, "not a sample: no metric name");
	if (!f || !f->type[0] || !in_family(f, p, n))
		bad_line(c, p, e, "a sample outside its HELP/TYPE family");
	q += n;
	if (q < e && *q == '{') {
		q++;
		for (;;) {
			size_t ln = name_len(q, e);

			if (!ln)
				bad_line(c, p, e, "expected a label name");
			for (size_t i = 0; i < nlabels; i++)
				if (label_len[i] == ln &&
				    !memcmp(labels[i], q, ln))
					bad_line(c, p, e, "a repeated label");
			if (nlabels == ARRAY_SIZE(labels))
				bad_line(c, p, e, "too many labels");
			labels[nlabels] = q;
			label_len[nlabels++] = ln;
			q += ln;
			if (e - q < 2 || q[0] != '=' || q[1] != '"')
				bad_line(c, p, e, "expected =\"");
			for (q += 2; q < e && *q != '"'; q++)
				if ((unsigned char)*q < ' ' || *q == '\\' ||
				    (unsigned char)*q >= 0x7f)
					bad_line(c, p, e, "a bad label value");
			if (q == e)
				bad_line(c, p, e,
					 "an unterminated label value");
			q++;
			if (q < e && *q == ',') {
				q++;
				continue;
			}
			if (q < e && *q == '}') {
				q++;
				break;
			}
			bad_line(c, p, e, "expected , or }");
		}
	}
	if (q == e || *q != ' ')
		bad_line(c, p, e, "expected a space before the value");
	/* the series must be new */
	if (c->nseries == MAX_SERIES)
		fail_msg("too many series");
	c->series[c->nseries] = strndup(p, q - p);
	assert_non_null(c->series[c->nseries]);
	for (int i = 0; i < c->nseries; i++)
		if (!strcmp(c->series[i], c->series[c->nseries]))
			bad_line(c, p, e, "a repeated series");
	c->nseries++;
	/* +Inf, or digits with an optional fraction */
	v = ++q;
	if (e - v == 4 && !memcmp(v, "+Inf", 4)) {
		f->samples++;
		return;
	}
	while (q < e && *q >= '0' && *q <= '9')
		q++;
	if (q == v)
		bad_line(c, p, e, "a bad value");
	if (q < e && *q == '.') {
		v = ++q;
		while (q < e && *q >= '0' && *q <= '9')
			q++;
		if (q == v)
			bad_line(c, p, e, "a bad fraction");
	}
	if (q != e)
		bad_line(c, p, e, "junk after the value");
	f->samples++;
}

/*
 * Every line is a HELP, a TYPE or a sample; HELP and TYPE once per family
 * and before its samples, which come together; no series twice.
 */
static void check_exposition(const char *text)
{
	struct checker *c = calloc(1, sizeof(*c));
	const char *p = text;

	assert_non_null(c);
	while (*p) {
		const char *e = strchr(p, '\n');

		c->line++;
		if (!e)
			fail_msg("the last line has no newline");
		if (e == p)
			bad_line(c, p, e, "an empty line");
		for (const char *q = p; q < e; q++)
			if ((unsigned char)*q < ' ' ||
			    (unsigned char)*q >= 0x7f)
				bad_line(c, p, e,
					 "a control or non-ASCII byte");
		if (*p == '#')
			check_comment(c, p, e);
		else
			check_sample(c, p, e);
		p = e + 1;
	}
	for (int i = 0; i < c->nfam; i++)
		if (!c->fam[i].type[0])
			fail_msg("family %s has no TYPE", c->fam[i].name);
	for (int i = 0; i < c->nseries; i++)
		free(c->series[i]);
	free(c);
}

/* ---- reading values back ---- */

/* the value of the one sample 'series' (name and labels as printed) */
static const char *value_of(const char *text, const char *series)
{
	static char buf[64];
	size_t n = strlen(series);
	const char *found = NULL, *end = NULL;

	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');

		if (!e)
			break;
		if ((size_t)(e - p) > n && !memcmp(p, series, n) &&
		    p[n] == ' ') {
			if (found)
				fail_msg("%s: twice", series);
			found = p + n + 1;
			end = e;
		}
		p = e + 1;
	}
	if (!found)
		return NULL;
	assert_true((size_t)(end - found) < sizeof(buf));
	memcpy(buf, found, end - found);
	buf[end - found] = '\0';
	return buf;
}

static void want_value(const char *text, const char *series, const char *want)
{
	const char *got = value_of(text, series);

	if (!got)
		fail_msg("no sample %s", series);
	if (strcmp(got, want))
		fail_msg("%s: got %s, want %s", series, got, want);
}

static void want_u64(const char *text, const char *series, __u64 want)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)want);
	want_value(text, series, buf);
}

static size_t count_prefix(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');

		if (!strncmp(p, prefix, len))
			n++;
		if (!e)
			break;
		p = e + 1;
	}
	return n;
}

/* the le of slot s, by hand: 2^s microseconds in seconds, or +Inf */
static void fmt_le(char *buf, size_t len, unsigned int s)
{
	unsigned long long us = 1ULL << s;

	if (s == LAST)
		snprintf(buf, len, "+Inf");
	else
		snprintf(buf, len, "%llu.%06llu", us / 1000000, us % 1000000);
}

static void fmt_seconds9(char *buf, size_t len, __u64 ns)
{
	snprintf(buf, len, "%llu.%09llu", (unsigned long long)ns / 1000000000,
		 (unsigned long long)ns % 1000000000);
}

static void hist_series(char *buf, size_t len, const char *suffix,
			const char *state, const char *port, int slot)
{
	char le[32];

	if (slot < 0) {
		snprintf(buf, len, HIST "%s{state=\"%s\",port=\"%s\"}", suffix,
			 state, port);
		return;
	}
	fmt_le(le, sizeof(le), slot);
	snprintf(buf, len, HIST "%s{state=\"%s\",port=\"%s\",le=\"%s\"}",
		 suffix, state, port, le);
}

/* the whole series state/port is h: every bucket, the sum, the count */
static void expect_hist(const char *text, const char *state, const char *port,
			const struct tt_hist *h)
{
	char series[160], sum[32];
	__u64 cum = 0;

	for (int s = 0; s < TT_HIST_SLOTS; s++) {
		cum += h->slots[s];
		hist_series(series, sizeof(series), "_bucket", state, port, s);
		want_u64(text, series, cum);
	}
	hist_series(series, sizeof(series), "_count", state, port, -1);
	want_u64(text, series, h->count);
	hist_series(series, sizeof(series), "_sum", state, port, -1);
	fmt_seconds9(sum, sizeof(sum), h->sum_ns);
	want_value(text, series, sum);
}

/*
 * Every histogram series: TT_HIST_SLOTS buckets in a row, le as 2^s us in
 * order then +Inf, counts non-decreasing, +Inf equal to _count, a _sum.
 */
static void check_histograms(const char *text)
{
	const char *p = text;
	size_t series = 0;

	while (*p) {
		const char *e = strchr(p, '\n'), *lbl, *le;
		char key[160], buf[256], want_le[32];
		__u64 prev = 0, v = 0;
		int s;

		assert_non_null(e);
		if (strncmp(p, HIST "_bucket{", sizeof(HIST "_bucket{") - 1)) {
			p = e + 1;
			continue;
		}
		/* a new series starts: key is its labels without le */
		lbl = p + sizeof(HIST "_bucket{") - 1;
		le = strstr(lbl, ",le=\"");
		assert_true(le && le < e);
		assert_true((size_t)(le - lbl) < sizeof(key));
		memcpy(key, lbl, le - lbl);
		key[le - lbl] = '\0';
		snprintf(buf, sizeof(buf), HIST "_bucket{%s,le=\"", key);
		for (s = 0; *p && !strncmp(p, buf, strlen(buf)); s++) {
			const char *q = p + strlen(buf);

			e = strchr(p, '\n');
			if (s == TT_HIST_SLOTS)
				fail_msg("{%s}: more than %d buckets", key,
					 TT_HIST_SLOTS);
			fmt_le(want_le, sizeof(want_le), s);
			if (strncmp(q, want_le, strlen(want_le)) ||
			    strncmp(q + strlen(want_le), "\"} ", 3))
				fail_msg("{%s}: bucket %d is not le=\"%s\"",
					 key, s, want_le);
			v = strtoull(q + strlen(want_le) + 3, NULL, 10);
			if (v < prev)
				fail_msg("{%s}: bucket %d decreases", key, s);
			prev = v;
			p = e + 1;
		}
		if (s != TT_HIST_SLOTS)
			fail_msg("{%s}: %d buckets, want %d", key, s,
				 TT_HIST_SLOTS);
		snprintf(buf, sizeof(buf), HIST "_count{%s}", key);
		want_u64(text, buf, v);
		snprintf(buf, sizeof(buf), HIST "_sum{%s}", key);
		assert_non_null(value_of(text, buf));
		series++;
	}
	assert_int_equal(count_prefix(text, HIST "_count{"), series);
	assert_int_equal(count_prefix(text, HIST "_sum{"), series);
}

/* render, check the format, and return the text (free it) */
static char *render(const struct prom_input *in)
{
	struct prom_input copy = *in;
	struct out o;

	if (!copy.transitions)
		copy.transitions = no_transitions;
	assert_int_equal(out_init(&o, -1, 64), 0);
	prom_render(&o, &copy);
	assert_int_equal(o.err, 0);
	out_cstr(&o);
	check_exposition(o.buf);
	check_histograms(o.buf);
	return o.buf;
}

static struct hist_entry entry(__u32 state, __u32 port)
{
	struct hist_entry e = { .key = { .port = port, .state = state } };

	return e;
}

/* ---- the tests ---- */

/* one count in slot s: counted at le=2^s us, not at the bucket below */
static void test_bucket_edges(void **state)
{
	static const unsigned int slots[] = { 0, 1, 2, 10, 19, 20, 37, 38, 39 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++) {
		unsigned int s = slots[i];
		struct hist_entry e = entry(TCP_CLOSE_WAIT, 8080);
		struct prom_input in = { .hists = &e,
					 .nhists = 1,
					 .max_ports = 64 };
		char series[160];
		char *text;

		e.h.slots[s] = 1;
		e.h.count = 1;
		e.h.sum_ns = 1700613312;
		e.h.max_ns = 1700613312;
		text = render(&in);
		expect_hist(text, "close_wait", "8080", &e.h);
		hist_series(series, sizeof(series), "_bucket", "close_wait",
			    "8080", s);
		want_value(text, series, "1");
		if (s > 0) {
			hist_series(series, sizeof(series), "_bucket",
				    "close_wait", "8080", s - 1);
			want_value(text, series, "0");
		}
		hist_series(series, sizeof(series), "_bucket", "close_wait",
			    "8080", LAST);
		want_value(text, series, "1");
		assert_int_equal(count_prefix(text, HIST "_bucket{"),
				 TT_HIST_SLOTS);
		if (s == 19) {
			/* the edge spelled out: 2^19 us = 0.524288 s */
			assert_non_null(strstr(
				text, "{state=\"close_wait\",port=\"8080\","
				      "le=\"0.524288\"} 1\n"));
			assert_non_null(strstr(
				text, "{state=\"close_wait\",port=\"8080\","
				      "le=\"0.262144\"} 0\n"));
		}
		free(text);
	}
}

static void test_le_values(void **state)
{
	struct hist_entry e = entry(TCP_ESTABLISHED, 443);
	struct prom_input in = { .hists = &e, .nhists = 1, .max_ports = 1 };
	char *text;

	(void)state;
	e.h.slots[0] = 1;
	e.h.count = 1;
	text = render(&in);
	assert_non_null(strstr(text, "le=\"0.000001\"} 1\n"));
	assert_non_null(strstr(text, "le=\"0.000002\"} 1\n"));
	assert_non_null(strstr(text, "le=\"0.001024\"} 1\n"));
	assert_non_null(strstr(text, "le=\"1.048576\"} 1\n"));
	assert_non_null(strstr(text, "le=\"274877.906944\"} 1\n"));
	assert_non_null(strstr(text, "le=\"+Inf\"} 1\n"));
	/* nothing in exponent form, nothing rounded */
	assert_null(strstr(text, "e+"));
	assert_null(strstr(text, "e-0"));
	free(text);
}

static void test_sum_seconds(void **state)
{
	static const struct {
		__u64 ns;
		const char *want;
	} sums[] = {
		{ 0, "0.000000000" },
		{ 1, "0.000000001" },
		{ 999999999, "0.999999999" },
		{ 1000000000, "1.000000000" },
		{ 1700613312, "1.700613312" },
		{ 123456789012345678ULL, "123456789.012345678" },
		{ ~0ULL, "18446744073.709551615" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sums); i++) {
		struct hist_entry e = entry(TCP_CLOSE_WAIT, 80);
		struct prom_input in = { .hists = &e,
					 .nhists = 1,
					 .max_ports = 8 };
		char *text;

		e.h.slots[5] = 2;
		e.h.count = 2;
		e.h.sum_ns = sums[i].ns;
		text = render(&in);
		want_value(text, HIST "_sum{state=\"close_wait\",port=\"80\"}",
			   sums[i].want);
		free(text);
	}
}

static __u64 rnd(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void random_hist(struct tt_hist *h, __u64 *seed)
{
	memset(h, 0, sizeof(*h));
	for (int s = 0; s < TT_HIST_SLOTS; s++) {
		if (rnd(seed) % 3)
			continue;
		h->slots[s] = rnd(seed) % 1000;
		h->count += h->slots[s];
	}
	if (!h->count) {
		h->slots[rnd(seed) % TT_HIST_SLOTS] = 1;
		h->count = 1;
	}
	h->sum_ns = rnd(seed) >> 8;
	h->max_ns = rnd(seed) >> 20;
}

/* many series at once: cumulative buckets, right counts and sums */
static void test_cumulative(void **state)
{
	static const __u32 states[] = { TCP_ESTABLISHED, TCP_FIN_WAIT2,
					TCP_CLOSE_WAIT, TCP_LAST_ACK };
	static const __u32 ports[] = { 22, 80, 8080, TT_PORT_OTHER };
	struct hist_entry e[ARRAY_SIZE(states) * ARRAY_SIZE(ports)];
	struct prom_input in = { .hists = e,
				 .nhists = ARRAY_SIZE(e),
				 .max_ports = 3 };
	__u64 seed = 5;
	size_t n = 0;
	char *text;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(ports); j++) {
			e[n] = entry(states[i], ports[j]);
			random_hist(&e[n].h, &seed);
			n++;
		}
	}
	text = render(&in);
	assert_int_equal(count_prefix(text, HIST "_bucket{"),
			 ARRAY_SIZE(e) * TT_HIST_SLOTS);
	n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(ports); j++, n++) {
			char port[16];

			if (ports[j] == TT_PORT_OTHER)
				strcpy(port, "other");
			else
				snprintf(port, sizeof(port), "%u", ports[j]);
			expect_hist(text, tcp_state_label(states[i]), port,
				    &e[n].h);
		}
	}
	free(text);
}

static void add_hist(struct tt_hist *a, const struct tt_hist *b)
{
	for (int s = 0; s < TT_HIST_SLOTS; s++)
		a->slots[s] += b->slots[s];
	a->count += b->count;
	a->sum_ns += b->sum_ns;
	if (b->max_ns > a->max_ns)
		a->max_ns = b->max_ns;
}

/*
 * Port 80 is the busiest; 443 and 22 lose their labels. The kernel's own
 * "other" key merges with them.
 */
struct bounding {
	struct hist_entry e[4];
	struct prom_sockets socks[5];
};

static void bounding_input(struct bounding *b, struct prom_input *in,
			   __u32 max_ports)
{
	memset(b, 0, sizeof(*b));
	/* sorted by state, then port, other last, as histmap_read does */
	b->e[0] = entry(TCP_FIN_WAIT2, 443);
	b->e[0].h.slots[1] = 4;
	b->e[0].h.count = 4;
	b->e[0].h.sum_ns = 6000;
	b->e[0].h.max_ns = 1900;
	b->e[1] = entry(TCP_CLOSE_WAIT, 80);
	b->e[1].h.slots[3] = 15;
	b->e[1].h.slots[12] = 5;
	b->e[1].h.count = 20;
	b->e[1].h.sum_ns = 10000000;
	b->e[1].h.max_ns = 4000000;
	b->e[2] = entry(TCP_CLOSE_WAIT, 443);
	b->e[2].h.slots[5] = 2;
	b->e[2].h.slots[12] = 1;
	b->e[2].h.count = 3;
	b->e[2].h.sum_ns = 2000000;
	b->e[2].h.max_ns = 3000000;
	b->e[3] = entry(TCP_CLOSE_WAIT, TT_PORT_OTHER);
	b->e[3].h.slots[20] = 1;
	b->e[3].h.count = 1;
	b->e[3].h.sum_ns = 1000000000;
	b->e[3].h.max_ns = 1000000000;
	b->socks[0] = (struct prom_sockets){ 80, TCP_CLOSE_WAIT, 2, 5000000000,
					     LS_NONE };
	b->socks[1] = (struct prom_sockets){ 443, TCP_CLOSE_WAIT, 4, 7000000000,
					     LS_NONE };
	b->socks[2] = (struct prom_sockets){ TT_PORT_OTHER, TCP_CLOSE_WAIT, 1,
					     6500000000, LS_NONE };
	b->socks[3] =
		(struct prom_sockets){ 443, TCP_ESTABLISHED, 3, 0, LS_NONE };
	b->socks[4] =
		(struct prom_sockets){ 22, TCP_ESTABLISHED, 1, 0, LS_NONE };
	memset(in, 0, sizeof(*in));
	in->hists = b->e;
	in->nhists = ARRAY_SIZE(b->e);
	in->socks = b->socks;
	in->nsocks = ARRAY_SIZE(b->socks);
	in->sock_states = (1U << TCP_CLOSE_WAIT) | (1U << TCP_ESTABLISHED);
	in->max_ports = max_ports;
}

static void test_ports_bounded(void **state)
{
	struct bounding b;
	struct prom_input in;
	struct tt_hist other = {};
	char *text;

	(void)state;
	bounding_input(&b, &in, 1);
	text = render(&in);
	/* the busiest keeps its label */
	expect_hist(text, "close_wait", "80", &b.e[1].h);
	/* 443 with the kernel's "other", per state */
	add_hist(&other, &b.e[2].h);
	add_hist(&other, &b.e[3].h);
	expect_hist(text, "close_wait", "other", &other);
	expect_hist(text, "fin_wait2", "other", &b.e[0].h);
	assert_int_equal(count_prefix(text, HIST "_count{"), 3);
	assert_null(strstr(text, "port=\"443\""));
	assert_null(strstr(text, "port=\"22\""));
	/* the gauges the same way; the oldest is the max, not the last */
	want_value(text, "tcptrail_sockets{state=\"close_wait\",port=\"80\"}",
		   "2");
	want_value(text,
		   "tcptrail_sockets{state=\"close_wait\",port=\"other\"}",
		   "5");
	want_value(text,
		   "tcptrail_sockets{state=\"established\",port=\"other\"}",
		   "4");
	/* a kept port has a sample in every covered state: 0, not stale */
	want_value(text, "tcptrail_sockets{state=\"established\",port=\"80\"}",
		   "0");
	assert_int_equal(count_prefix(text, "tcptrail_sockets{"), 4);
	want_value(text, "tcptrail_closewait_oldest_seconds{port=\"80\"}",
		   "5.000000");
	want_value(text, "tcptrail_closewait_oldest_seconds{port=\"other\"}",
		   "7.000000");
	assert_int_equal(
		count_prefix(text, "tcptrail_closewait_oldest_seconds{"), 2);
	free(text);
}

static void test_ports_two_kept(void **state)
{
	struct bounding b;
	struct prom_input in;
	char *text;

	(void)state;
	bounding_input(&b, &in, 2);
	text = render(&in);
	expect_hist(text, "close_wait", "80", &b.e[1].h);
	expect_hist(text, "close_wait", "443", &b.e[2].h);
	expect_hist(text, "close_wait", "other", &b.e[3].h);
	expect_hist(text, "fin_wait2", "443", &b.e[0].h);
	assert_int_equal(count_prefix(text, HIST "_count{"), 4);
	want_value(text, "tcptrail_sockets{state=\"close_wait\",port=\"443\"}",
		   "4");
	want_value(text,
		   "tcptrail_sockets{state=\"close_wait\",port=\"other\"}",
		   "1");
	want_value(text, "tcptrail_sockets{state=\"established\",port=\"443\"}",
		   "3");
	want_value(text,
		   "tcptrail_sockets{state=\"established\",port=\"other\"}",
		   "1");
	want_value(text, "tcptrail_closewait_oldest_seconds{port=\"443\"}",
		   "7.000000");
	want_value(text, "tcptrail_closewait_oldest_seconds{port=\"other\"}",
		   "6.500000");
	assert_null(strstr(text, "port=\"22\""));
	free(text);
}

static void test_ports_all_kept(void **state)
{
	struct bounding b;
	struct prom_input in;
	char *text;

	(void)state;
	bounding_input(&b, &in, 3);
	text = render(&in);
	expect_hist(text, "close_wait", "80", &b.e[1].h);
	expect_hist(text, "close_wait", "443", &b.e[2].h);
	expect_hist(text, "close_wait", "other", &b.e[3].h);
	expect_hist(text, "fin_wait2", "443", &b.e[0].h);
	want_value(text, "tcptrail_sockets{state=\"established\",port=\"22\"}",
		   "1");
	want_value(text,
		   "tcptrail_sockets{state=\"close_wait\",port=\"other\"}",
		   "1");
	want_value(text, "tcptrail_sockets{state=\"close_wait\",port=\"22\"}",
		   "0");
	assert_int_equal(count_prefix(text, "tcptrail_sockets{"), 7);
	free(text);
}

/* one entry per socket in, one per (state, port) out, in order */
static void test_sockets_merge(void **state)
{
	struct prom_sockets v[6] = {
		{ 443, TCP_CLOSE_WAIT, 1, 5, LS_NONE },
		{ 80, TCP_CLOSE_WAIT, 1, 9, LS_NONE },
		{ 443, TCP_CLOSE_WAIT, 1, 7, LS_NONE },
		{ 80, TCP_ESTABLISHED, 1, 0, LS_NONE },
		{ 80, TCP_CLOSE_WAIT, 2, 3, LS_NONE },
		{ 443, TCP_CLOSE_WAIT, 1, 6, LS_NONE },
	};
	size_t n;

	(void)state;
	n = prom_sockets_merge(v, 6);
	assert_int_equal(n, 3);
	/* ESTABLISHED (1) before CLOSE_WAIT (8), then by port */
	assert_int_equal(v[0].state, TCP_ESTABLISHED);
	assert_int_equal(v[1].port, 80);
	assert_int_equal(v[1].count, 3);
	assert_int_equal(v[1].oldest_ns, 9);
	assert_int_equal(v[2].port, 443);
	assert_int_equal(v[2].count, 3);
	assert_int_equal(v[2].oldest_ns, 7);
	assert_int_equal(prom_sockets_merge(v, 0), 0);
}

/* traffic is transitions plus open sockets, not transitions alone */
static void test_ports_weight_sockets(void **state)
{
	struct hist_entry e[2] = { entry(TCP_CLOSE_WAIT, 80),
				   entry(TCP_CLOSE_WAIT, 9000) };
	struct prom_sockets socks[] = {
		{ 9000, TCP_ESTABLISHED, 100, 0, LS_NONE },
	};
	struct prom_input in = { .hists = e,
				 .nhists = 2,
				 .socks = socks,
				 .nsocks = 1,
				 .max_ports = 1 };
	char *text;

	(void)state;
	e[0].h.slots[4] = 10;
	e[0].h.count = 10;
	e[1].h.slots[4] = 1;
	e[1].h.count = 1;
	text = render(&in);
	expect_hist(text, "close_wait", "9000", &e[1].h);
	expect_hist(text, "close_wait", "other", &e[0].h);
	want_value(text,
		   "tcptrail_sockets{state=\"established\",port=\"9000\"}",
		   "100");
	assert_null(strstr(text, "port=\"80\""));
	free(text);
}

/* equal traffic: one label is kept, the same one every time */
static void test_ports_tie(void **state)
{
	struct hist_entry e[2] = { entry(TCP_CLOSE_WAIT, 5000),
				   entry(TCP_CLOSE_WAIT, 6000) };
	struct prom_input in = { .hists = e, .nhists = 2, .max_ports = 1 };
	char *text;

	(void)state;
	e[0].h.slots[2] = 3;
	e[0].h.count = 3;
	e[1].h.slots[9] = 3;
	e[1].h.count = 3;
	text = render(&in);
	/* the current rule: the lower port */
	expect_hist(text, "close_wait", "5000", &e[0].h);
	expect_hist(text, "close_wait", "other", &e[1].h);
	assert_null(strstr(text, "port=\"6000\""));
	free(text);
}

static void test_transitions(void **state)
{
	static __u64 trans[TT_NSTATES * TT_NSTATES];
	struct prom_input in = { .transitions = trans, .max_ports = 4 };
	char *text;

	(void)state;
	memset(trans, 0, sizeof(trans));
	trans[TCP_ESTABLISHED * TT_NSTATES + TCP_CLOSE_WAIT] = 7;
	trans[TCP_CLOSE_WAIT * TT_NSTATES + TCP_LAST_ACK] = 3;
	trans[TCP_FIN_WAIT2 * TT_NSTATES + TCP_TIME_WAIT] = 2;
	trans[TCP_SYN_SENT * TT_NSTATES + TCP_ESTABLISHED] =
		18446744073709551615ULL;
	text = render(&in);
	assert_int_equal(count_prefix(text, "tcptrail_transitions_total{"), 4);
	assert_non_null(strstr(text, "\ntcptrail_transitions_total{from=\""
				     "established\",to=\"close_wait\"} 7\n"));
	want_value(text,
		   "tcptrail_transitions_total{from=\"close_wait\","
		   "to=\"last_ack\"}",
		   "3");
	want_value(text,
		   "tcptrail_transitions_total{from=\"fin_wait2\","
		   "to=\"time_wait\"}",
		   "2");
	want_value(text,
		   "tcptrail_transitions_total{from=\"syn_sent\","
		   "to=\"established\"}",
		   "18446744073709551615");
	free(text);

	/* none: the family, no samples */
	memset(trans, 0, sizeof(trans));
	text = render(&in);
	assert_int_equal(count_prefix(text, "tcptrail_transitions_total"), 0);
	assert_int_equal(count_prefix(text, "# TYPE tcptrail_transitions_total "
					    "counter"),
			 1);
	free(text);
}

/* every real state, as a lower-case label in all three places */
static void test_state_labels(void **state)
{
	static __u64 trans[TT_NSTATES * TT_NSTATES];
	struct hist_entry e[TT_TCP_STATE_MAX];
	struct prom_sockets socks[TT_TCP_STATE_MAX];
	struct prom_input in = {
		.hists = e, .transitions = trans, .socks = socks, .max_ports = 4
	};
	char *text;

	(void)state;
	memset(trans, 0, sizeof(trans));
	for (__u32 s = 1; s < TT_TCP_STATE_MAX; s++) {
		e[in.nhists] = entry(s, 8080);
		e[in.nhists].h.slots[s] = 1;
		e[in.nhists++].h.count = 1;
		socks[in.nsocks++] =
			(struct prom_sockets){ 8080, s, s, s, LS_NONE };
		trans[s * TT_NSTATES + (s % (TT_TCP_STATE_MAX - 1)) + 1] = s;
	}
	text = render(&in);
	for (__u32 s = 1; s < TT_TCP_STATE_MAX; s++) {
		const char *label = tcp_state_label(s);
		char buf[128];

		/* lower case, the kernel's name otherwise */
		assert_int_equal(strlen(label), strlen(tcp_state_str(s)));
		for (size_t i = 0; label[i]; i++)
			assert_true(label[i] == tcp_state_str(s)[i] ||
				    label[i] == tcp_state_str(s)[i] + 32);
		snprintf(buf, sizeof(buf),
			 HIST "_count{state=\"%s\",port=\"8080\"}", label);
		want_value(text, buf, "1");
		snprintf(buf, sizeof(buf),
			 "tcptrail_sockets{state=\"%s\",port=\"8080\"}", label);
		want_u64(text, buf, s);
		snprintf(buf, sizeof(buf),
			 "tcptrail_transitions_total{from=\"%s\",to=\"%s\"}",
			 label,
			 tcp_state_label(s % (TT_TCP_STATE_MAX - 1) + 1));
		want_u64(text, buf, s);
	}
	assert_non_null(strstr(text, "state=\"close_wait\""));
	/* no upper case outside the HELP text, but in le="+Inf" */
	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		if (*p == '#')
			continue;
		for (const char *q = p; *q != '\n'; q++)
			if (*q >= 'A' && *q <= 'Z' && strncmp(q - 1, "+Inf", 4))
				fail_msg("upper case in a sample: %.40s", p);
	}
	assert_null(strstr(text, "\"unknown\""));
	assert_int_equal(count_prefix(text, "tcptrail_transitions_total{"),
			 TT_TCP_STATE_MAX - 1);
	/* only CLOSE_WAIT has the oldest-age gauge */
	assert_int_equal(
		count_prefix(text, "tcptrail_closewait_oldest_seconds{"), 1);
	want_value(text, "tcptrail_closewait_oldest_seconds{port=\"8080\"}",
		   "0.000000");
	free(text);
}

static void test_counters_and_build_info(void **state)
{
	struct prom_input in = { .max_ports = 1,
				 .lost = 1,
				 .untimed = 22,
				 .untracked = 333,
				 .missed = 4444,
				 .gaps = 55555,
				 .attach = "tp_btf" };
	char *text;

	(void)state;
	text = render(&in);
	want_value(text, "tcptrail_lost_events_total", "1");
	want_value(text, "tcptrail_untimed_total", "22");
	want_value(text, "tcptrail_untracked_total", "333");
	want_value(text, "tcptrail_missed_total", "4444");
	want_value(text, "tcptrail_gaps_total", "55555");
	assert_int_equal(count_prefix(text, "tcptrail_build_info"), 1);
	assert_int_equal(count_prefix(text, "# HELP tcptrail_build_info "), 1);
	assert_int_equal(count_prefix(text, "# TYPE tcptrail_build_info gauge"),
			 1);
	assert_non_null(strstr(text,
			       "\ntcptrail_build_info{version=\"" TT_VERSION
			       "\",libbpf=\""));
	assert_non_null(strstr(text, "\",attach=\"tp_btf\"} 1\n"));
	free(text);

	in.attach = "tracepoint";
	text = render(&in);
	assert_int_equal(count_prefix(text, "tcptrail_build_info"), 1);
	assert_non_null(strstr(text, ",attach=\"tracepoint\"} 1\n"));
	free(text);

	in.attach = NULL;
	text = render(&in);
	assert_int_equal(count_prefix(text, "tcptrail_build_info"), 1);
	assert_non_null(strstr(text, ",attach=\"none\"} 1\n"));
	free(text);
}

/* nothing at all yet: every family announced, a valid document */
static void test_empty(void **state)
{
	static const char *const families[] = {
		HIST,
		"tcptrail_transitions_total",
		"tcptrail_sockets",
		"tcptrail_closewait_oldest_seconds",
		"tcptrail_lost_events_total",
		"tcptrail_untimed_total",
		"tcptrail_untracked_total",
		"tcptrail_missed_total",
		"tcptrail_gaps_total",
		"tcptrail_build_info",
	};
	struct prom_input in = { .max_ports = 64 };
	char *text;

	(void)state;
	text = render(&in);
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		char buf[96];

		snprintf(buf, sizeof(buf), "# HELP %s ", families[i]);
		assert_int_equal(count_prefix(text, buf), 1);
		snprintf(buf, sizeof(buf), "# TYPE %s ", families[i]);
		assert_int_equal(count_prefix(text, buf), 1);
	}
	assert_int_equal(count_prefix(text, "# "), 2 * ARRAY_SIZE(families));
	assert_int_equal(count_prefix(text, "tcptrail_"), 6);
	want_value(text, "tcptrail_lost_events_total", "0");
	free(text);
}

/* random inputs: always a valid exposition, whatever the bounding */
static void test_random_valid(void **state)
{
	static struct hist_entry e[64];
	static struct prom_sockets socks[64];
	static __u64 trans[TT_NSTATES * TT_NSTATES];
	__u64 seed = 1234;

	(void)state;
	for (int round = 0; round < 200; round++) {
		struct prom_input in = { .hists = e,
					 .transitions = trans,
					 .socks = socks,
					 .max_ports = 1 + rnd(&seed) % 6,
					 .attach = "tp_btf" };
		__u64 total = 0, shown = 0;
		char *text;

		/* distinct (state, port) keys, sorted as histmap_read does */
		for (__u32 s = 1; s < TT_TCP_STATE_MAX; s++) {
			for (__u32 p = 0; p < 5; p++) {
				__u32 port = p == 4 ? TT_PORT_OTHER :
						      1000 + p * 7;

				if (in.nhists == ARRAY_SIZE(e) ||
				    rnd(&seed) % 4)
					continue;
				e[in.nhists] = entry(s, port);
				random_hist(&e[in.nhists].h, &seed);
				total += e[in.nhists++].h.count;
			}
		}
		in.nsocks = rnd(&seed) % ARRAY_SIZE(socks);
		for (size_t i = 0; i < in.nsocks; i++) {
			__u32 p = rnd(&seed) % 6;

			socks[i] = (struct prom_sockets){
				p == 5 ? TT_PORT_OTHER : 1000 + p * 7,
				1 + rnd(&seed) % (TT_TCP_STATE_MAX - 1),
				1 + rnd(&seed) % 50, rnd(&seed) >> 20, LS_NONE
			};
		}
		/* the states the kernel has: 1 .. TT_TCP_STATE_MAX - 1 */
		memset(trans, 0, sizeof(trans));
		for (__u32 from = 1; from < TT_TCP_STATE_MAX; from++)
			for (__u32 to = 1; to < TT_TCP_STATE_MAX; to++)
				if (!(rnd(&seed) % 3))
					trans[from * TT_NSTATES + to] =
						rnd(&seed) >> 40;
		text = render(&in);
		/* merging loses nothing */
		for (const char *p = text;
		     (p = strstr(p, "\n" HIST "_count{"));) {
			p = strchr(p, '}') + 2;
			shown += strtoull(p, NULL, 10);
		}
		assert_int_equal(shown, total);
		free(text);
	}
}

UNIT_GROUP(prom)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_le_values),
		cmocka_unit_test(test_sum_seconds),
		cmocka_unit_test(test_cumulative),
		cmocka_unit_test(test_ports_bounded),
		cmocka_unit_test(test_ports_two_kept),
		cmocka_unit_test(test_ports_all_kept),
		cmocka_unit_test(test_ports_weight_sockets),
		cmocka_unit_test(test_sockets_merge),
		cmocka_unit_test(test_ports_tie),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_state_labels),
		cmocka_unit_test(test_counters_and_build_info),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_random_valid),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
