// SPDX-License-Identifier: GPL-2.0
/* hist_print_text and hist_print_json (user/hist_fmt.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "output/hist_fmt.h"
#include "model/tcp_state.h"

#define LAST (TT_HIST_SLOTS - 1)
#define BAR 40

static struct hist_entry entry(__u32 state, __u32 port)
{
	struct hist_entry e = { .key = { .port = port, .state = state } };

	return e;
}

/* slots 0, 10 and the open-ended one; max in the open-ended one */
static void sample(struct hist_entry e[2])
{
	e[0] = entry(TCP_CLOSE_WAIT, 8080);
	e[0].h.slots[0] = 1;
	e[0].h.slots[10] = 4;
	e[0].h.slots[LAST] = 2;
	e[0].h.count = 7;
	e[0].h.sum_ns = 600000005000000ULL;
	e[0].h.max_ns = 300000000000000ULL; /* 300000 s */
	e[1] = entry(TCP_CLOSE_WAIT, TT_PORT_OTHER);
	e[1].h.slots[3] = 2;
	e[1].h.count = 2;
	e[1].h.sum_ns = 12000;
	e[1].h.max_ns = 7000;
}

/* only printable ASCII and '\n', and the text ends with one */
static void check_bytes(struct out *o)
{
	assert_true(o->len > 0);
	assert_int_equal(o->buf[o->len - 1], '\n');
	for (size_t i = 0; i < o->len; i++) {
		unsigned char c = o->buf[i];

		if (c != '\n' && (c < ' ' || c >= 0x7f))
			fail_msg("byte 0x%02x at %zu", c, i);
	}
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');

		if (!e)
			return false;
		if ((size_t)(e - p) == n && !memcmp(p, line, n))
			return true;
		p = e + 1;
	}
	return false;
}

static void expect_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

/* the range label of slot s, in units, from the slot definition */
static void range_label(char *buf, size_t len, unsigned int s)
{
	if (!s)
		snprintf(buf, len, "0 -> 1");
	else if (s == LAST)
		snprintf(buf, len, "%llu -> inf", (1ULL << (s - 1)) + 1);
	else
		snprintf(buf, len, "%llu -> %llu", (1ULL << (s - 1)) + 1,
			 1ULL << s);
}

/* the line for slot s: columns as bcc's histograms, bar scaled to most */
static void slot_line(char *buf, size_t len, unsigned int s, __u64 n,
		      __u64 most)
{
	char range[48], bar[BAR + 1];
	__u64 w = n * BAR / most;

	if (n && !w)
		w = 1;
	memset(bar, ' ', BAR);
	memset(bar, '*', w);
	bar[BAR] = '\0';
	range_label(range, sizeof(range), s);
	snprintf(buf, len, "     %-24s: %8llu |%s|", range,
		 (unsigned long long)n, bar);
}

static void test_text_sample(void **state)
{
	struct out *o = *state;
	struct hist_entry e[2];
	struct hist_view v = {
		.e = e, .n = 2, .unit_ns = 1000, .key = TT_KEY_SERVICE
	};
	const char *text;
	char line[128];

	sample(e);
	hist_print_text(o, &v);
	check_bytes(o);
	text = out_cstr(o);
	expect_line(text, "CLOSE_WAIT time, service port 8080: count 7, "
			  "p50 <= 1.0ms, p99 <= 300000.000s, max 300000.000s");
	expect_line(text, "CLOSE_WAIT time, service port other: count 2, "
			  "p50 <= 0.007ms, p99 <= 0.007ms, max 0.007ms");
	expect_line(text,
		    "     usecs                   :    count distribution");
	/* the labels the brief names, in place */
	expect_line(text, "     0 -> 1                  :        1 "
			  "|**********                              |");
	expect_line(text, "     513 -> 1024             :        4 "
			  "|****************************************|");
	expect_line(text, "     274877906945 -> inf     :        2 "
			  "|********************                    |");
	/* every slot from the first to the last with a count, empty or not */
	for (unsigned int s = 0; s <= LAST; s++) {
		slot_line(line, sizeof(line), s, e[0].h.slots[s], 4);
		expect_line(text, line);
	}
	/* the second histogram starts and ends at slot 3: all of it */
	text = strstr(text, "CLOSE_WAIT time, service port other");
	assert_non_null(text);
	text = strchr(text, '\n') + 1;
	assert_string_equal(
		text, "     usecs                   :    count distribution\n"
		      "     5 -> 8                  :        2 "
		      "|****************************************|\n\n");
}

