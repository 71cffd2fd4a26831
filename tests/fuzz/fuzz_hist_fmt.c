// SPDX-License-Identifier: GPL-2.0
/*
 * hist's two outputs (user/output/hist_fmt.c): the text bars and the JSON
 * line, over fuzz-made histogram entries and view fields.
 *
 * Input, front to back (past the end reads zeros):
 *   u8 opts   bits 0-1: key mode (3: out of range); bit 2: unit 1 ms,
 *             else 1 us; bit 3 "relaxed": a count that is not the sum
 *             of the slots; bit 4 "huge": slot counts of any size (sums
 *             wrap), else below 2^32; bit 5: write through a memfd,
 *             line-buffered (flushes mid-output)
 *   u8 cap    initial output buffer: 1 + cap * 8 bytes
 *   u64 untimed, lost, missed, gaps, elapsed_ns
 *   u8 n (% 33) entries, each: a state byte (0xff: a u32 state follows,
 *             else the byte: 0..254, names and no names), a port byte
 *             (0xff TT_PORT_OTHER, bit 7: a u16 port follows, else the
 *             byte), u8 k (% 9), k * (u8 slot, u32 or with "huge" u64
 *             n), [relaxed: u64 count], u64 sum_ns, u64 max_ns
 * The entries are used as they come: any order, keys repeated.
 *
 * Checked, with this file's own tables and arithmetic: the text is
 * printable ASCII and '\n' only, each entry's header line says its state,
 * key, port, count, p50, p99 and max exactly; the bar lines run from the
 * first to the last non-empty slot, each with its range, its count and
 * exactly 40 characters between the pipes: '*' then ' ', as many stars as
 * floor(40 * n / most) (at least one for n > 0, all 40 for the fullest);
 * with "huge" counts, where the double arithmetic may be off by one
 * (past 2^53 / 5 the fullest slot can get 39), within one of that and
 * monotonic in n. The JSON is one strict object
 * whose every member, every entry and every bucket is what the input
 * says; p50/p99 are the nearest-rank bounds computed here in 128 bits
 * (not checked with "huge" counts: count * 99 wraps past 1.8e17 events,
 * which no kernel counter reaches).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz_common.h"
#include "output/hist_fmt.h"

#define MAX_ENTRIES 32

enum {
	OPT_MS = 1 << 2,
	OPT_RELAXED = 1 << 3,
	OPT_HUGE = 1 << 4,
	OPT_FD = 1 << 5,
};

/* this file's own table of state names */
static const char *const names[14] = {
	"UNKNOWN",	"ESTABLISHED",	  "SYN_SENT",  "SYN_RECV",
	"FIN_WAIT1",	"FIN_WAIT2",	  "TIME_WAIT", "CLOSE",
	"CLOSE_WAIT",	"LAST_ACK",	  "LISTEN",    "CLOSING",
	"NEW_SYN_RECV", "BOUND_INACTIVE",
};

static const char *state_name(__u32 st)
{
	return st >= 1 && st <= 13 ? names[st] : "UNKNOWN";
}

struct run {
	struct hist_view v;
	struct hist_entry e[MAX_ENTRIES];
	__u8 opts;
	size_t cap;
};

static int memfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = memfd_create("fuzz_hist_fmt", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("memfd_create");
		abort();
	}
	return 0;
}

