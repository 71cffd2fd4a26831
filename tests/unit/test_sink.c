// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "unit.h"
#include "output/sink.h"
#include "tcptrail.h"

#define FFFD "\xef\xbf\xbd"
#define HOSTILE "\x1b[31m\"\n\xff"

/* CLOCK_MONOTONIC 1.5 s after start; wall clock 2023-11-14 22:13:21.5 UTC */
#define T_START 1000000000000ULL
#define T_EVENT (T_START + 1500000000ULL)
#define T_REAL 1700000001500000000ULL

struct fix {
	struct out o;
	struct fmt_ctx c;
	struct tt_event e;
};

/* an IPv4 ESTABLISHED -> CLOSE_WAIT event with everything known */
static void event_v4(struct tt_event *e)
{
	static const __u8 local[4] = { 127, 0, 0, 1 };
	static const __u8 remote[4] = { 10, 0, 0, 2 };

	memset(e, 0, sizeof(*e));
	memcpy(e->saddr, local, sizeof(local));
	memcpy(e->daddr, remote, sizeof(remote));
	e->ts_ns = T_EVENT;
	e->sock_id = 42;
	e->delta_ns = 480312000;
	e->pid = 101;
	e->tgid = 100;
	e->owner_tgid = 200;
	e->netns = 4026531840U;
	e->sport = 8080;
	e->dport = 51234;
	e->family = AF_INET;
	e->oldstate = 1;
	e->newstate = 8;
	e->flags = TT_F_PROCESS_CTX | TT_F_OWNER_KNOWN;
	strcpy(e->comm, "curl");
	strcpy(e->owner_comm, "nginx");
}

static void event_v6(struct tt_event *e)
{
	static const __u8 lo[TT_ADDR_LEN] = { [15] = 1 };
	static const __u8 doc[TT_ADDR_LEN] = { 0x20, 0x01, 0x0d,
					       0xb8, [15] = 2 };

	event_v4(e);
	e->family = AF_INET6;
	memcpy(e->saddr, lo, TT_ADDR_LEN);
	memcpy(e->daddr, doc, TT_ADDR_LEN);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f || out_init(&f->o, -1, 16)) {
		free(f);
		return -1;
	}
	fmt_ctx_init(&f->c, &f->o, false, false);
	/* fixed clocks: the output does not depend on when the test runs */
	f->c.start_ns = T_START;
	f->c.mono_to_real = (__s64)(T_REAL - T_EVENT);
	event_v4(&f->e);
	setenv("TZ", "UTC", 1);
	tzset();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	out_free(&f->o);
	free(f);
	return 0;
}

static void has(const char *line, const char *needle)
{
	if (!strstr(line, needle))
		fail_msg("missing %s in: %s", needle, line);
}

static void lacks(const char *line, const char *needle)
{
	if (strstr(line, needle))
		fail_msg("unexpected %s in: %s", needle, line);
}

/* o holds exactly one line: valid JSON, then '\n'; returned as a string */
static const char *json_line(struct out *o)
{
	const char *s = out_cstr(o);

	assert_true(o->len > 1);
	assert_int_equal(s[o->len - 1], '\n');
	assert_ptr_equal(memchr(s, '\n', o->len), s + o->len - 1);
	for (size_t i = 0; i + 1 < o->len; i++)
		if ((unsigned char)s[i] < 0x20)
			fail_msg("raw control byte 0x%02x at %zu", s[i], i);
	if (!json_value_valid(s, o->len - 1))
		fail_msg("not valid JSON: %s", s);
	return s;
}

static const char *json_event(struct fix *f)
{
	out_clear(&f->o);
	sink_json.event(&f->c, &f->e);
	return json_line(&f->o);
}

