// SPDX-License-Identifier: GPL-2.0
/* hist_slot_upper, hist_quantile_ns and hist_merge (user/histmap.c). */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "kernel/histmap.h"

#define LAST (TT_HIST_SLOTS - 1)

static __u64 rnd(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The slot of a time, by bpf/tcptrail.h: t rounded up to whole units;
 * slot 0 holds t <= 1, slot s holds 2^(s-1) < t <= 2^s, the last one
 * everything longer. Written from the definition, not from the kernel.
 */
static unsigned int slot_of(__u64 ns, __u64 unit_ns)
{
	__u64 t = (ns + unit_ns - 1) / unit_ns;
	unsigned int s = 0;

	while (s < LAST && t > (1ULL << s))
		s++;
	return s;
}

/* record one time the way the kernel does */
static void hist_add(struct tt_hist *h, __u64 ns, __u64 unit_ns)
{
	h->slots[slot_of(ns, unit_ns)]++;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

static void test_slot_of_reference(void **state)
{
	(void)state;
	/* the helper itself, against the documented edges */
	assert_int_equal(slot_of(0, 1000), 0);
	assert_int_equal(slot_of(1, 1000), 0);
	assert_int_equal(slot_of(1000, 1000), 0);
	assert_int_equal(slot_of(1001, 1000), 1);
	assert_int_equal(slot_of(2000, 1000), 1);
	assert_int_equal(slot_of(2001, 1000), 2);
	assert_int_equal(slot_of(1024000, 1000), 10);
	assert_int_equal(slot_of(1024001, 1000), 11);
	assert_int_equal(slot_of((1ULL << 38) * 1000, 1000), 38);
	assert_int_equal(slot_of((1ULL << 38) * 1000 + 1, 1000), LAST);
	assert_int_equal(slot_of(~0ULL - 1000, 1000), LAST);
}

static void test_slot_upper(void **state)
{
	(void)state;
	assert_int_equal(hist_slot_upper(0), 1);
	assert_int_equal(hist_slot_upper(1), 2);
	assert_int_equal(hist_slot_upper(9), 512);
	assert_int_equal(hist_slot_upper(10), 1024);
	assert_int_equal(hist_slot_upper(19), 524288);
	assert_int_equal(hist_slot_upper(38), 274877906944ULL);
	for (unsigned int s = 0; s < LAST; s++) {
		/* the upper bound of s is in s; one more is in s + 1 */
		assert_int_equal(slot_of(hist_slot_upper(s), 1), s);
		assert_int_equal(slot_of(hist_slot_upper(s) + 1, 1), s + 1);
	}
}

static void test_quantile_empty(void **state)
{
	struct tt_hist h = {};

	(void)state;
	assert_int_equal(hist_quantile_ns(&h, 1, 1000), 0);
	assert_int_equal(hist_quantile_ns(&h, 50, 1000), 0);
	assert_int_equal(hist_quantile_ns(&h, 99, 1000000), 0);
	assert_int_equal(hist_quantile_ns(&h, 100, 1000), 0);
	/* stale max or sum without a count: still empty */
	h.max_ns = 12345;
	h.sum_ns = 12345;
	assert_int_equal(hist_quantile_ns(&h, 50, 1000), 0);
}

/* one time in each slot in turn: every quantile is that slot's bound */
static void test_quantile_one_slot(void **state)
{
	static const unsigned int qs[] = { 1, 50, 99, 100 };

	(void)state;
	for (unsigned int s = 0; s < LAST; s++) {
		struct tt_hist h = {};
		__u64 up = hist_slot_upper(s) * 1000;

		h.slots[s] = 3;
		h.count = 3;
		h.max_ns = ~0ULL; /* no cap */
		for (size_t i = 0; i < ARRAY_SIZE(qs); i++)
			assert_int_equal(hist_quantile_ns(&h, qs[i], 1000), up);
		/* capped at the exact max */
		h.max_ns = up - 1;
		assert_int_equal(hist_quantile_ns(&h, 50, 1000), up - 1);
		h.max_ns = up;
		assert_int_equal(hist_quantile_ns(&h, 50, 1000), up);
	}
}

static void test_quantile_last_slot(void **state)
{
	struct tt_hist h = {};
	__u64 big = (1ULL << 40) * 1000;

	(void)state;
	h.slots[LAST] = 1;
	h.count = 1;
	h.max_ns = big;
	assert_int_equal(hist_quantile_ns(&h, 1, 1000), big);
	assert_int_equal(hist_quantile_ns(&h, 100, 1000), big);

	/* 99 short times and one open-ended: only p100 reaches it */
	h.slots[0] = 99;
	h.count = 100;
	assert_int_equal(hist_quantile_ns(&h, 99, 1000), 1000);
	assert_int_equal(hist_quantile_ns(&h, 100, 1000), big);
}

static void test_quantile_nearest_rank(void **state)
{
	struct tt_hist h = {};

	(void)state;
	/* ranks 1..50 in slot 0, 51..99 in slot 5, 100 in slot 10 */
	h.slots[0] = 50;
	h.slots[5] = 49;
	h.slots[10] = 1;
	h.count = 100;
	h.max_ns = 1000000; /* 1000 us: inside slot 10, below its 1024 */
	assert_int_equal(hist_quantile_ns(&h, 1, 1000), 1000);
	assert_int_equal(hist_quantile_ns(&h, 50, 1000), 1000);
	assert_int_equal(hist_quantile_ns(&h, 51, 1000), 32000);
	assert_int_equal(hist_quantile_ns(&h, 99, 1000), 32000);
	assert_int_equal(hist_quantile_ns(&h, 100, 1000), 1000000);

	/* two values: rank ceil(q * 2 / 100) */
	memset(&h, 0, sizeof(h));
	h.slots[2] = 1;
	h.slots[7] = 1;
	h.count = 2;
	h.max_ns = ~0ULL;
	assert_int_equal(hist_quantile_ns(&h, 1, 1), 4);
	assert_int_equal(hist_quantile_ns(&h, 50, 1), 4);
	assert_int_equal(hist_quantile_ns(&h, 51, 1), 128);
	assert_int_equal(hist_quantile_ns(&h, 100, 1), 128);

	/* milliseconds: 2^3 ms */
	memset(&h, 0, sizeof(h));
	h.slots[3] = 1;
	h.count = 1;
	h.max_ns = 7500000;
	assert_int_equal(hist_quantile_ns(&h, 50, 1000000), 7500000);
	h.max_ns = 9000000;
	assert_int_equal(hist_quantile_ns(&h, 50, 1000000), 8000000);
}

/* the smallest slot whose cumulative count reaches ceil(q * n / 100) */
static __u64 ref_quantile(const struct tt_hist *h, unsigned int q,
			  __u64 unit_ns)
{
	__u64 seen = 0;

	if (!h->count)
		return 0;
	for (unsigned int s = 0; s < LAST; s++) {
		seen += h->slots[s];
		if (seen * 100 >= (__u64)q * h->count) {
			__u64 up = hist_slot_upper(s) * unit_ns;

			return up < h->max_ns ? up : h->max_ns;
		}
	}
	return h->max_ns;
}

static void test_quantile_differential(void **state)
{
	__u64 seed = 7;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		struct tt_hist h = {};
		int used = 1 + rnd(&seed) % 6;

		for (int i = 0; i < used; i++) {
			unsigned int s = rnd(&seed) % TT_HIST_SLOTS;
			__u64 n = 1 + rnd(&seed) % 1000;

			h.slots[s] += n;
			h.count += n;
		}
		h.max_ns = rnd(&seed) % ((1ULL << 40) * 1000);
		for (unsigned int q = 1; q <= 100; q++)
			assert_int_equal(hist_quantile_ns(&h, q, 1000),
					 ref_quantile(&h, q, 1000));
	}
}

/*
 * From real times: the quantile is an upper bound of the exact
 * nearest-rank value, within a factor of two (one slot), and never above
 * the max.
 */
static void test_quantile_bounds_exact(void **state)
{
	static __u64 t[500];
	__u64 seed = 42;

	(void)state;
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + rnd(&seed) % ARRAY_SIZE(t);
		__u64 unit = round % 2 ? 1000 : 1000000;
		struct tt_hist h = {};

		for (size_t i = 0; i < n; i++) {
			/* log-uniform over 1 ns .. ~2^45 ns */
			t[i] = rnd(&seed) >> (19 + rnd(&seed) % 45);
			hist_add(&h, t[i], unit);
		}
		qsort(t, n, sizeof(t[0]), cmp_u64);
		for (unsigned int q = 1; q <= 100; q++) {
			__u64 exact = t[(q * n + 99) / 100 - 1];
			__u64 got = hist_quantile_ns(&h, q, unit);

			assert_true(got >= exact);
			assert_true(got <= h.max_ns);
			/* one slot wide: 2^(s-1) < exact/unit <= 2^s */
			if (slot_of(exact, unit) < LAST)
				assert_true(got <=
					    (exact < unit ? unit : 2 * exact));
		}
		assert_int_equal(hist_quantile_ns(&h, 100, unit), t[n - 1]);
	}
}