static void build(struct fuzz_in *in, struct run *r)
{
	__u8 n;

	memset(r, 0, sizeof(*r));
	r->opts = fuzz_u8(in);
	r->cap = 1 + fuzz_u8(in) * 8;
	r->v.key = r->opts & 3;
	r->v.unit_ns = r->opts & OPT_MS ? 1000000 : 1000;
	r->v.untimed = fuzz_u64(in);
	r->v.lost = fuzz_u64(in);
	r->v.missed = fuzz_u64(in);
	r->v.gaps = fuzz_u64(in);
	r->v.elapsed_ns = fuzz_u64(in);
	n = fuzz_u8(in) % (MAX_ENTRIES + 1);
	for (int i = 0; i < n; i++) {
		struct hist_entry *e = &r->e[i];
		__u8 sb = fuzz_u8(in), pb = fuzz_u8(in), k;

		e->key.state = sb == 0xff ? fuzz_u32(in) : sb;
		if (pb == 0xff)
			e->key.port = TT_PORT_OTHER;
		else if (pb & 0x80)
			e->key.port = fuzz_u16(in);
		else
			e->key.port = pb;
		k = fuzz_u8(in) % 9;
		for (int j = 0; j < k; j++) {
			__u8 s = fuzz_u8(in) % TT_HIST_SLOTS;
			__u64 v = r->opts & OPT_HUGE ? fuzz_u64(in) :
						       fuzz_u32(in);

			e->h.slots[s] += v;
			e->h.count += v;
		}
		if (r->opts & OPT_RELAXED)
			e->h.count = fuzz_u64(in) >>
				     (r->opts & OPT_HUGE ? 0 : 8);
		e->h.sum_ns = fuzz_u64(in);
		e->h.max_ns = fuzz_u64(in);
	}
	r->v.e = r->e;
	r->v.n = n;
}

/* nearest rank, in 128 bits: the bound of the slot that holds it */
static __u64 quantile(const struct tt_hist *h, unsigned int q, __u64 unit)
{
	unsigned __int128 rank, seen = 0;

	if (!h->count)
		return 0;
	rank = ((unsigned __int128)h->count * q + 99) / 100;
	if (!rank)
		rank = 1;
	for (int s = 0; s < TT_HIST_SLOTS - 1; s++) {
		seen += h->slots[s];
		if (seen >= rank) {
			unsigned __int128 up = (unsigned __int128)unit << s;

			return up < h->max_ns ? (__u64)up : h->max_ns;
		}
	}
	return h->max_ns;
}

/* "0.081ms", "480.2ms", "1.204s": three, one, three decimals, truncated */
static void human(char *buf, size_t len, __u64 ns)
{
	unsigned long long n = ns;

	if (n < 1000000ULL)
		snprintf(buf, len, "%llu.%03llums", n / 1000000,
			 n % 1000000 / 1000);
	else if (n < 1000000000ULL)
		snprintf(buf, len, "%llu.%01llums", n / 1000000,
			 n % 1000000 / 100000);
	else
		snprintf(buf, len, "%llu.%03llus", n / 1000000000,
			 n % 1000000000 / 1000000);
}

static void ms(char *buf, size_t len, __u64 ns)
{
	snprintf(buf, len, "%llu.%06llu", (unsigned long long)(ns / 1000000),
		 (unsigned long long)(ns % 1000000));
}

static const char *key_text(const struct run *r)
{
	static const char *const k[4] = { "service port", "lport", "rport",
					  "?" };

	return k[r->v.key & 3];
}

static void port_str(char *buf, size_t len, __u32 port)
{
	if (port == TT_PORT_OTHER)
		snprintf(buf, len, "other");
	else
		snprintf(buf, len, "%u", port);
}

/* the next line of the output, without its '\n' */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	const char *line = *p, *nl;

	FUZZ_CHECK(line < end, "the text output ends early");
	nl = memchr(line, '\n', end - line);
	FUZZ_CHECK(nl, "a line without its \\n");
	*len = nl - line;
	*p = nl + 1;
	return line;
}

static void expect_line(const char **p, const char *end, const char *want)
{
	size_t len;
	const char *line = next_line(p, end, &len);

	FUZZ_CHECK(len == strlen(want) && !memcmp(line, want, len),
		   "text line '%.*s', want '%s'", (int)len, line, want);
}

