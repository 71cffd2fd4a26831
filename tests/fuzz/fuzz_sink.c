// SPDX-License-Identifier: GPL-2.0
/*
 * Ring-buffer records through the event decoder and both trace sinks.
 *
 * Input: the first sizeof(struct tt_event) bytes are the record, viewed
 * in place as the ring-buffer callback does (any bytes: hostile comm,
 * states out of range, unknown families, flags in any combination). A
 * shorter input is a truncated record: the decoder must refuse it (its
 * bytes are then used zero-padded). What follows drives the sink: option
 * bits, initial buffer size, start time, clock offset, the lost count
 * and a second timestamp.
 *
 * Checked on every output, independently of the formatters: the text
 * lines are printable ASCII only, columns line up, every field reads back
 * as the record says (comm unescaped byte for byte); the JSON lines are
 * each one strict JSON object with unique keys, valid UTF-8, no raw
 * control byte, and every member has the value the record implies.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "fuzz_common.h"
#include "model/event.h"
#include "output/addrfmt.h"
#include "output/sink.h"
#include "model/tcp_state.h"

enum {
	OPT_WALL = 1 << 0,
	OPT_WIDE = 1 << 1,
	OPT_FD = 1 << 2, /* write through a memfd: flushes mid-stream */
	OPT_LINEBUF = 1 << 3, /* and flush at every line end */
	OPT_TS2 = 1 << 4, /* the second event at another time */
};

struct run {
	const struct tt_event *e[2];
	unsigned int opts;
	size_t cap;
	__u64 start_ns;
	__s64 mono_to_real;
	__u64 lost;
};

static int memfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* localtime is UTC, so that the expected wall clock is computable */
	setenv("TZ", "UTC", 1);
	tzset();
	memfd = memfd_create("fuzz_sink", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("memfd_create");
		abort();
	}
	return 0;
}

/* what the sink wrote: the memfd's contents, then what is still buffered */
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

static char *run_sink(const struct sink_ops *ops, const struct run *r,
		      size_t *len)
{
	struct fmt_ctx c;
	struct out o;
	int fd = -1;
	char *text;

	if (r->opts & OPT_FD) {
		fd = memfd;
		FUZZ_CHECK(!ftruncate(fd, 0) && !lseek(fd, 0, SEEK_SET),
			   "cannot reset the memfd");
	}
	FUZZ_CHECK(!out_init(&o, fd, r->cap), "out_init");
	if (r->opts & OPT_LINEBUF)
		o.line_buffered = true;
	fmt_ctx_init(&c, &o, r->opts & OPT_WALL, r->opts & OPT_WIDE);
	c.start_ns = r->start_ns;
	c.mono_to_real = r->mono_to_real;

	ops->header(&c);
	ops->event(&c, r->e[0]);
	ops->lost(&c, r->lost);
	ops->event(&c, r->e[1]);
	FUZZ_CHECK(!out_flush(&o) && !o.err, "output error %d", o.err);
	text = collect(&o, len);
	out_free(&o);
	return text;
}

/* the shown owner, decided here without tt_event_who() */
static __u32 who(const struct tt_event *e, const char **comm)
{
	*comm = NULL;
	if (e->flags & TT_F_OWNER_KNOWN) {
		*comm = e->owner_comm;
		return e->owner_tgid;
	}
	if (e->flags & TT_F_PROCESS_CTX) {
		*comm = e->comm;
		return e->tgid;
	}
	return 0;
}