static void test_merge(void **state)
{
	struct tt_hist a = {}, b = {}, zero = {}, want;
	__u64 seed = 3;

	(void)state;
	for (int s = 0; s < TT_HIST_SLOTS; s++) {
		a.slots[s] = rnd(&seed) % 100;
		b.slots[s] = rnd(&seed) % 100;
	}
	a.count = 10;
	a.sum_ns = 1000;
	a.max_ns = 500;
	b.count = 20;
	b.sum_ns = 3000;
	b.max_ns = 900;

	want = a;
	for (int s = 0; s < TT_HIST_SLOTS; s++)
		want.slots[s] += b.slots[s];
	want.count = 30;
	want.sum_ns = 4000;
	want.max_ns = 900;
	hist_merge(&a, &b);
	assert_memory_equal(&a, &want, sizeof(want));

	/* b unchanged; merging a smaller max keeps the larger */
	b.max_ns = 1;
	want.count += b.count;
	want.sum_ns += b.sum_ns;
	for (int s = 0; s < TT_HIST_SLOTS; s++)
		want.slots[s] += b.slots[s];
	hist_merge(&a, &b);
	assert_memory_equal(&a, &want, sizeof(want));

	/* empty is the identity, both ways */
	hist_merge(&a, &zero);
	assert_memory_equal(&a, &want, sizeof(want));
	hist_merge(&zero, &a);
	assert_memory_equal(&zero, &want, sizeof(want));
}

/* merging histograms of two sets = the histogram of their union */
static void test_merge_union(void **state)
{
	struct tt_hist a = {}, b = {}, all = {};
	__u64 seed = 99;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		__u64 ns = rnd(&seed) >> (20 + rnd(&seed) % 44);

		hist_add(i % 3 ? &a : &b, ns, 1000);
		hist_add(&all, ns, 1000);
	}
	hist_merge(&a, &b);
	assert_memory_equal(&a, &all, sizeof(all));
	for (unsigned int q = 1; q <= 100; q++)
		assert_int_equal(hist_quantile_ns(&a, q, 1000),
				 hist_quantile_ns(&all, q, 1000));
}

UNIT_GROUP(histmap)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_of_reference),
		cmocka_unit_test(test_slot_upper),
		cmocka_unit_test(test_quantile_empty),
		cmocka_unit_test(test_quantile_one_slot),
		cmocka_unit_test(test_quantile_last_slot),
		cmocka_unit_test(test_quantile_nearest_rank),
		cmocka_unit_test(test_quantile_differential),
		cmocka_unit_test(test_quantile_bounds_exact),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_union),
	};

	return cmocka_run_group_tests_name("histmap", tests, NULL, NULL);
}
