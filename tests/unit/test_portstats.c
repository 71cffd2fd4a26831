// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "model/portstats.h"

static __u64 rnd(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int ref_cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * nearest rank by its definition: the smallest of the n sorted values
 * with at least q% of them at or below it
 */
static __u64 ref_percentile(const __u64 *sorted, size_t n, unsigned int q)
{
	for (size_t i = 0; i < n; i++)
		if ((i + 1) * 100 >= (__u64)q * n)
			return sorted[i];
	return 0;
}

/* the durations that did not fit in the sample, over every port */
static __u64 unsampled(struct portstats *ps)
{
	struct port_summary *s;
	size_t n = portstats__summarise(ps, &s);
	__u64 u = 0;

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		assert_true(s[i].sampled <= s[i].count);
		u += s[i].count - s[i].sampled;
	}
	free(s);
	return u;
}

static void test_percentile_small(void **state)
{
	struct portstats *ps = portstats__new(100);
	struct port_summary *s;

	(void)state;
	assert_non_null(ps);
	portstats__add(ps, 1, 17);
	/* rank ceil(q * 2 / 100): 1 for p50, 2 for p99 */
	portstats__add(ps, 2, 8);
	portstats__add(ps, 2, 3);
	assert_int_equal(portstats__summarise(ps, &s), 2);
	assert_int_equal(s[0].sampled, 1);
	assert_int_equal(s[0].p50_ns, 17);
	assert_int_equal(s[0].p99_ns, 17);
	assert_int_equal(s[1].sampled, 2);
	assert_int_equal(s[1].p50_ns, 3);
	assert_int_equal(s[1].p99_ns, 8);
	free(s);
	portstats__free(ps);
}

static void test_percentile_1000(void **state)
{
	struct portstats *ps = portstats__new(1000);
	struct port_summary *s;

	(void)state;
	assert_non_null(ps);
	/* values distinct from their ranks: 10 * rank, added largest first */
	for (__u64 i = 1000; i >= 1; i--)
		portstats__add(ps, 7, 10 * i);
	assert_int_equal(portstats__summarise(ps, &s), 1);
	assert_int_equal(s[0].sampled, 1000);
	assert_int_equal(s[0].p50_ns, 5000);
	assert_int_equal(s[0].p99_ns, 9900);
	assert_int_equal(s[0].max_ns, 10000);
	free(s);
	portstats__free(ps);
}

/* by the definition, for every n up to 300: port n gets 1 .. n */
static void test_percentile_definition(void **state)
{
	enum { N = 300 };
	struct portstats *ps = portstats__new(N * (N + 1) / 2);
	struct port_summary *s;

	(void)state;
	assert_non_null(ps);
	for (__u16 n = 1; n <= N; n++)
		for (__u64 x = n; x >= 1; x--)
			portstats__add(ps, n, x);
	assert_int_equal(portstats__summarise(ps, &s), N);
	for (size_t i = 0; i < N; i++) {
		__u64 n = s[i].port, x;

		assert_int_equal(n, i + 1);
		assert_int_equal(s[i].sampled, n);
		x = s[i].p50_ns;
		assert_in_range(x, 1, n);
		assert_true(x * 100 >= 50 * n);
		assert_true((x - 1) * 100 < 50 * n);
		x = s[i].p99_ns;
		assert_in_range(x, 1, n);
		assert_true(x * 100 >= 99 * n);
		assert_true((x - 1) * 100 < 99 * n);
	}
	free(s);
	portstats__free(ps);
}

static void test_summarise_empty(void **state)
{
	struct portstats *ps = portstats__new(100);
	struct port_summary *s = NULL;

	(void)state;
	assert_non_null(ps);
	assert_int_equal(portstats__summarise(ps, &s), 0);
	assert_non_null(s);
	free(s);
	portstats__free(ps);
	portstats__free(NULL);
}