/* every slot in use: each label, and each bar exactly BAR wide */
static void test_text_all_slots(void **state)
{
	struct out *o = *state;
	struct hist_entry e = entry(TCP_FIN_WAIT2, 443);
	struct hist_view v = { .e = &e,
			       .n = 1,
			       .unit_ns = 1000000,
			       .key = TT_KEY_LPORT,
			       .untimed = 3 };
	const char *text;
	size_t bars = 0;
	char line[128];

	for (unsigned int s = 0; s <= LAST; s++) {
		e.h.slots[s] = 1 + s * 1000;
		e.h.count += e.h.slots[s];
	}
	e.h.max_ns = ~0ULL;
	hist_print_text(o, &v);
	check_bytes(o);
	text = out_cstr(o);
	assert_non_null(strstr(text, "FIN_WAIT2 time, lport 443: count "));
	expect_line(text,
		    "     msecs                   :    count distribution");
	for (unsigned int s = 0; s <= LAST; s++) {
		slot_line(line, sizeof(line), s, e.h.slots[s], e.h.slots[LAST]);
		expect_line(text, line);
	}
	/* the smallest count still shows */
	expect_line(text, "     0 -> 1                  :        1 "
			  "|*                                       |");
	for (const char *p = text; (p = strchr(p, '|'));) {
		const char *end = strchr(p + 1, '|');

		assert_non_null(end);
		assert_int_equal(end - p - 1, BAR);
		assert_int_equal(end[1], '\n');
		p = end + 1;
		bars++;
	}
	assert_int_equal(bars, TT_HIST_SLOTS);
	expect_line(text, "3 left a selected state they entered before "
			  "tcptrail started, or after a step unseen: not in "
			  "the histograms");
}

static void test_text_key_modes(void **state)
{
	struct out *o = *state;
	struct hist_entry e = entry(TCP_LAST_ACK, 22);
	struct hist_view v = {
		.e = &e, .n = 1, .unit_ns = 1000, .key = TT_KEY_RPORT
	};

	e.h.slots[5] = 1000000;
	e.h.slots[6] = 1;
	e.h.count = 1000001;
	e.h.max_ns = 40000;
	hist_print_text(o, &v);
	check_bytes(o);
	assert_non_null(strstr(out_cstr(o), "LAST_ACK time, rport 22: count "
					    "1000001, p50 <= 0.032ms, "
					    "p99 <= 0.032ms, max 0.040ms\n"));
	/* a count too small for one column still gets one */
	expect_line(out_cstr(o), "     33 -> 64                :        1 "
				 "|*                                       |");
}

static void test_text_empty(void **state)
{
	struct out *o = *state;
	struct hist_view v = { .unit_ns = 1000, .key = TT_KEY_SERVICE };

	hist_print_text(o, &v);
	check_bytes(o);
	assert_string_equal(out_cstr(o),
			    "(no time in the selected states measured yet)\n");
	out_clear(o);
	v.untimed = 12;
	hist_print_text(o, &v);
	check_bytes(o);
	assert_string_equal(out_cstr(o),
			    "(no time in the selected states measured yet)\n"
			    "12 left a selected state they entered before "
			    "tcptrail started, or after a step unseen: not in "
			    "the histograms\n");
}