static void test_json_event(void **state)
{
	struct fix *f = *state;
	const char *line = json_event(f);

	assert_string_equal(
		line,
		"{\"type\":\"transition\",\"time\":\"2023-11-14T22:13:21.500000Z\","
		"\"ts_ns\":1001500000000,\"sock_id\":42,\"family\":\"ipv4\","
		"\"laddr\":\"127.0.0.1\",\"lport\":8080,"
		"\"raddr\":\"10.0.0.2\",\"rport\":51234,"
		"\"old\":\"ESTABLISHED\",\"new\":\"CLOSE_WAIT\","
		"\"ms\":480.312000,\"pid\":200,\"comm\":\"nginx\","
		"\"owner\":\"socket\",\"ctx\":\"process\",\"task_pid\":100,"
		"\"task_tid\":101,\"task_comm\":\"curl\","
		"\"netns\":4026531840,\"cgroup_id\":null,\"cgroup\":null}\n");
	has(line, "\"old\":\"ESTABLISHED\"");
	has(line, "\"new\":\"CLOSE_WAIT\"");
	has(line, "\"ms\":480.312000,");
	has(line, "\"laddr\":\"127.0.0.1\",");
}

static void test_json_delta(void **state)
{
	struct fix *f = *state;

	f->e.delta_ns = TT_DELTA_UNKNOWN;
	has(json_event(f), "\"ms\":null,");
	f->e.delta_ns = 0;
	has(json_event(f), "\"ms\":0.000000,");
	f->e.delta_ns = 999;
	has(json_event(f), "\"ms\":0.000999,");
	f->e.delta_ns = TT_DELTA_UNKNOWN - 1;
	has(json_event(f), "\"ms\":18446744073709.551614,");
}

static void test_json_who(void **state)
{
	struct fix *f = *state;
	const char *line;

	/* softirq, owner unknown: nobody, but the task is still reported */
	f->e.flags = 0;
	line = json_event(f);
	has(line, "\"pid\":null,\"comm\":null,\"owner\":null,"
		  "\"ctx\":\"softirq\",\"task_pid\":100,\"task_tid\":101,"
		  "\"task_comm\":\"curl\",");
	lacks(line, "nginx");

	f->e.flags = TT_F_PROCESS_CTX;
	has(json_event(f), "\"pid\":100,\"comm\":\"curl\",\"owner\":\"task\","
			   "\"ctx\":\"process\",");

	f->e.flags = TT_F_OWNER_KNOWN;
	has(json_event(f),
	    "\"pid\":200,\"comm\":\"nginx\",\"owner\":\"socket\","
	    "\"ctx\":\"softirq\",");

	f->e.flags = TT_F_OWNER_KNOWN | TT_F_OWNER_LISTENER;
	has(json_event(f), "\"pid\":200,\"comm\":\"nginx\","
			   "\"owner\":\"listener\",");
}

static void test_json_ipv6(void **state)
{
	struct fix *f = *state;
	const char *line;

	event_v6(&f->e);
	line = json_event(f);
	has(line, "\"family\":\"ipv6\",");
	has(line, "\"laddr\":\"::1\",\"lport\":8080,");
	has(line, "\"raddr\":\"2001:db8::2\",\"rport\":51234,");
	lacks(line, "[");

	f->e.family = 0;
	line = json_event(f);
	has(line, "\"family\":\"unknown\",\"laddr\":\"?\",\"lport\":8080,"
		  "\"raddr\":\"?\",");
}

static void test_json_hostile_comm(void **state)
{
	struct fix *f = *state;
	const char *line;

	strcpy(f->e.comm, HOSTILE);
	strcpy(f->e.owner_comm, HOSTILE);
	line = json_event(f);
	lacks(line, "\x1b");
	has(line, "\"comm\":\"\\u001b[31m\\\"\\u000a" FFFD "\",");
	has(line, "\"task_comm\":\"\\u001b[31m\\\"\\u000a" FFFD "\",");

	/* a full comm has no NUL: the field must stop after 16 bytes */
	memcpy(f->e.owner_comm, "abcdefghijklmnop", TT_COMM_LEN);
	memcpy(f->e.comm, "ABCDEFGHIJKLMNOP", TT_COMM_LEN);
	line = json_event(f);
	has(line, "\"comm\":\"abcdefghijklmnop\",\"owner\"");
	has(line, "\"task_comm\":\"ABCDEFGHIJKLMNOP\",\"netns\"");
}

static void test_json_bad_state(void **state)
{
	struct fix *f = *state;

	f->e.oldstate = 200;
	f->e.newstate = 14;
	has(json_event(f), "\"old\":\"UNKNOWN\",\"new\":\"UNKNOWN\",");
	f->e.oldstate = 0;
	f->e.newstate = 255;
	has(json_event(f), "\"old\":\"UNKNOWN\",\"new\":\"UNKNOWN\",");
	f->e.oldstate = 10;
	f->e.newstate = 13;
	has(json_event(f), "\"old\":\"LISTEN\",\"new\":\"BOUND_INACTIVE\",");
}

