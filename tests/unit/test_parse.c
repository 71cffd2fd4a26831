// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "unit.h"
#include "util/parse.h"

#define U64_MAX (~0ULL)
#define SENTINEL 0x5a5a5a5a5a5a5a5aULL

/* parse_u64 must fail with 'why', leaving *out untouched */
static void u64_fails(const char *s, __u64 min, __u64 max, const char *why)
{
	const char *got = NULL;
	__u64 v = SENTINEL;

	assert_int_equal(parse_u64(s, min, max, &v, &got), -1);
	assert_non_null(got);
	assert_string_equal(got, why);
	assert_true(v == SENTINEL);
}

static void u64_ok(const char *s, __u64 min, __u64 max, __u64 want)
{
	const char *why = NULL;
	__u64 v = SENTINEL;

	assert_int_equal(parse_u64(s, min, max, &v, &why), 0);
	assert_int_equal(v, want);
}

static void test_u64_ranges(void **state)
{
	(void)state;
	u64_ok("0", 0, 10, 0);
	u64_ok("7", 0, 10, 7);
	u64_ok("10", 0, 10, 10);
	u64_ok("5", 5, 5, 5);
	u64_ok("007", 0, 10, 7);
	u64_ok("18446744073709551615", 0, U64_MAX, U64_MAX);
	u64_ok("4294967295", 1, 4294967295ULL, 4294967295ULL);
	u64_fails("11", 0, 10, "out of range");
	u64_fails("4", 5, 10, "out of range");
	u64_fails("0", 1, 10, "out of range");
	u64_fails("4294967296", 1, 4294967295ULL, "out of range");
}

static void test_u64_overflow(void **state)
{
	(void)state;
	u64_fails("99999999999999999999", 0, U64_MAX, "out of range");
	u64_fails("18446744073709551616", 0, U64_MAX, "out of range");
	u64_fails("99999999999999999999", 0, 10, "out of range");
}

static void test_u64_garbage(void **state)
{
	(void)state;
	u64_fails("", 0, U64_MAX, "not a number");
	u64_fails("abc", 0, U64_MAX, "not a number");
	u64_fails("12abc", 0, U64_MAX, "not a number");
	u64_fails("12 ", 0, U64_MAX, "not a number");
	u64_fails(" 12", 0, U64_MAX, "not a number");
	u64_fails("-1", 0, U64_MAX, "not a number");
	u64_fails("+1", 0, U64_MAX, "not a number");
	u64_fails("0x10", 0, U64_MAX, "not a number");
	u64_fails("1.5", 0, U64_MAX, "not a number");
	u64_fails("1e3", 0, U64_MAX, "not a number");
	u64_fails(NULL, 0, U64_MAX, "not a number");
}

static bool port_set(const __u64 *bits, unsigned int port)
{
	return bits[port >> 6] & (1ULL << (port & 63));
}

static unsigned int port_count(const __u64 *bits)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < PORT_WORDS; i++)
		n += __builtin_popcountll(bits[i]);
	return n;
}

static void ports_fail(const char *s, const char *why)
{
	static __u64 bits[PORT_WORDS];
	const char *got = NULL;

	memset(bits, 0, sizeof(bits));
	assert_int_equal(parse_port_set(s, bits, &got), -1);
	assert_non_null(got);
	assert_string_equal(got, why);
}

static void test_ports_single(void **state)
{
	static __u64 bits[PORT_WORDS];
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_port_set("80", bits, &why), 0);
	assert_true(port_set(bits, 80));
	assert_false(port_set(bits, 79));
	assert_false(port_set(bits, 81));
	assert_int_equal(port_count(bits), 1);
}