/* exactly one JSON value on one line */
static const char *json_line(struct out *o)
{
	const char *text = out_cstr(o);

	assert_true(o->len > 1);
	assert_int_equal(text[o->len - 1], '\n');
	assert_ptr_equal(strchr(text, '\n'), text + o->len - 1);
	if (!json_value_valid(text, o->len - 1))
		fail_msg("not JSON: %s", text);
	check_bytes(o);
	return text;
}

static void test_json_sample(void **state)
{
	struct out *o = *state;
	struct hist_entry e[2];
	struct hist_view v = { .e = e,
			       .n = 2,
			       .unit_ns = 1000,
			       .key = TT_KEY_SERVICE,
			       .untimed = 3,
			       .lost = 4,
			       .elapsed_ns = 1500000000 };
	const char *text;

	sample(e);
	hist_print_json(o, &v);
	text = json_line(o);
	assert_non_null(strstr(text, "{\"elapsed_ms\":1500.000000,"));
	assert_non_null(strstr(text, ",\"unit\":\"us\","));
	assert_non_null(strstr(text, ",\"key\":\"service\","));
	assert_non_null(strstr(text, ",\"untimed\":3,"));
	assert_non_null(strstr(text, ",\"lost\":4,"));
	assert_non_null(strstr(
		text, "{\"state\":\"CLOSE_WAIT\",\"port\":8080,\"count\":7,"
		      "\"sum_ms\":600000005.000000,\"p50_ms\":1.024000,"
		      "\"p99_ms\":300000000.000000,"
		      "\"max_ms\":300000000.000000,"
		      "\"buckets\":[{\"le\":1,\"count\":1},"
		      "{\"le\":1024,\"count\":4},"
		      "{\"le\":null,\"count\":2}]}"));
	assert_non_null(strstr(
		text, "{\"state\":\"CLOSE_WAIT\",\"port\":\"other\","
		      "\"count\":2,\"sum_ms\":0.012000,\"p50_ms\":0.007000,"
		      "\"p99_ms\":0.007000,\"max_ms\":0.007000,"
		      "\"buckets\":[{\"le\":8,\"count\":2}]}"));
}

static void test_json_variants(void **state)
{
	struct out *o = *state;
	struct hist_entry e = entry(TCP_TIME_WAIT, 65535);
	struct hist_view v = {
		.e = &e, .n = 1, .unit_ns = 1000000, .key = TT_KEY_LPORT
	};
	const char *text;

	/* empty */
	v.n = 0;
	hist_print_json(o, &v);
	text = json_line(o);
	assert_non_null(strstr(text, ",\"unit\":\"ms\","));
	assert_non_null(strstr(text, ",\"key\":\"lport\","));
	assert_non_null(strstr(text, ",\"hists\":[]}"));
	out_clear(o);

	/* every slot: every bucket listed, le in units */
	v.n = 1;
	v.key = TT_KEY_RPORT;
	for (unsigned int s = 0; s <= LAST; s++) {
		e.h.slots[s] = s + 1;
		e.h.count += s + 1;
	}
	e.h.sum_ns = ~0ULL;
	e.h.max_ns = ~0ULL;
	hist_print_json(o, &v);
	text = json_line(o);
	assert_non_null(strstr(text, ",\"key\":\"rport\","));
	assert_non_null(
		strstr(text, "\"state\":\"TIME_WAIT\",\"port\":65535,"));
	for (unsigned int s = 0; s < LAST; s++) {
		char want[64];

		snprintf(want, sizeof(want), "{\"le\":%llu,\"count\":%u}",
			 1ULL << s, s + 1);
		assert_non_null(strstr(text, want));
	}
	assert_non_null(strstr(text, "{\"le\":null,\"count\":40}]}]}"));
}