static void check_bars(const struct run *r, const struct tt_hist *h,
		       const char **p, const char *end)
{
	bool huge = r->opts & OPT_HUGE;
	int first = -1, last = -1, stars[TT_HIST_SLOTS] = { 0 };
	__u64 most = 0;
	char want[160];

	for (int s = 0; s < TT_HIST_SLOTS; s++) {
		if (!h->slots[s])
			continue;
		if (first < 0)
			first = s;
		last = s;
		if (h->slots[s] > most)
			most = h->slots[s];
	}
	snprintf(want, sizeof(want), "     %-24s:    count distribution",
		 r->v.unit_ns == 1000 ? "usecs" : "msecs");
	expect_line(p, end, want);
	for (int s = first; first >= 0 && s <= last; s++) {
		__u64 n = h->slots[s];
		unsigned __int128 exact = (unsigned __int128)n * 40 / most;
		char range[48], cnt[24];
		const char *line, *bar;
		size_t len, pre;
		int k = 0;

		if (!s)
			snprintf(range, sizeof(range), "0 -> 1");
		else if (s == TT_HIST_SLOTS - 1)
			snprintf(range, sizeof(range), "%llu -> inf",
				 (1ULL << (s - 1)) + 1);
		else
			snprintf(range, sizeof(range), "%llu -> %llu",
				 (1ULL << (s - 1)) + 1, 1ULL << s);
		snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)n);
		pre = snprintf(want, sizeof(want), "     %-24s: %8s |", range,
			       cnt);
		line = next_line(p, end, &len);
		FUZZ_CHECK(len == pre + 41 && !memcmp(line, want, pre) &&
				   line[len - 1] == '|',
			   "bar line '%.*s', want '%s' + 40 + '|'", (int)len,
			   line, want);
		bar = line + pre;
		while (k < 40 && bar[k] == '*')
			k++;
		for (int i = k; i < 40; i++)
			FUZZ_CHECK(bar[i] == ' ',
				   "a bar not '*' then ' ': '%.*s'", (int)len,
				   line);
		stars[s] = k;
		if (!n)
			FUZZ_CHECK(!k, "stars for an empty slot: '%.*s'",
				   (int)len, line);
		else if (!huge)
			FUZZ_CHECK(k == (exact ? (int)exact : 1),
				   "%d stars, want %d: '%.*s'", k,
				   exact ? (int)exact : 1, (int)len, line);
		else /* n * 40 rounds in a double past 2^53 / 5 */
			FUZZ_CHECK(k >= 1 && k + 1 >= (int)exact &&
					   k <= (int)exact + 1,
				   "%d stars, exactly %d: '%.*s'", k,
				   (int)exact, (int)len, line);
	}
	for (int a = first; first >= 0 && a <= last; a++)
		for (int b = first; b <= last; b++)
			FUZZ_CHECK(h->slots[a] > h->slots[b] ||
					   stars[a] <= stars[b],
				   "slot %d has more stars than %d, and less",
				   a, b);
}

static void check_text(const struct run *r, const char *out, size_t len)
{
	const char *p = out, *end = out + len;
	bool huge = r->opts & OPT_HUGE;
	char want[256], port[16], p50[32], p99[32], max[32];

	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((out[i] >= 0x20 && out[i] < 0x7f) || out[i] == '\n',
			   "byte 0x%02x at %zu in the text",
			   (unsigned char)out[i], i);
	if (!r->v.n)
		expect_line(&p, end,
			    "(no time in the selected states measured yet)");
	for (size_t i = 0; i < r->v.n; i++) {
		const struct hist_entry *e = &r->e[i];
		const char *line;
		size_t l, n;

		port_str(port, sizeof(port), e->key.port);
		n = snprintf(want, sizeof(want), "%s time, %s %s: count %llu, ",
			     state_name(e->key.state), key_text(r), port,
			     (unsigned long long)e->h.count);
		line = next_line(&p, end, &l);
		FUZZ_CHECK(l > n && !memcmp(line, want, n),
			   "entry line '%.*s', want '%s...'", (int)l, line,
			   want);
		if (!huge) {
			human(p50, sizeof(p50),
			      quantile(&e->h, 50, r->v.unit_ns));
			human(p99, sizeof(p99),
			      quantile(&e->h, 99, r->v.unit_ns));
			human(max, sizeof(max), e->h.max_ns);
			snprintf(want + n, sizeof(want) - n,
				 "p50 <= %s, p99 <= %s, max %s", p50, p99, max);
			FUZZ_CHECK(l == strlen(want) && !memcmp(line, want, l),
				   "entry line '%.*s', want '%s'", (int)l, line,
				   want);
		}
		check_bars(r, &e->h, &p, end);
		expect_line(&p, end, "");
	}
	if (r->v.untimed) {
		snprintf(want, sizeof(want),
			 "%llu left a selected state they entered before "
			 "tcptrail started, or after a step unseen: not in "
			 "the histograms",
			 (unsigned long long)r->v.untimed);
		expect_line(&p, end, want);
	}
	if (r->v.missed) {
		snprintf(want, sizeof(want),
			 "%llu transitions missed (the program was busy on "
			 "that CPU): not counted",
			 (unsigned long long)r->v.missed);
		expect_line(&p, end, want);
	}
	if (r->v.gaps) {
		snprintf(want, sizeof(want),
			 "%llu gaps: a socket left a state it was not seen "
			 "entering",
			 (unsigned long long)r->v.gaps);
		expect_line(&p, end, want);
	}
	FUZZ_CHECK(p == end, "text after the end: '%.*s'", (int)(end - p), p);
}

