// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <limits.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "model/tcp_state.h"

/* include/net/tcp_states.h */
static const char *const kernel_names[] = {
	[1] = "ESTABLISHED",	 [2] = "SYN_SENT",   [3] = "SYN_RECV",
	[4] = "FIN_WAIT1",	 [5] = "FIN_WAIT2",  [6] = "TIME_WAIT",
	[7] = "CLOSE",		 [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
	[10] = "LISTEN",	 [11] = "CLOSING",   [12] = "NEW_SYN_RECV",
	[13] = "BOUND_INACTIVE",
};

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(TT_TCP_STATE_MAX, 14);
	for (unsigned int s = 1; s < TT_TCP_STATE_MAX; s++) {
		const char *label = tcp_state_label(s);
		char lower[32];
		size_t i;

		assert_string_equal(tcp_state_str(s), kernel_names[s]);
		for (i = 0; kernel_names[s][i]; i++)
			lower[i] = tolower((unsigned char)kernel_names[s][i]);
		lower[i] = '\0';
		assert_string_equal(label, lower);
	}
	assert_string_equal(tcp_state_str(13), "BOUND_INACTIVE");
	assert_string_equal(tcp_state_label(13), "bound_inactive");
}

/* one name through the list parser: its state, or -1 (a list is not one) */
static int parse_one(const char *name)
{
	const char *bad;
	__u32 mask;
	int bad_len;

	if (tcp_state_parse_list(name, &mask, &bad, &bad_len) ||
	    __builtin_popcount(mask) != 1)
		return -1;
	return __builtin_ctz(mask);
}

static void test_round_trip(void **state)
{
	(void)state;
	for (unsigned int s = 1; s < TT_TCP_STATE_MAX; s++) {
		assert_int_equal(parse_one(tcp_state_str(s)), s);
		assert_int_equal(parse_one(tcp_state_label(s)), s);
	}
}

static void test_out_of_range(void **state)
{
	static const unsigned int bad[] = {
		0, 14, 15, 255, 256, 1000, UINT_MAX
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_string_equal(tcp_state_str(bad[i]), "UNKNOWN");
		assert_string_equal(tcp_state_label(bad[i]), "unknown");
	}
}

/* the padded names are tcp_state_str()'s, then spaces to 16 bytes */
static void test_padded(void **state)
{
	static const unsigned int extra[] = { 255, 256, 1000, UINT_MAX };

	(void)state;
	for (unsigned int s = 0; s < TT_TCP_STATE_MAX + 4 + ARRAY_SIZE(extra);
	     s++) {
		unsigned int st = s < TT_TCP_STATE_MAX + 4 ?
					  s :
					  extra[s - TT_TCP_STATE_MAX - 4];
		const struct tcp_state_name *n = tcp_state_name(st);
		const char *want = tcp_state_str(st);

		assert_int_equal(n->len, strlen(want));
		assert_true(n->len <= sizeof(n->s));
		assert_memory_equal(n->s, want, n->len);
		for (size_t i = n->len; i < sizeof(n->s); i++)
			assert_int_equal(n->s[i], ' ');
	}
}

static void test_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(parse_one("CLOSE-WAIT"), 8);
	assert_int_equal(parse_one("close_wait"), 8);
	assert_int_equal(parse_one("Close_Wait"), 8);
	assert_int_equal(parse_one("last-ack"), 9);
	assert_int_equal(parse_one("bound-inactive"), 13);
	assert_int_equal(parse_one("new-syn-recv"), 12);
	/* ss(8) aliases */
	assert_int_equal(parse_one("Estab"), 1);
	assert_int_equal(parse_one("ESTAB"), 1);
	assert_int_equal(parse_one("syn-rcv"), 3);
	assert_int_equal(parse_one("SYN_RCV"), 3);
	assert_int_equal(parse_one("closed"), 7);
	assert_int_equal(parse_one("fin-wait-1"), 4);
	assert_int_equal(parse_one("FIN_WAIT_2"), 5);
}

static void test_parse_bad(void **state)
{
	(void)state;
	assert_int_equal(parse_one(""), -1);
	assert_int_equal(parse_one("unknown"), -1);
	assert_int_equal(parse_one("bogus"), -1);
	assert_int_equal(parse_one("established "), -1);
	assert_int_equal(parse_one(" established"), -1);
	assert_int_equal(parse_one("establishe"), -1);
	assert_int_equal(parse_one("8"), -1);
	assert_int_equal(parse_one("close wait"), -1);
	assert_int_equal(parse_one("established,listen"), -1);
	/* longer than any name: must not overrun the lookup buffer */
	assert_int_equal(parse_one("established_established_established"), -1);
}

static void test_list(void **state)
{
	const char *bad = NULL;
	int bad_len = -1;
	__u32 mask = 0;

	(void)state;
	assert_int_equal(tcp_state_parse_list("close_wait,last-ack", &mask,
					      &bad, &bad_len),
			 0);
	assert_int_equal(mask, (1U << 8) | (1U << 9));

	assert_int_equal(tcp_state_parse_list("LISTEN", &mask, &bad, &bad_len),
			 0);
	assert_int_equal(mask, 1U << 10);

	assert_int_equal(tcp_state_parse_list("estab,syn-rcv,closed,"
					      "bound_inactive,estab",
					      &mask, &bad, &bad_len),
			 0);
	assert_int_equal(mask, (1U << 1) | (1U << 3) | (1U << 7) | (1U << 13));
}

/* the list must fail, pointing at s + off, len bytes long */
static void list_fails(const char *s, size_t off, int len)
{
	const char *bad = NULL;
	int bad_len = -1;
	__u32 mask = 0xdeadbeef;

	assert_int_equal(tcp_state_parse_list(s, &mask, &bad, &bad_len), -1);
	assert_ptr_equal(bad, s + off);
	assert_int_equal(bad_len, len);
	assert_int_equal(mask, 0xdeadbeef);
}

static void test_list_bad(void **state)
{
	(void)state;
	list_fails("estab,bogus,listen", 6, 5);
	list_fails("bogus", 0, 5);
	list_fails("listen,close_wai", 7, 9);
	list_fails("estab,,listen", 6, 0);
	list_fails("listen,", 7, 0);
	list_fails(",listen", 0, 0);
	list_fails("", 0, 0);
	list_fails("listen,a-very-long-state-name-indeed", 7, 29);
}

UNIT_GROUP(tcp_state)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_padded),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_bad),
	};

	return cmocka_run_group_tests_name("tcp_state", tests, NULL, NULL);
}