/* --labels container: a pod's container, a bare container, other, none */
static void test_labels(void **state)
{
	static const char id[] = "0123456789abcdef0123456789abcdef"
				 "0123456789abcdef0123456789abcdef";
	static const char uid[] = "8a3b1f2e-5c6d-4e7f-9a0b-1c2d3e4f5a6b";
	struct label_sets *ls = label_sets_new(8);
	struct cg_labels pod = { .qos = CG_QOS_BURSTABLE }, bare = {};
	struct out *o = *state;
	struct hist_entry e[4];
	struct hist_view v = { .e = e,
			       .n = 4,
			       .unit_ns = 1000000,
			       .key = TT_KEY_SERVICE,
			       .folded = 5 };
	const char *text;

	assert_non_null(ls);
	strcpy(pod.container_id, id);
	strcpy(pod.pod_uid, uid);
	memcpy(bare.container_id, "ffff", 5);
	for (int i = 0; i < 4; i++) {
		e[i] = entry(TCP_CLOSE_WAIT, 8080);
		e[i].h.slots[1] = 1;
		e[i].h.count = 1;
	}
	e[0].key.cgroup_id = LS_NONE;
	e[1].key.cgroup_id = label_sets_intern(ls, &pod);
	e[2].key.cgroup_id = label_sets_intern(ls, &bare);
	e[3].key.cgroup_id = LS_OTHER;
	v.sets = ls;
	hist_print_text(o, &v);
	text = out_cstr(o);
	/* the row outside any container sorts first, as it was */
	assert_int_equal(strncmp(text,
				 "CLOSE_WAIT time, service port 8080: count 1,",
				 44),
			 0);
	assert_non_null(strstr(text, "CLOSE_WAIT time, service port 8080, "
				     "container 0123456789ab, pod "
				     "8a3b1f2e-5c6d-4e7f-9a0b-1c2d3e4f5a6b "
				     "(burstable): count 1,"));
	assert_non_null(strstr(text, "CLOSE_WAIT time, service port 8080, "
				     "container ffff: count 1,"));
	assert_non_null(strstr(text, "CLOSE_WAIT time, service port 8080, "
				     "container other: count 1,"));
	expect_line(text, "5 container label sets summed under container "
			  "'other' (--max-containers)");
	out_clear(o);

	hist_print_json(o, &v);
	text = json_line(o);
	assert_non_null(strstr(text, ",\"containers_folded\":5,"));
	assert_non_null(strstr(text, "{\"state\":\"CLOSE_WAIT\",\"port\":8080,"
				     "\"count\":1,"));
	assert_non_null(strstr(text, "\"port\":8080,\"container_id\":\""
				     "0123456789abcdef0123456789abcdef"
				     "0123456789abcdef0123456789abcdef\","
				     "\"pod_uid\":\"8a3b1f2e-5c6d-4e7f-9a0b-"
				     "1c2d3e4f5a6b\",\"qos\":\"burstable\","
				     "\"count\":1,"));
	assert_non_null(strstr(text, "\"port\":8080,\"container_id\":\"ffff\","
				     "\"count\":1,"));
	assert_non_null(strstr(text,
			       "\"port\":8080,\"container_id\":\"other\","
			       "\"pod_uid\":\"other\",\"qos\":\"other\","));
	out_clear(o);

	/* without --labels: neither the members nor the count */
	v.sets = NULL;
	v.folded = 0;
	v.n = 1;
	hist_print_json(o, &v);
	text = json_line(o);
	assert_null(strstr(text, "container"));
	label_sets_free(ls);
}

UNIT_GROUP(hist_fmt)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_text_sample, unit_out_setup, unit_out_teardown),
		cmocka_unit_test_setup_teardown(
			test_text_all_slots, unit_out_setup, unit_out_teardown),
		cmocka_unit_test_setup_teardown(
			test_text_key_modes, unit_out_setup, unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_text_empty, unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(
			test_json_sample, unit_out_setup, unit_out_teardown),
		cmocka_unit_test_setup_teardown(
			test_json_variants, unit_out_setup, unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_labels, unit_out_setup,
						unit_out_teardown),
	};

	return cmocka_run_group_tests_name("hist_fmt", tests, NULL, NULL);
}
