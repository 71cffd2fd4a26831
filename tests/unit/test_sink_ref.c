// SPDX-License-Identifier: GPL-2.0
/*
 * The trace lines, text and JSON, against a reference written the plain
 * way: snprintf(), inet_ntop(), strftime() and the escaping loops as they
 * were before the lines were written in place (output/put.h). Random
 * events of every kind (families, hostile names, states out of range,
 * any flags, unknown times), -T and -w: byte for byte the same.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "unit.h"
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/sink.h"

#define ROUNDS 20000

struct ref {
	char buf[4096];
	size_t len;
};

static void add(struct ref *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add(struct ref *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r->len += vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
}

/* a column: s, padded to width, then one space */
static void col(struct ref *r, const char *s, int width)
{
	add(r, "%-*s ", width, s);
}

static void rcol(struct ref *r, const char *s, int width)
{
	add(r, "%*s ", width, s);
}

static void ref_addr(char *buf, size_t len, __u16 family, const __u8 *a,
		     bool brackets)
{
	char ip[INET6_ADDRSTRLEN];

	if (family == AF_INET)
		inet_ntop(AF_INET, a, buf, len);
	else if (family != AF_INET6)
		snprintf(buf, len, "?");
	else if (inet_ntop(AF_INET6, a, ip, sizeof(ip)) && brackets)
		snprintf(buf, len, "[%s]", ip);
	else
		snprintf(buf, len, "%s", ip);
}

static void ref_text_esc(char *p, const char *s)
{
	for (size_t i = 0; i < TT_COMM_LEN && s[i]; i++) {
		unsigned char c = s[i];

		if (c > ' ' && c < 0x7f && c != '\\')
			*p++ = c;
		else
			p += sprintf(p, "\\x%02x", c);
	}
	*p = '\0';
}

/* json_quote() as it was: strict UTF-8 kept, the rest escaped or U+FFFD */
static void ref_json_quote(struct ref *r, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, TT_COMM_LEN);

	add(r, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];

		if (c == '"' || c == '\\') {
			add(r, "\\%c", c);
		} else if (c < 0x20 || c == 0x7f) {
			add(r, "\\u%04x", c);
		} else if (c < 0x80) {
			add(r, "%c", c);
		} else if (i + 2 <= n && c < 0xe0 && utf8_valid(u + i, 2)) {
			add(r, "%.2s", s + i);
			i += 1;
		} else if (i + 3 <= n && c >= 0xe0 && c < 0xf0 &&
			   utf8_valid(u + i, 3)) {
			add(r, "%.3s", s + i);
			i += 2;
		} else if (i + 4 <= n && c >= 0xf0 && utf8_valid(u + i, 4)) {
			add(r, "%.4s", s + i);
			i += 3;
		} else {
			add(r, "\xef\xbf\xbd");
		}
	}
	add(r, "\"");
}

static void ref_wall(struct ref *r, const struct fmt_ctx *c, __u64 ts, bool utc)
{
	__u64 real = ts + c->mono_to_real;
	time_t sec = real / 1000000000ULL;
	char s[64];
	struct tm tm;

	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	strftime(s, sizeof(s), utc ? "%Y-%m-%dT%H:%M:%S." : "%H:%M:%S.", &tm);
	add(r, "%s%06llu%s", s,
	    (unsigned long long)(real % 1000000000ULL / 1000), utc ? "Z" : "");
}