static void test_summarise_order(void **state)
{
	static const __u16 ports[] = {
		443, 22, 65535, 0, 80, 8080, 22, 443, 22
	};
	static const struct {
		__u16 port;
		__u64 count;
	} want[] = { { 0, 1 },	 { 22, 3 },   { 80, 1 },
		     { 443, 2 }, { 8080, 1 }, { 65535, 1 } };
	struct portstats *ps = portstats__new(1000);
	struct port_summary *s;
	size_t n;

	(void)state;
	assert_non_null(ps);
	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		portstats__add(ps, ports[i], 1000 + i);
	n = portstats__summarise(ps, &s);
	assert_int_equal(n, ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(s[i].port, want[i].port);
		assert_int_equal(s[i].count, want[i].count);
	}
	/* port 22 got 1001, 1006 and 1008 */
	assert_int_equal(s[1].p50_ns, 1006);
	assert_int_equal(s[1].p99_ns, 1008);
	assert_int_equal(s[1].max_ns, 1008);
	free(s);
	assert_int_equal(unsampled(ps), 0);
	portstats__free(ps);
}

static void test_summarise_values(void **state)
{
	struct portstats *ps = portstats__new(10000);
	struct port_summary *s;
	__u64 v[100], seed = 11;

	(void)state;
	assert_non_null(ps);
	/* 1 .. 100 in a shuffled order */
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = i + 1;
	for (size_t i = ARRAY_SIZE(v) - 1; i > 0; i--) {
		size_t j = rnd(&seed) % (i + 1);
		__u64 t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		portstats__add(ps, 5432, v[i]);
	assert_int_equal(portstats__summarise(ps, &s), 1);
	assert_int_equal(s[0].port, 5432);
	assert_int_equal(s[0].count, 100);
	assert_int_equal(s[0].p50_ns, 50);
	assert_int_equal(s[0].p99_ns, 99);
	assert_int_equal(s[0].max_ns, 100);
	free(s);

	/* more after a summary are taken in with the rest */
	portstats__add(ps, 5432, 1000);
	portstats__add(ps, 5432, 0);
	assert_int_equal(portstats__summarise(ps, &s), 1);
	assert_int_equal(s[0].count, 102);
	assert_int_equal(s[0].p50_ns, 50); /* rank 51 of 0, 1 .. 100, 1000 */
	assert_int_equal(s[0].p99_ns, 100); /* rank 101 */
	assert_int_equal(s[0].max_ns, 1000);
	free(s);
	portstats__free(ps);
}

static void test_max_exact(void **state)
{
	struct portstats *ps = portstats__new(10000);
	struct port_summary *s;

	(void)state;
	assert_non_null(ps);
	portstats__add(ps, 80, 0);
	portstats__add(ps, 80, ~0ULL);
	portstats__add(ps, 80, 5);
	assert_int_equal(portstats__summarise(ps, &s), 1);
	assert_int_equal(s[0].count, 3);
	assert_int_equal(s[0].p50_ns, 5);
	assert_true(s[0].p99_ns == ~0ULL);
	assert_true(s[0].max_ns == ~0ULL);
	free(s);
	portstats__free(ps);
}

static void test_cap(void **state)
{
	struct portstats *ps = portstats__new(10);
	struct port_summary *s;

	(void)state;
	assert_non_null(ps);
	for (__u64 ns = 1; ns <= 6; ns++)
		portstats__add(ps, 80, ns);
	for (__u64 ns = 100; ns <= 103; ns++)
		portstats__add(ps, 443, ns);
	assert_int_equal(unsampled(ps), 0);

	/* past the cap: counted, max kept, not sampled */
	portstats__add(ps, 80, 1000);
	portstats__add(ps, 443, 5);
	portstats__add(ps, 22, 7);
	assert_int_equal(unsampled(ps), 3);

	assert_int_equal(portstats__summarise(ps, &s), 3);
	assert_int_equal(s[0].port, 22);
	assert_int_equal(s[0].count, 1);
	assert_int_equal(s[0].max_ns, 7);
	assert_true(s[0].p50_ns <= s[0].max_ns);
	assert_true(s[0].p99_ns <= s[0].max_ns);

	assert_int_equal(s[1].port, 80);
	assert_int_equal(s[1].count, 7);
	assert_int_equal(s[1].p50_ns, 3); /* of 1 .. 6 */
	assert_int_equal(s[1].p99_ns, 6);
	assert_int_equal(s[1].max_ns, 1000);

	assert_int_equal(s[2].port, 443);
	assert_int_equal(s[2].count, 5);
	assert_int_equal(s[2].p50_ns, 101); /* of 100 .. 103 */
	assert_int_equal(s[2].p99_ns, 103);
	assert_int_equal(s[2].max_ns, 103);
	free(s);
	portstats__free(ps);
}

static void test_cap_zero(void **state)
{
	struct portstats *ps = portstats__new(0);
	struct port_summary *s;

	(void)state;
	assert_non_null(ps);
	portstats__add(ps, 8080, 30);
	portstats__add(ps, 8080, 10);
	portstats__add(ps, 8080, 20);
	assert_int_equal(unsampled(ps), 3);
	assert_int_equal(portstats__summarise(ps, &s), 1);
	assert_int_equal(s[0].port, 8080);
	assert_int_equal(s[0].count, 3);
	assert_int_equal(s[0].max_ns, 30);
	/* no samples: the percentiles are unknown, 0 */
	assert_int_equal(s[0].sampled, 0);
	assert_int_equal(s[0].p50_ns, 0);
	assert_int_equal(s[0].p99_ns, 0);
	free(s);
	portstats__free(ps);
}

/* against a reference: the first max_samples durations are the sample */
static void test_cap_differential(void **state)
{
	enum { NPORTS = 3, CAP = 1000, ADDS = 5000 };
	static const __u16 ports[NPORTS] = { 9000, 53, 3306 };
	static __u64 sampled[NPORTS][CAP];
	size_t n[NPORTS] = { 0 }, total = 0;
	__u64 count[NPORTS] = { 0 }, max[NPORTS] = { 0 }, seed = 12;
	struct portstats *ps = portstats__new(CAP);
	struct port_summary *s;
	static const size_t order[NPORTS] = { 1, 2, 0 }; /* 53, 3306, 9000 */

	(void)state;
	assert_non_null(ps);
	for (int i = 0; i < ADDS; i++) {
		size_t p = rnd(&seed) % NPORTS;
		__u64 ns = rnd(&seed) % 1000000;

		portstats__add(ps, ports[p], ns);
		count[p]++;
		if (ns > max[p])
			max[p] = ns;
		if (total < CAP) {
			sampled[p][n[p]++] = ns;
			total++;
		}
	}
	assert_int_equal(unsampled(ps), ADDS - CAP);
	assert_int_equal(portstats__summarise(ps, &s), NPORTS);
	for (size_t i = 0; i < NPORTS; i++) {
		size_t p = order[i];

		qsort(sampled[p], n[p], sizeof(__u64), ref_cmp_u64);
		assert_int_equal(s[i].port, ports[p]);
		assert_int_equal(s[i].count, count[p]);
		assert_int_equal(s[i].max_ns, max[p]);
		assert_int_equal(s[i].sampled, n[p]);
		assert_int_equal(s[i].p50_ns,
				 ref_percentile(sampled[p], n[p], 50));
		assert_int_equal(s[i].p99_ns,
				 ref_percentile(sampled[p], n[p], 99));
	}
	free(s);
	portstats__free(ps);
}

UNIT_GROUP(portstats)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_small),
		cmocka_unit_test(test_percentile_1000),
		cmocka_unit_test(test_percentile_definition),
		cmocka_unit_test(test_summarise_empty),
		cmocka_unit_test(test_summarise_order),
		cmocka_unit_test(test_summarise_values),
		cmocka_unit_test(test_max_exact),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_zero),
		cmocka_unit_test(test_cap_differential),
	};

	return cmocka_run_group_tests_name("portstats", tests, NULL, NULL);
}