static void test_ports_list(void **state)
{
	static __u64 bits[PORT_WORDS];
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_port_set("80,443,8000-8100", bits, &why), 0);
	assert_true(port_set(bits, 80));
	assert_true(port_set(bits, 443));
	assert_true(port_set(bits, 8000));
	assert_true(port_set(bits, 8001));
	assert_true(port_set(bits, 8063)); /* word boundaries */
	assert_true(port_set(bits, 8064));
	assert_true(port_set(bits, 8099));
	assert_true(port_set(bits, 8100));
	assert_false(port_set(bits, 0));
	assert_false(port_set(bits, 79));
	assert_false(port_set(bits, 81));
	assert_false(port_set(bits, 442));
	assert_false(port_set(bits, 444));
	assert_false(port_set(bits, 7999));
	assert_false(port_set(bits, 8101));
	assert_int_equal(port_count(bits), 1 + 1 + 101);
}

static void test_ports_edges(void **state)
{
	static __u64 bits[PORT_WORDS];
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_port_set("65535", bits, &why), 0);
	assert_true(port_set(bits, 65535));
	assert_false(port_set(bits, 65534));
	assert_int_equal(port_count(bits), 1);

	memset(bits, 0, sizeof(bits));
	assert_int_equal(parse_port_set("1", bits, &why), 0);
	assert_true(port_set(bits, 1));
	assert_false(port_set(bits, 0));
	assert_int_equal(port_count(bits), 1);

	memset(bits, 0, sizeof(bits));
	assert_int_equal(parse_port_set("1-65535", bits, &why), 0);
	assert_false(port_set(bits, 0));
	assert_int_equal(port_count(bits), 65535);

	/* a one-port range, and overlapping entries */
	memset(bits, 0, sizeof(bits));
	assert_int_equal(parse_port_set("22-22,20-25,80", bits, &why), 0);
	assert_int_equal(port_count(bits), 7);
	assert_false(port_set(bits, 19));
	assert_false(port_set(bits, 26));
}

static void test_ports_bad(void **state)
{
	(void)state;
	ports_fail("0", "port must be 1-65535");
	ports_fail("65536", "port must be 1-65535");
	ports_fail("70000", "port must be 1-65535");
	ports_fail("123456789", "port must be 1-65535");
	ports_fail("0-80", "port must be 1-65535");
	ports_fail("80-65536", "port must be 1-65535");
	ports_fail("abc", "not a number");
	ports_fail("80a", "not a number");
	ports_fail(" 80", "not a number");
	ports_fail("80-90-100", "not a number");
	ports_fail("80-", "empty port");
	ports_fail("-80", "empty port");
	ports_fail("-", "empty port");
	ports_fail("80,,443", "empty port");
	ports_fail("80,", "empty port");
	ports_fail(",80", "empty port");
	ports_fail("90-80", "range is backwards");
	ports_fail("", "empty port list");
}

#define UNIT_HINT "use seconds, or a number with ns, us, ms, s, m or h"

static void dur_ok(const char *s, __u64 want)
{
	const char *why = NULL;
	__u64 ns = SENTINEL;

	assert_int_equal(parse_duration_ns(s, &ns, &why), 0);
	assert_int_equal(ns, want);
}

static void dur_fails(const char *s, const char *why)
{
	const char *got = NULL;
	__u64 ns = SENTINEL;

	assert_int_equal(parse_duration_ns(s, &ns, &got), -1);
	assert_non_null(got);
	assert_string_equal(got, why);
	assert_true(ns == SENTINEL);
}

static void test_duration_units(void **state)
{
	(void)state;
	dur_ok("100ns", 100);
	dur_ok("500us", 500000ULL);
	dur_ok("200ms", 200000000ULL);
	dur_ok("1.5s", 1500000000ULL);
	dur_ok("2m", 120000000000ULL);
	dur_ok("1h", 3600000000000ULL);
	dur_ok("0s", 0);
	dur_ok("0.25ms", 250000ULL);
	dur_ok("1.5m", 90000000000ULL);
	dur_ok("0.000000001s", 1);
	/* digits past nanoseconds are dropped */
	dur_ok("1.0000000009s", 1000000000ULL);
	dur_ok("10", 10000000000ULL);
	dur_ok("2.5", 2500000000ULL);
	dur_ok("10ms", 10000000ULL);
}