static void ref_text(struct ref *r, const struct fmt_ctx *c,
		     const struct tt_event *e)
{
	int aw = c->wide ? 47 : 21;
	char s[128], a[64];
	const char *comm;
	__u32 pid;

	if (c->wall) {
		struct ref t = { .len = 0 };

		ref_wall(&t, c, e->ts_ns, false);
		col(r, t.buf, 15);
	} else {
		__u64 d = e->ts_ns > c->start_ns ? e->ts_ns - c->start_ns : 0;

		snprintf(s, sizeof(s), "%llu.%06llu",
			 (unsigned long long)(d / 1000000000ULL),
			 (unsigned long long)(d % 1000000000ULL / 1000));
		rcol(r, s, 15);
	}
	pid = tt_event_who(e, &comm);
	if (pid) {
		snprintf(s, sizeof(s), "%u", pid);
		rcol(r, s, 7);
		ref_text_esc(s, comm);
		col(r, s[0] ? s : "-", 16);
	} else {
		rcol(r, "-", 7);
		col(r, "-", 16);
	}
	ref_addr(a, sizeof(a), e->family, e->saddr, true);
	snprintf(s, sizeof(s), "%s:%u", a, e->sport);
	col(r, s, aw);
	ref_addr(a, sizeof(a), e->family, e->daddr, true);
	snprintf(s, sizeof(s), "%s:%u", a, e->dport);
	col(r, s, aw);
	col(r, tcp_state_str(e->oldstate), 11);
	col(r, "->", 2);
	col(r, tcp_state_str(e->newstate), 11);
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		add(r, "-");
	else
		add(r, "%llu.%03llu",
		    (unsigned long long)(e->delta_ns / 1000000),
		    (unsigned long long)(e->delta_ns % 1000000 / 1000));
	add(r, "\n");
}

static void ref_json(struct ref *r, const struct fmt_ctx *c,
		     const struct tt_event *e)
{
	char a[64];
	const char *comm;
	__u32 pid;

	add(r, "{\"type\":\"transition\",\"time\":\"");
	ref_wall(r, c, e->ts_ns, true);
	add(r, "\",\"ts_ns\":%llu,\"sock_id\":%llu,\"family\":\"%s\"",
	    (unsigned long long)e->ts_ns, (unsigned long long)e->sock_id,
	    tt_family_str(e->family));
	ref_addr(a, sizeof(a), e->family, e->saddr, false);
	add(r, ",\"laddr\":\"%s\",\"lport\":%u", a, e->sport);
	ref_addr(a, sizeof(a), e->family, e->daddr, false);
	add(r, ",\"raddr\":\"%s\",\"rport\":%u", a, e->dport);
	add(r, ",\"old\":\"%s\",\"new\":\"%s\",\"ms\":",
	    tcp_state_str(e->oldstate), tcp_state_str(e->newstate));
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		add(r, "null");
	else
		add(r, "%llu.%06llu",
		    (unsigned long long)(e->delta_ns / 1000000),
		    (unsigned long long)(e->delta_ns % 1000000));
	if (e->seen_state && e->seen_state != e->oldstate)
		add(r, ",\"seen\":\"%s\"", tcp_state_str(e->seen_state));
	pid = tt_event_who(e, &comm);
	if (pid) {
		add(r, ",\"pid\":%u,\"comm\":", pid);
		ref_json_quote(r, comm);
	} else {
		add(r, ",\"pid\":null,\"comm\":null");
	}
	add(r, ",\"owner\":%s",
	    e->flags & TT_F_OWNER_ACCEPT   ? "\"accept\"" :
	    e->flags & TT_F_OWNER_LISTENER ? "\"listener\"" :
	    e->flags & TT_F_OWNER_KNOWN	   ? "\"socket\"" :
	    pid				   ? "\"task\"" :
					     "null");
	add(r, ",\"ctx\":%s",
	    e->flags & TT_F_PROCESS_CTX ? "\"process\"" : "\"softirq\"");
	if (!pid || pid != e->tgid || strncmp(comm, e->comm, TT_COMM_LEN)) {
		add(r,
		    ",\"task_pid\":%u,\"task_tid\":%u,\"task_comm\":", e->tgid,
		    e->pid);
		ref_json_quote(r, e->comm);
	}
	if (e->flags & TT_F_TIME_WAIT)
		add(r, ",\"time_wait\":true");
	add(r, ",\"netns\":%u", e->netns);
	/* no cgroup v2 names here: the id alone */
	if (e->cgroup_id)
		add(r, ",\"cgroup_id\":%llu", (unsigned long long)e->cgroup_id);
	else
		add(r, ",\"cgroup_id\":null");
	add(r, ",\"cgroup\":null}\n");
}

static __u64 rnd64(void)
{
	return (__u64)random() << 42 ^ (__u64)random() << 21 ^ random();
}