static void test_json_lost_and_header(void **state)
{
	struct fix *f = *state;

	sink_json.header(&f->c);
	assert_int_equal(f->o.len, 0);
	sink_json.lost(&f->c, 7);
	assert_string_equal(json_line(&f->o),
			    "{\"type\":\"lost\",\"count\":7}\n");
	out_clear(&f->o);
	sink_json.lost(&f->c, ~0ULL);
	assert_string_equal(
		json_line(&f->o),
		"{\"type\":\"lost\",\"count\":18446744073709551615}\n");
}

static void test_json_lines_accumulate(void **state)
{
	struct fix *f = *state;
	const char *s, *nl;

	for (int i = 0; i < 50; i++)
		sink_json.event(&f->c, &f->e);
	s = out_cstr(&f->o);
	for (int i = 0; i < 50; i++) {
		nl = strchr(s, '\n');
		assert_non_null(nl);
		assert_true(json_value_valid(s, nl - s));
		s = nl + 1;
	}
	assert_int_equal(*s, '\0');
}

#define MAX_COLS 16

/* start offsets of the space-separated columns of one line */
static int columns(const char *s, size_t *pos, char tok[][80])
{
	int n = 0;

	for (size_t i = 0; s[i] && s[i] != '\n';) {
		size_t len;

		if (s[i] == ' ') {
			i++;
			continue;
		}
		assert_true(n < MAX_COLS);
		len = strcspn(s + i, " \n");
		assert_true(len < 80);
		pos[n] = i;
		memcpy(tok[n], s + i, len);
		tok[n][len] = '\0';
		n++;
		i += len;
	}
	return n;
}

/* one text line: '\n' only at the end, nothing else below 0x20 or >= 0x7f */
static const char *text_line(struct out *o)
{
	const char *s = out_cstr(o);

	assert_true(o->len > 1);
	assert_int_equal(s[o->len - 1], '\n');
	for (size_t i = 0; i + 1 < o->len; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f)
			fail_msg("raw byte 0x%02x at %zu: %s", c, i, s);
	}
	return s;
}

static const char *text_event(struct fix *f)
{
	out_clear(&f->o);
	sink_text.event(&f->c, &f->e);
	return text_line(&f->o);
}

/*
 * The event's columns are 'want', each under its header column as long as
 * the columns before it fit their width: numbers right-aligned with it.
 */
static void text_is(struct fix *f, const char *const want[9])
{
	size_t aw = f->c.wide ? 47 : 21;
	const size_t width[9] = { 15, 7, 16, aw, aw, 11, 2, 11, ~0UL };
	size_t hpos[MAX_COLS], epos[MAX_COLS];
	char htok[MAX_COLS][80], etok[MAX_COLS][80];
	bool aligned = true;
	int hn, en;

	out_clear(&f->o);
	sink_text.header(&f->c);
	hn = columns(text_line(&f->o), hpos, htok);
	assert_int_equal(hn, 9);
	en = columns(text_event(f), epos, etok);
	assert_int_equal(en, 9);
	for (int i = 0; i < 9; i++) {
		/* numbers (seconds, PID) end where their titles end */
		bool right = i == 1 || (i == 0 && !f->c.wall);
		size_t e = epos[i] + (right ? strlen(etok[i]) : 0);
		size_t h = hpos[i] + (right ? strlen(htok[i]) : 0);

		assert_string_equal(etok[i], want[i]);
		if (aligned && e != h)
			fail_msg("column %d at %zu, header at %zu", i, e, h);
		if (strlen(etok[i]) > width[i])
			aligned = false;
	}
}

static void test_text_header(void **state)
{
	static const char *const want[] = {
		"TIME(s)", "PID", "COMM", "LADDR:LPORT", "RADDR:RPORT",
		"OLD",	   "->",  "NEW",  "MS"
	};
	struct fix *f = *state;
	size_t pos[MAX_COLS];
	char tok[MAX_COLS][80];

	sink_text.header(&f->c);
	assert_int_equal(columns(text_line(&f->o), pos, tok), 9);
	for (int i = 0; i < 9; i++)
		assert_string_equal(tok[i], want[i]);
	out_clear(&f->o);
	f->c.wall = true;
	sink_text.header(&f->c);
	columns(text_line(&f->o), pos, tok);
	assert_string_equal(tok[0], "TIME");
}