static const struct json_member *need(const struct json_doc *d, const char *key,
				      const char *what)
{
	const struct json_member *m = json_get(d, key);

	FUZZ_CHECK(m, "no \"%s\" in %s", key, what);
	return m;
}

static void need_raw(const struct json_doc *d, const char *key,
		     const char *want, const char *what)
{
	const struct json_member *m = need(d, key, what);

	FUZZ_CHECK(
		m->val_len == strlen(want) && !memcmp(m->val, want, m->val_len),
		"\"%s\" is %.*s, want %s", key, (int)m->val_len, m->val, want);
}

static void need_u64(const struct json_doc *d, const char *key, __u64 v,
		     const char *what)
{
	FUZZ_CHECK(json_u64_is(need(d, key, what), v), "\"%s\" is not %llu",
		   key, (unsigned long long)v);
}

static void need_ms(const struct json_doc *d, const char *key, __u64 ns,
		    const char *what)
{
	char want[32];

	ms(want, sizeof(want), ns);
	need_raw(d, key, want, what);
}

static void check_json_entry(const struct run *r, const struct hist_entry *e,
			     const char *s, size_t n)
{
	const struct json_member *b;
	struct json_doc d;
	const char *err, *elem;
	char want[48];
	size_t pos = 0, elen;
	int slot = 0;

	err = json_parse_object(s, n, &d);
	FUZZ_CHECK(!err, "entry not an object (%s): %.*s", err, (int)n, s);
	FUZZ_CHECK(d.n == 8, "%zu members in %.*s", d.n, (int)n, s);
	snprintf(want, sizeof(want), "\"%s\"", state_name(e->key.state));
	need_raw(&d, "state", want, "an entry");
	if (e->key.port == TT_PORT_OTHER)
		need_raw(&d, "port", "\"other\"", "an entry");
	else
		need_u64(&d, "port", e->key.port, "an entry");
	need_u64(&d, "count", e->h.count, "an entry");
	need_ms(&d, "sum_ms", e->h.sum_ns, "an entry");
	if (!(r->opts & OPT_HUGE)) {
		need_ms(&d, "p50_ms", quantile(&e->h, 50, r->v.unit_ns),
			"an entry");
		need_ms(&d, "p99_ms", quantile(&e->h, 99, r->v.unit_ns),
			"an entry");
	}
	need_ms(&d, "max_ms", e->h.max_ns, "an entry");
	b = need(&d, "buckets", "an entry");
	while (json_array_next(b->val, b->val_len, &pos, &elem, &elen)) {
		struct json_doc bd;

		while (slot < TT_HIST_SLOTS && !e->h.slots[slot])
			slot++;
		FUZZ_CHECK(slot < TT_HIST_SLOTS, "a bucket too many: %.*s",
			   (int)elen, elem);
		err = json_parse_object(elem, elen, &bd);
		FUZZ_CHECK(!err && bd.n == 2, "bad bucket %.*s", (int)elen,
			   elem);
		if (slot == TT_HIST_SLOTS - 1)
			need_raw(&bd, "le", "null", "a bucket");
		else
			need_u64(&bd, "le", 1ULL << slot, "a bucket");
		need_u64(&bd, "count", e->h.slots[slot], "a bucket");
		slot++;
	}
	while (slot < TT_HIST_SLOTS && !e->h.slots[slot])
		slot++;
	FUZZ_CHECK(slot == TT_HIST_SLOTS, "no bucket for slot %d", slot);
}

