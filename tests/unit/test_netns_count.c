// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "unit.h"
#include "model/netns_count.h"

/* namespaces walked: the odd inodes */
static bool odd_walked(void *ctx, __u32 netns)
{
	(*(int *)ctx)++;
	return netns & 1;
}

static void test_unwalked_sums_what_stayed(void **state)
{
	struct netns_count c = { 0 };
	int calls = 0;

	(void)state;
	/* 20 namespaces, so that the table grows past its first 8 */
	for (__u32 ns = 1; ns <= 20; ns++)
		for (__u32 k = 0; k < ns; k++)
			netns_count_add(&c, ns, +1);
	/* every even one lets one go, ns 2 all and one more (a step unseen) */
	for (__u32 ns = 2; ns <= 20; ns += 2)
		netns_count_add(&c, ns, -1);
	netns_count_add(&c, 2, -1);
	netns_count_add(&c, 2, -1);
	assert_int_equal(c.len, 20);
	assert_false(c.oom);
	/* even ones left: 3 + 5 + ... + 19 (ns 2 is at -1: nothing) */
	assert_int_equal(netns_count_unwalked(&c, NULL, odd_walked, &calls),
			 3 + 5 + 7 + 9 + 11 + 13 + 15 + 17 + 19);
	/* namespaces at 0 or below are not asked about */
	assert_int_equal(calls, 19);
	netns_count_free(&c);
	assert_null(c.v);
	assert_int_equal(netns_count_unwalked(&c, NULL, odd_walked, &calls), 0);
}

/* found in a namespace whose walk failed: not counted again */
static void test_found_is_taken_off(void **state)
{
	struct netns_count c = { 0 }, found = { 0 };
	int calls = 0;

	(void)state;
	for (int k = 0; k < 5; k++)
		netns_count_add(&c, 2, +1);
	netns_count_add(&c, 4, +1);
	for (int k = 0; k < 3; k++)
		netns_count_add(&found, 2, +1);
	/* more found than counted (a transition lost): nothing, not less */
	netns_count_add(&found, 4, +1);
	netns_count_add(&found, 4, +1);
	assert_int_equal(netns_count_get(&found, 2), 3);
	assert_int_equal(netns_count_get(&found, 6), 0);
	assert_int_equal(netns_count_unwalked(&c, &found, odd_walked, &calls),
			 2);
	/* a namespace that could not be counted is one unknown socket */
	c.oom = true;
	assert_int_equal(netns_count_unwalked(&c, &found, odd_walked, &calls),
			 3);
	netns_count_free(&c);
	netns_count_free(&found);
}

static void test_left_and_entered_again(void **state)
{
	struct netns_count c = { 0 };
	int calls = 0;

	(void)state;
	netns_count_add(&c, 4026531840U, +1);
	netns_count_add(&c, 4026531840U, -1);
	assert_int_equal(netns_count_unwalked(&c, NULL, odd_walked, &calls), 0);
	netns_count_add(&c, 4026531840U, +1);
	assert_int_equal(netns_count_unwalked(&c, NULL, odd_walked, &calls), 1);
	netns_count_free(&c);
}

UNIT_GROUP(netns_count)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwalked_sums_what_stayed),
		cmocka_unit_test(test_found_is_taken_off),
		cmocka_unit_test(test_left_and_entered_again),
	};
	return cmocka_run_group_tests_name("netns_count", tests, NULL, NULL);
}