/* a name: plain, empty, full 16 bytes, or hostile bytes of any kind */
static void rnd_comm(char *s)
{
	static const char *const names[] = {
		"curl",
		"nginx",
		"",
		"a b",
		"back\\slash",
		"\"q\"",
		"\x1b[31m",
		"caf\xc3\xa9",
		"\xe2\x82\xac\xf0\x9f\x98\x80",
		"\xc3",
		"\xed\xa0\x80",
		"\xc0\xaf",
		"\x7f\x80\xff",
		"0123456789abcdef",
	};
	int k = random() % 4;

	memset(s, 0, TT_COMM_LEN);
	if (k < 2)
		strncpy(s, names[random() % (sizeof(names) / sizeof(names[0]))],
			TT_COMM_LEN);
	else
		for (int i = 0; i < TT_COMM_LEN; i++)
			s[i] = k == 2 ? 0x20 + random() % 0x5f : random();
	/* a byte of any value anywhere, or a NUL cutting the name short */
	if (k == 1)
		s[random() % TT_COMM_LEN] = random();
	if (random() % 4 == 0)
		s[random() % TT_COMM_LEN] = 0;
}

static void rnd_addr(__u8 *a)
{
	for (int i = 0; i < TT_ADDR_LEN; i++)
		a[i] = random() % 3 ? 0 : random();
	if (random() % 4 == 0) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
	}
}

static void rnd_event(struct tt_event *e, __u64 start)
{
	static const __u16 families[] = { AF_INET, AF_INET6, AF_INET6, 0,
					  AF_UNIX };

	memset(e, 0, sizeof(*e));
	e->family = families[random() % 5];
	rnd_addr(e->saddr);
	rnd_addr(e->daddr);
	e->sport = random();
	e->dport = random() % 2 ? random() : 0;
	e->oldstate = random() % 2 ? random() % 16 : random();
	e->newstate = random() % 16;
	e->flags = random();
	e->ts_ns = random() % 8 ? start + (rnd64() >> (random() % 64)) :
				  rnd64();
	e->delta_ns = random() % 8 ? rnd64() >> (random() % 64) :
				     TT_DELTA_UNKNOWN;
	e->seen_state = random() % 4 ? e->oldstate : random() % 16;
	e->sock_id = rnd64() >> (random() % 64);
	e->pid = random() % 4 ? (__u64)random() % 4194304 : rnd64();
	e->tgid = random() % 2 ? e->pid : (__u32)rnd64();
	e->owner_tgid = random() % 4 ? random() % 100000 : 0;
	e->netns = rnd64();
	e->cgroup_id = random() % 4 ? rnd64() >> (random() % 64) : 0;
	rnd_comm(e->comm);
	if (random() % 2)
		memcpy(e->owner_comm, e->comm, TT_COMM_LEN);
	else
		rnd_comm(e->owner_comm);
	if (random() % 4 == 0)
		e->owner_tgid = e->tgid;
}

static void lines_same(const struct sink_ops *sink, bool json)
{
	struct fmt_ctx c;
	struct tt_event e;
	struct ref r;
	struct out o;

	srandom(json ? 7 : 11);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(out_init(&o, -1, 16), 0);
	for (int i = 0; i < ROUNDS; i++) {
		fmt_ctx_init(&c, &o, random() % 2, random() % 2);
		c.start_ns = rnd64() >> 2;
		c.mono_to_real = 1700000000000000000LL - (__s64)c.start_ns;
		rnd_event(&e, c.start_ns);
		out_clear(&o);
		r.len = 0;
		sink->event(&c, &e);
		if (json)
			ref_json(&r, &c, &e);
		else
			ref_text(&r, &c, &e);
		if (o.len != r.len || memcmp(o.buf, r.buf, r.len))
			fail_msg("event %d:\n got: %.*s\nwant: %.*s", i,
				 (int)o.len, o.buf, (int)r.len, r.buf);
	}
	out_free(&o);
}

static void test_text_lines(void **state)
{
	(void)state;
	lines_same(&sink_text, false);
}

static void test_json_lines(void **state)
{
	(void)state;
	lines_same(&sink_json, true);
}

UNIT_GROUP(sink_ref)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_json_lines),
	};

	return cmocka_run_group_tests_name("sink_ref", tests, NULL, NULL);
}