static void addr_str(char *buf, size_t len, const struct tt_event *e,
		     bool remote, bool brackets)
{
	const __u8 *a = remote ? e->daddr : e->saddr;
	char ip[INET6_ADDRSTRLEN];

	if (e->family == AF_INET) {
		snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else if (e->family == AF_INET6) {
		FUZZ_CHECK(inet_ntop(AF_INET6, a, ip, sizeof(ip)), "inet_ntop");
		snprintf(buf, len, brackets ? "[%s]" : "%s", ip);
	} else {
		snprintf(buf, len, "?");
	}
}

static void endpoint_str(char *buf, size_t len, const struct tt_event *e,
			 bool remote)
{
	char a[64];

	addr_str(a, sizeof(a), e, remote, true);
	snprintf(buf, len, "%s:%u", a, remote ? e->dport : e->sport);
}

/* days since 1970-01-01 to a civil date (H. Hinnant's algorithm) */
static void civil(__u64 days, unsigned int *y, unsigned int *m, unsigned int *d)
{
	__u64 z = days + 719468, era = z / 146097;
	__u64 doe = z - era * 146097;
	__u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	__u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	__u64 mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static void wall_str(char *buf, size_t len, const struct run *r, __u64 ts,
		     bool iso)
{
	__u64 real = ts + (__u64)r->mono_to_real;
	__u64 sec = real / 1000000000ULL, us = real % 1000000000ULL / 1000;
	unsigned int y, mo, d;

	civil(sec / 86400, &y, &mo, &d);
	if (iso)
		snprintf(buf, len, "%04u-%02u-%02uT%02u:%02u:%02u.%06lluZ", y,
			 mo, d, (unsigned int)(sec / 3600 % 24),
			 (unsigned int)(sec / 60 % 60),
			 (unsigned int)(sec % 60), (unsigned long long)us);
	else
		snprintf(buf, len, "%02u:%02u:%02u.%06llu",
			 (unsigned int)(sec / 3600 % 24),
			 (unsigned int)(sec / 60 % 60),
			 (unsigned int)(sec % 60), (unsigned long long)us);
}

/* a comm as the text output must show it: \xNN for anything unsafe */
static size_t comm_text(char *buf, const char *comm)
{
	size_t o = 0;

	for (size_t i = 0; i < TT_COMM_LEN && comm[i]; i++) {
		unsigned char c = comm[i];

		if (c >= 0x21 && c <= 0x7e && c != '\\')
			buf[o++] = c;
		else
			o += sprintf(buf + o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return o;
}

/* a comm as the JSON string must decode: U+FFFD for each bad byte */
static size_t comm_json(char *buf, const char *comm)
{
	return utf8_repair(buf, (const __u8 *)comm, strnlen(comm, TT_COMM_LEN));
}

static void ms_str(char *buf, size_t len, __u64 ns, int digits)
{
	__u64 frac = ns % 1000000ULL;

	if (digits == 3)
		snprintf(buf, len, "%llu.%03llu",
			 (unsigned long long)(ns / 1000000ULL),
			 (unsigned long long)(frac / 1000));
	else
		snprintf(buf, len, "%llu.%06llu",
			 (unsigned long long)(ns / 1000000ULL),
			 (unsigned long long)frac);
}

/* one event line of the text sink, without its '\n' */
static void check_text_event(const struct run *r, const struct tt_event *e,
			     const char *line, size_t len)
{
	static const size_t widths[9] = { 15, 7, 16, 21, 21, 11, 2, 11, 0 };
	char want[9][96];
	const char *p = line, *end = line + len, *comm;
	__u32 pid = who(e, &comm);
	int k;

	if (r->opts & OPT_WALL) {
		wall_str(want[0], sizeof(want[0]), r, e->ts_ns, false);
	} else {
		__u64 d = e->ts_ns > r->start_ns ? e->ts_ns - r->start_ns : 0;

		snprintf(want[0], sizeof(want[0]), "%llu.%06llu",
			 (unsigned long long)(d / 1000000000ULL),
			 (unsigned long long)(d % 1000000000ULL / 1000));
	}
	if (pid) {
		snprintf(want[1], sizeof(want[1]), "%u", pid);
		if (comm[0])
			comm_text(want[2], comm);
		else
			strcpy(want[2], "-");
	} else {
		strcpy(want[1], "-");
		strcpy(want[2], "-");
	}
	endpoint_str(want[3], sizeof(want[3]), e, false);
	endpoint_str(want[4], sizeof(want[4]), e, true);
	snprintf(want[5], sizeof(want[5]), "%s", tcp_state_str(e->oldstate));
	strcpy(want[6], "->");
	snprintf(want[7], sizeof(want[7]), "%s", tcp_state_str(e->newstate));
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		strcpy(want[8], "-");
	else
		ms_str(want[8], sizeof(want[8]), e->delta_ns, 3);

	for (k = 0; k < 9; k++) {
		size_t wl = strlen(want[k]), width = widths[k], pad;
		/* numbers: seconds and PID, right-aligned in their width */
		bool right = k == 1 || (k == 0 && !(r->opts & OPT_WALL));

		if ((k == 3 || k == 4) && (r->opts & OPT_WIDE))
			width = 47;
		for (size_t i = 0; right && wl + i < width; i++, p++)
			FUZZ_CHECK(p < end && *p == ' ',
				   "column %d: right-aligned: '%.*s'", k,
				   (int)len, line);
		FUZZ_CHECK((size_t)(end - p) >= wl && !memcmp(p, want[k], wl),
			   "text column %d: want '%s' at '%.*s'", k, want[k],
			   (int)(end - p), p);
		p += wl;
		if (k == 8)
			break;
		/* padded to the column width, then one space */
		pad = !right && wl < width ? width - wl + 1 : 1;
		for (size_t i = 0; i < pad; i++, p++)
			FUZZ_CHECK(p < end && *p == ' ',
				   "column %d: %zu spaces expected: '%.*s'", k,
				   pad, (int)len, line);
	}
	FUZZ_CHECK(p == end, "trailing bytes in a text line: '%.*s'", (int)len,
		   line);
}

static void check_text(const struct run *r, const char *out, size_t len)
{
	const char *line = out, *nl;
	char want[128];
	int n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = out[i];

		FUZZ_CHECK((c >= 0x20 && c < 0x7f) || c == '\n',
			   "byte 0x%02x at %zu in text output", c, i);
	}
	FUZZ_CHECK(len && out[len - 1] == '\n', "text output not ended");
	for (; line < out + len; line = nl + 1, n++) {
		size_t l;

		nl = memchr(line, '\n', out + len - line);
		l = nl - line;
		switch (n) {
		case 0: /* header */
			while (l && *line == ' ')
				line++, l--;
			FUZZ_CHECK(l > 4 && !memcmp(line, "TIME", 4),
				   "header: '%.*s'", (int)l, line);
			break;
		case 1:
		case 3:
			check_text_event(r, r->e[n / 2], line, l);
			break;
		case 2:
			snprintf(want, sizeof(want),
				 "# lost %llu event%s: ring buffer full (raise "
				 "--ringbuf-size)",
				 (unsigned long long)r->lost,
				 r->lost == 1 ? "" : "s");
			FUZZ_CHECK(l == strlen(want) && !memcmp(line, want, l),
				   "lost line '%.*s'", (int)l, line);
			break;
		default:
			FUZZ_CHECK(0, "extra text line '%.*s'", (int)l, line);
		}
	}
	FUZZ_CHECK(n == 4, "%d text lines, 4 expected", n);
}

static const struct json_member *need(const struct json_doc *d, const char *key,
				      const char *line)
{
	const struct json_member *m = json_get(d, key);

	FUZZ_CHECK(m, "no \"%s\" in %s", key, line);
	return m;
}

static void need_str(const struct json_doc *d, const char *key,
		     const char *want, size_t len, const char *line)
{
	FUZZ_CHECK(json_string_is(need(d, key, line), want, len),
		   "\"%s\" is not \"%.*s\" in %s", key, (int)len, want, line);
}

static void need_raw(const struct json_doc *d, const char *key,
		     const char *want, const char *line)
{
	const struct json_member *m = need(d, key, line);

	FUZZ_CHECK(m->val_len == strlen(want) &&
			   !memcmp(m->val, want, m->val_len),
		   "\"%s\" is not %s in %s", key, want, line);
}

static void need_u64(const struct json_doc *d, const char *key, __u64 v,
		     const char *line)
{
	FUZZ_CHECK(json_u64_is(need(d, key, line), v),
		   "\"%s\" is not %llu in %s", key, (unsigned long long)v,
		   line);
}

static void check_json_event(const struct run *r, const struct tt_event *e,
			     char *line, size_t len)
{
	const char *comm, *err;
	struct json_doc d;
	char buf[128];
	size_t members = 19, n;
	__u32 pid = who(e, &comm);
	bool task;

	err = json_parse_object(line, len, &d);
	line[len] = '\0'; /* for the messages; was '\n' */
	FUZZ_CHECK(!err, "not strict JSON (%s): %s", err, line);

	need_str(&d, "type", "transition", 10, line);
	wall_str(buf, sizeof(buf), r, e->ts_ns, true);
	need_str(&d, "time", buf, strlen(buf), line);
	need_u64(&d, "ts_ns", e->ts_ns, line);
	need_u64(&d, "sock_id", e->sock_id, line);
	n = snprintf(buf, sizeof(buf), "%s",
		     e->family == AF_INET  ? "ipv4" :
		     e->family == AF_INET6 ? "ipv6" :
					     "unknown");
	need_str(&d, "family", buf, n, line);
	addr_str(buf, sizeof(buf), e, false, false);
	need_str(&d, "laddr", buf, strlen(buf), line);
	need_u64(&d, "lport", e->sport, line);
	addr_str(buf, sizeof(buf), e, true, false);
	need_str(&d, "raddr", buf, strlen(buf), line);
	need_u64(&d, "rport", e->dport, line);
	need_str(&d, "old", tcp_state_str(e->oldstate),
		 strlen(tcp_state_str(e->oldstate)), line);
	need_str(&d, "new", tcp_state_str(e->newstate),
		 strlen(tcp_state_str(e->newstate)), line);
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		strcpy(buf, "null");
	else
		ms_str(buf, sizeof(buf), e->delta_ns, 6);
	need_raw(&d, "ms", buf, line);
	if (e->seen_state && e->seen_state != e->oldstate) {
		n = snprintf(buf, sizeof(buf), "%s",
			     tcp_state_str(e->seen_state));
		need_str(&d, "seen", buf, n, line);
		members++;
	} else {
		FUZZ_CHECK(!json_get(&d, "seen"), "seen: %s", line);
	}
	if (pid) {
		need_u64(&d, "pid", pid, line);
		n = comm_json(buf, comm);
		need_str(&d, "comm", buf, n, line);
	} else {
		need_raw(&d, "pid", "null", line);
		need_raw(&d, "comm", "null", line);
	}
	need_raw(&d, "owner",
		 e->flags & TT_F_OWNER_ACCEPT	? "\"accept\"" :
		 e->flags & TT_F_OWNER_LISTENER ? "\"listener\"" :
		 e->flags & TT_F_OWNER_KNOWN	? "\"socket\"" :
		 pid				? "\"task\"" :
						  "null",
		 line);
	need_raw(&d, "ctx",
		 e->flags & TT_F_PROCESS_CTX ? "\"process\"" : "\"softirq\"",
		 line);
	task = !pid || pid != e->tgid || strncmp(comm, e->comm, TT_COMM_LEN);
	if (task) {
		need_u64(&d, "task_pid", e->tgid, line);
		need_u64(&d, "task_tid", e->pid, line);
		n = comm_json(buf, e->comm);
		need_str(&d, "task_comm", buf, n, line);
		members += 3;
	} else {
		FUZZ_CHECK(!json_get(&d, "task_pid"),
			   "task_pid where the task is the owner: %s", line);
	}
	if (e->flags & TT_F_TIME_WAIT) {
		need_raw(&d, "time_wait", "true", line);
		members++;
	}
	need_u64(&d, "netns", e->netns, line);
	/* no cgroup names here (fmt_ctx.cg NULL): the id alone */
	if (e->cgroup_id)
		need_u64(&d, "cgroup_id", e->cgroup_id, line);
	else
		need_raw(&d, "cgroup_id", "null", line);
	need_raw(&d, "cgroup", "null", line);
	FUZZ_CHECK(d.n == members, "%zu members, %zu expected: %s", d.n,
		   members, line);
}

static void check_json(const struct run *r, char *out, size_t len)
{
	char *line = out, *nl, want[64];
	int n = 0;

	FUZZ_CHECK(utf8_strict((const __u8 *)out, len),
		   "JSON output is not valid UTF-8");
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char)out[i] >= 0x20 || out[i] == '\n',
			   "raw byte 0x%02x at %zu in JSON output",
			   (unsigned char)out[i], i);
	FUZZ_CHECK(len && out[len - 1] == '\n', "JSON output not ended");
	for (; line < out + len; line = nl + 1, n++) {
		size_t l;

		nl = memchr(line, '\n', out + len - line);
		l = nl - line;
		switch (n) {
		case 0:
		case 2:
			check_json_event(r, r->e[n / 2], line, l);
			break;
		case 1:
			snprintf(want, sizeof(want),
				 "{\"type\":\"lost\",\"count\":%llu}",
				 (unsigned long long)r->lost);
			FUZZ_CHECK(l == strlen(want) && !memcmp(line, want, l),
				   "lost line '%.*s'", (int)l, line);
			break;
		default:
			FUZZ_CHECK(0, "extra JSON line '%.*s'", (int)l, line);
		}
	}
	FUZZ_CHECK(n == 3, "%d JSON lines, 3 expected", n);
}

/* the formatters the sinks use, against inet_ntop and snprintf */
static void check_event_fmt(const struct tt_event *e)
{
	char got[TT_ENDPOINT_LEN], want[96];
	int n;

	FUZZ_CHECK(!tt_endpoint_fmt(got, TT_ENDPOINT_LEN - 1, e->family,
				    e->saddr, e->sport) &&
			   !tt_addr_fmt(got, TT_ENDPOINT_LEN - 1, e->family,
					e->saddr),
		   "a formatter wrote into a short buffer");
	for (int remote = 0; remote < 2; remote++) {
		n = tt_endpoint_fmt(got, sizeof(got), e->family,
				    remote ? e->daddr : e->saddr,
				    remote ? e->dport : e->sport);
		endpoint_str(want, sizeof(want), e, remote);
		FUZZ_CHECK(n >= 0 && n < TT_ENDPOINT_LEN &&
				   (size_t)n == strlen(got) &&
				   !strcmp(got, want),
			   "endpoint '%s' (%d), want '%s'", got, n, want);
		n = tt_addr_fmt(got, sizeof(got), e->family,
				remote ? e->daddr : e->saddr);
		addr_str(want, sizeof(want), e, remote, false);
		FUZZ_CHECK((size_t)n == strlen(got) && !strcmp(got, want),
			   "address '%s', want '%s'", got, want);
	}
	FUZZ_CHECK(tt_tuple_key(e->family, e->saddr, e->sport, e->daddr,
				e->dport) >>
			   63,
		   "a tuple key without its top bit");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tt_event *e = tt_event_view(data, size);
	struct tt_event padded, second;
	struct fuzz_in in = { 0 };
	struct run r = { 0 };
	size_t len;
	char *out;

	if (size < sizeof(struct tt_event)) {
		FUZZ_CHECK(!e, "a %zu-byte record was accepted", size);
		memset(&padded, 0, sizeof(padded));
		memcpy(&padded, data, size);
		e = &padded;
	} else {
		FUZZ_CHECK(e == (const void *)data, "the view is not in place");
		in.p = data + sizeof(*e);
		in.n = size - sizeof(*e);
	}
	r.opts = fuzz_u8(&in);
	r.cap = 1 + fuzz_u8(&in) * 8;
	r.start_ns = fuzz_u64(&in);
	r.mono_to_real = (__s64)fuzz_u64(&in);
	r.lost = fuzz_u64(&in);
	second = *e;
	if (r.opts & OPT_TS2)
		second.ts_ns = fuzz_u64(&in);
	r.e[0] = e;
	r.e[1] = &second;

	check_event_fmt(e);
	out = run_sink(&sink_text, &r, &len);
	check_text(&r, out, len);
	free(out);
	out = run_sink(&sink_json, &r, &len);
	check_json(&r, out, len);
	free(out);
	return 0;
}