static void check_json(const struct run *r, const char *out, size_t len)
{
	static const char *const keys[4] = { "service", "lport", "rport", "?" };
	const struct json_member *h;
	struct json_doc d;
	const char *err, *elem;
	char want[48];
	size_t pos = 0, elen, i = 0;

	FUZZ_CHECK(len && out[len - 1] == '\n' &&
			   memchr(out, '\n', len) == out + len - 1,
		   "not one line: %.*s", (int)len, out);
	err = json_parse_object(out, len - 1, &d);
	FUZZ_CHECK(!err, "not strict JSON (%s): %.*s", err, (int)len, out);
	FUZZ_CHECK(d.n == 8, "%zu members: %.*s", d.n, (int)len, out);
	need_ms(&d, "elapsed_ms", r->v.elapsed_ns, "the object");
	need_raw(&d, "unit", r->v.unit_ns == 1000 ? "\"us\"" : "\"ms\"",
		 "the object");
	snprintf(want, sizeof(want), "\"%s\"", keys[r->v.key & 3]);
	need_raw(&d, "key", want, "the object");
	need_u64(&d, "untimed", r->v.untimed, "the object");
	need_u64(&d, "lost", r->v.lost, "the object");
	need_u64(&d, "missed", r->v.missed, "the object");
	need_u64(&d, "gaps", r->v.gaps, "the object");
	h = need(&d, "hists", "the object");
	while (json_array_next(h->val, h->val_len, &pos, &elem, &elen)) {
		FUZZ_CHECK(i < r->v.n, "more entries than %zu", r->v.n);
		check_json_entry(r, &r->e[i++], elem, elen);
	}
	FUZZ_CHECK(i == r->v.n, "%zu entries, want %zu", i, r->v.n);
}

/* what was written: the memfd, then what is still buffered */
static char *collect(struct out *o, size_t *len)
{
	off_t flushed = 0;
	char *buf;

	if (o->fd >= 0)
		flushed = lseek(o->fd, 0, SEEK_END);
	FUZZ_CHECK(flushed >= 0, "lseek failed");
	buf = malloc(flushed + o->len + 1);
	FUZZ_CHECK(buf, "out of memory");
	if (flushed)
		FUZZ_CHECK(pread(o->fd, buf, flushed, 0) == flushed,
			   "short read from the memfd");
	memcpy(buf + flushed, o->buf, o->len);
	*len = flushed + o->len;
	buf[*len] = '\0';
	return buf;
}

static char *render(const struct run *r, bool json, size_t *len)
{
	int fd = r->opts & OPT_FD ? memfd : -1;
	struct out o;
	char *text;

	if (fd >= 0)
		FUZZ_CHECK(!ftruncate(fd, 0) && !lseek(fd, 0, SEEK_SET),
			   "cannot reset the memfd");
	FUZZ_CHECK(!out_init(&o, fd, r->cap), "out_init");
	o.line_buffered = fd >= 0;
	if (json)
		hist_print_json(&o, &r->v);
	else
		hist_print_text(&o, &r->v);
	FUZZ_CHECK(!out_flush(&o) && !o.err, "output error %d", o.err);
	text = collect(&o, len);
	out_free(&o);
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "%s", text);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct run r;
	size_t len;
	char *out;

	build(&in, &r);
	out = render(&r, false, &len);
	check_text(&r, out, len);
	free(out);
	out = render(&r, true, &len);
	check_json(&r, out, len);
	free(out);
	return 0;
}
