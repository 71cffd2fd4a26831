// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "model/cw_oldest.h"

static int by_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* offered n times (ties among them), kept max: the max oldest, in order */
static void offer(size_t n, size_t max)
{
	__u64 *want = calloc(n, sizeof(*want));
	struct cw_oldest o;
	size_t keep = n < max ? n : max;

	assert_non_null(want);
	cw_oldest_init(&o, max);
	for (size_t i = 0; i < n; i++) {
		struct cw_open c = { .fd = -1 };

		c.since_ns = want[i] = (__u64)(random() % (n + 1)) << 20;
		c.lport = i; /* the record travels with its time */
		c.rport = c.since_ns >> 20;
		assert_true(cw_oldest_add(&o, &c));
	}
	cw_oldest_sort(&o);
	qsort(want, n, sizeof(*want), by_u64);
	assert_int_equal(o.n, keep);
	assert_int_equal(o.not_listed, n - keep);
	assert_true(o.cap <= max);
	for (size_t i = 0; i < keep; i++) {
		assert_int_equal(o.v[i].since_ns, want[i]);
		assert_int_equal(o.v[i].rport, o.v[i].since_ns >> 20);
	}
	cw_oldest_free(&o);
	free(want);
}

static void test_keeps_the_oldest(void **state)
{
	(void)state;
	srandom(7);
	offer(0, 10);
	offer(1, 1);
	offer(5000, 100);
	offer(5000, 5000);
	offer(100, 5000);
	offer(3000, 1);
	offer(100000, 777);
}

/* oldest offered last: each takes the place of the youngest kept */
static void test_older_and_older(void **state)
{
	struct cw_oldest o;

	(void)state;
	cw_oldest_init(&o, 3);
	for (__u64 t = 10; t > 0; t--) {
		struct cw_open c = { .since_ns = t };

		assert_true(cw_oldest_add(&o, &c));
	}
	cw_oldest_sort(&o);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.not_listed, 7);
	assert_int_equal(o.v[0].since_ns, 1);
	assert_int_equal(o.v[1].since_ns, 2);
	assert_int_equal(o.v[2].since_ns, 3);
	cw_oldest_free(&o);
}

/* those not listed that predate tcptrail are counted apart too */
static void test_estimated_not_listed(void **state)
{
	struct cw_open a = { .since_ns = 10, .estimated = true };
	struct cw_open b = { .since_ns = 20, .estimated = true };
	struct cw_open c = { .since_ns = 5 };
	struct cw_open d = { .since_ns = 30, .estimated = true };
	struct cw_open e = { .since_ns = 40 };
	struct cw_oldest o;

	(void)state;
	cw_oldest_init(&o, 2);
	assert_true(cw_oldest_add(&o, &a));
	assert_true(cw_oldest_add(&o, &b));
	assert_true(cw_oldest_add(&o, &c)); /* b makes room */
	assert_true(cw_oldest_add(&o, &d)); /* turned away */
	assert_true(cw_oldest_add(&o, &e)); /* turned away */
	cw_oldest_sort(&o);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.v[0].since_ns, 5);
	assert_int_equal(o.v[1].since_ns, 10);
	assert_int_equal(o.not_listed, 3);
	assert_int_equal(o.not_listed_estimated, 2);
	cw_oldest_free(&o);
}

UNIT_GROUP(cw_oldest)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_the_oldest),
		cmocka_unit_test(test_older_and_older),
		cmocka_unit_test(test_estimated_not_listed),
	};

	return cmocka_run_group_tests_name("cw_oldest", tests, NULL, NULL);
}