static void test_duration_bad(void **state)
{
	(void)state;
	dur_fails("10parsecs", UNIT_HINT);
	dur_fails("10 s", UNIT_HINT);
	dur_fails("10S", UNIT_HINT);
	dur_fails("10sec", UNIT_HINT);
	dur_fails("ms", "not a number");
	dur_fails("-1s", "not a number");
	dur_fails(".5s", "not a number");
	dur_fails("1.s", "not a number");
	dur_fails("", "not a number");
	dur_fails(" 1s", "not a number");
}

static void test_duration_too_large(void **state)
{
	(void)state;
	dur_ok("18446744073s", 18446744073000000000ULL);
	dur_fails("18446744074s", "too large");
	dur_fails("5124096h", "too large");
	dur_fails("99999999999999999999ns", "too large");
	dur_fails("99999999999999999999", "too large");
}

/*
 * The fractional part is scaled as frac * mult / fdiv: with nine fraction
 * digits and a unit of minutes or hours the product passes 2^64.
 */
static void test_duration_fraction_overflow(void **state)
{
	(void)state;
	/* 1.23456789 h = 4444.444404 s (got 3706.574641051 s) */
	dur_ok("1.23456789h", 4444444404000ULL);
	/* 1.999999999 h = 7199.9999964 s (got 3602.884902026 s) */
	dur_ok("1.999999999h", 7199999996400ULL);
	/* 0.999999999 m = 59.99999994 s (got 4.659767718 s) */
	dur_ok("0.999999999m", 59999999940ULL);
}

/*
 * The integer part fits but adding the fraction passes 2^64: the sum
 * wraps (to 190448384 ns) instead of failing.
 */
static void test_duration_sum_overflow(void **state)
{
	(void)state;
	dur_fails("18446744073.9s", "too large");
}

static void size_ok(const char *s, __u64 want)
{
	const char *why = NULL;
	__u64 v = SENTINEL;

	assert_int_equal(parse_size(s, &v, &why), 0);
	assert_int_equal(v, want);
}

static void size_fails(const char *s, const char *why)
{
	const char *got = NULL;
	__u64 v = SENTINEL;

	assert_int_equal(parse_size(s, &v, &got), -1);
	assert_non_null(got);
	assert_string_equal(got, why);
	assert_true(v == SENTINEL);
}

static void test_size(void **state)
{
	(void)state;
	size_ok("4096", 4096);
	size_ok("0", 0);
	size_ok("64K", 64ULL << 10);
	size_ok("64k", 64ULL << 10);
	size_ok("64KiB", 64ULL << 10);
	size_ok("8M", 8ULL << 20);
	size_ok("8MiB", 8ULL << 20);
	size_ok("1G", 1ULL << 30);
	size_ok("1GiB", 1ULL << 30);
	size_ok("1.5K", 1536);
	size_ok("16384G", 1ULL << 44);
	size_fails("3X", "use bytes or a K, M or G suffix");
	size_fails("3m", "use bytes or a K, M or G suffix");
	size_fails("3KB", "use bytes or a K, M or G suffix");
	size_fails("K", "not a number");
	size_fails("", "not a number");
	size_fails("-1K", "not a number");
	size_fails("17179869184G", "too large");
}

UNIT_GROUP(parse)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_ranges),
		cmocka_unit_test(test_u64_overflow),
		cmocka_unit_test(test_u64_garbage),
		cmocka_unit_test(test_ports_single),
		cmocka_unit_test(test_ports_list),
		cmocka_unit_test(test_ports_edges),
		cmocka_unit_test(test_ports_bad),
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_duration_too_large),
		cmocka_unit_test(test_duration_fraction_overflow),
		cmocka_unit_test(test_duration_sum_overflow),
		cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