static void test_text_event(void **state)
{
	static const char *const want[] = {
		"1.500000",	  "200",	 "nginx", "127.0.0.1:8080",
		"10.0.0.2:51234", "ESTABLISHED", "->",	  "CLOSE_WAIT",
		"480.312",
	};
	struct fix *f = *state;

	text_is(f, want);
	assert_string_equal(out_cstr(&f->o),
			    "       1.500000     200 nginx            "
			    "127.0.0.1:8080        10.0.0.2:51234        "
			    "ESTABLISHED -> CLOSE_WAIT  480.312\n");
}

static void test_text_unknowns(void **state)
{
	static const char *const want[] = {
		"1.500000",
		"-",
		"-",
		"127.0.0.1:8080",
		"10.0.0.2:51234",
		"UNKNOWN",
		"->",
		"UNKNOWN",
		"-",
	};
	struct fix *f = *state;

	f->e.flags = 0;
	f->e.delta_ns = TT_DELTA_UNKNOWN;
	f->e.oldstate = 200;
	f->e.newstate = 14;
	text_is(f, want);
}

static void test_text_process_ctx(void **state)
{
	static const char *const want[] = {
		"1.500000",	  "100",	 "curl", "127.0.0.1:8080",
		"10.0.0.2:51234", "ESTABLISHED", "->",	 "CLOSE_WAIT",
		"0.000",
	};
	struct fix *f = *state;

	f->e.flags = TT_F_PROCESS_CTX;
	f->e.delta_ns = 999;
	text_is(f, want);
}

static void test_text_hostile_comm(void **state)
{
	static const char *const want[] = {
		"1.500000",
		"200",
		"\\x1b[31m\"\\x0a\\xff",
		"127.0.0.1:8080",
		"10.0.0.2:51234",
		"ESTABLISHED",
		"->",
		"CLOSE_WAIT",
		"480.312",
	};
	static const char *const spaced[] = {
		"1.500000",	  "200",	 "a\\x20b", "127.0.0.1:8080",
		"10.0.0.2:51234", "ESTABLISHED", "->",	    "CLOSE_WAIT",
		"480.312",
	};
	static const char *const full[] = {
		"1.500000",
		"200",
		"abcdefghijklmnop",
		"127.0.0.1:8080",
		"10.0.0.2:51234",
		"ESTABLISHED",
		"->",
		"CLOSE_WAIT",
		"480.312",
	};
	struct fix *f = *state;

	strcpy(f->e.owner_comm, HOSTILE);
	text_is(f, want);
	strcpy(f->e.owner_comm, "a b");
	text_is(f, spaced);
	memcpy(f->e.owner_comm, "abcdefghijklmnop", TT_COMM_LEN);
	text_is(f, full);
}

static void test_text_ipv6_wide(void **state)
{
	static const char *const want[] = {
		"22:13:21.500000",
		"200",
		"nginx",
		"[::1]:8080",
		"[2001:db8::2]:51234",
		"ESTABLISHED",
		"->",
		"CLOSE_WAIT",
		"480.312",
	};
	struct fix *f = *state;

	event_v6(&f->e);
	f->c.wide = true;
	f->c.wall = true;
	text_is(f, want);
}

static void test_text_lost(void **state)
{
	struct fix *f = *state;

	sink_text.lost(&f->c, 7);
	assert_string_equal(
		text_line(&f->o),
		"# lost 7 events: ring buffer full (raise --ringbuf-size)\n");
	out_clear(&f->o);
	sink_text.lost(&f->c, 1);
	assert_string_equal(
		text_line(&f->o),
		"# lost 1 event: ring buffer full (raise --ringbuf-size)\n");
}

UNIT_GROUP(sink)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_event, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_delta, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_who, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_ipv6, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_hostile_comm, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_bad_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_lost_and_header,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_lines_accumulate,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_event, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_unknowns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_process_ctx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_hostile_comm, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_ipv6_wide, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_lost, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
