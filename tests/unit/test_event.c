// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "unit.h"
#include "model/event.h"
#include "output/addrfmt.h"

static void endpoint_is(__u16 family, const __u8 *addr, __u16 port,
			const char *want)
{
	char buf[TT_ENDPOINT_LEN];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = tt_endpoint_fmt(buf, sizeof(buf), family, addr, port);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void addr_is(__u16 family, const __u8 *addr, const char *want)
{
	char buf[TT_ENDPOINT_LEN];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = tt_addr_fmt(buf, sizeof(buf), family, addr);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_ipv4(void **state)
{
	static const __u8 any[TT_ADDR_LEN] = { 0, 0, 0, 0 };
	static const __u8 bcast[TT_ADDR_LEN] = { 255, 255, 255, 255 };
	static const __u8 lo[TT_ADDR_LEN] = { 127, 0, 0, 1 };
	static const __u8 mixed[TT_ADDR_LEN] = { 10, 100, 9, 200 };

	(void)state;
	endpoint_is(AF_INET, any, 0, "0.0.0.0:0");
	endpoint_is(AF_INET, bcast, 65535, "255.255.255.255:65535");
	endpoint_is(AF_INET, lo, 80, "127.0.0.1:80");
	endpoint_is(AF_INET, mixed, 8080, "10.100.9.200:8080");
	addr_is(AF_INET, any, "0.0.0.0");
	addr_is(AF_INET, bcast, "255.255.255.255");
	addr_is(AF_INET, lo, "127.0.0.1");
}

static void test_ipv6(void **state)
{
	static const __u8 lo[TT_ADDR_LEN] = { [15] = 1 };
	static const __u8 any[TT_ADDR_LEN] = { 0 };
	static const __u8 full[TT_ADDR_LEN] = { 0x20, 0x01, 0x0d, 0xb8,
						0x00, 0x01, 0x00, 0x02,
						0x00, 0x03, 0x00, 0x04,
						0x00, 0x05, 0xab, 0xcd };
	static const __u8 ones[TT_ADDR_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	static const __u8 mapped[TT_ADDR_LEN] = {
		[10] = 0xff, [11] = 0xff, [12] = 255,
		[13] = 255,  [14] = 255,  [15] = 255
	};

	(void)state;
	endpoint_is(AF_INET6, lo, 80, "[::1]:80");
	endpoint_is(AF_INET6, any, 0, "[::]:0");
	endpoint_is(AF_INET6, full, 443, "[2001:db8:1:2:3:4:5:abcd]:443");
	/* the longest: still fits TT_ENDPOINT_LEN */
	endpoint_is(AF_INET6, ones, 65535,
		    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	endpoint_is(AF_INET6, mapped, 65535, "[::ffff:255.255.255.255]:65535");
	addr_is(AF_INET6, lo, "::1");
	addr_is(AF_INET6, full, "2001:db8:1:2:3:4:5:abcd");
	addr_is(AF_INET6, ones, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_unknown_family(void **state)
{
	static const __u8 lo[TT_ADDR_LEN] = { 127, 0, 0, 1 };

	(void)state;
	endpoint_is(0, lo, 80, "?:80");
	endpoint_is(AF_UNIX, lo, 80, "?:80");
	endpoint_is(0xffff, lo, 0, "?:0");
	addr_is(0, lo, "?");
}

static void test_short_buffer(void **state)
{
	static const __u8 lo[TT_ADDR_LEN] = { 127, 0, 0, 1 };
	char buf[TT_ENDPOINT_LEN];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(
		tt_endpoint_fmt(buf, TT_ENDPOINT_LEN - 1, AF_INET, lo, 80), 0);
	assert_int_equal(tt_addr_fmt(buf, TT_ENDPOINT_LEN - 1, AF_INET, lo), 0);
	assert_int_equal(buf[0], 'X'); /* nothing written */
}

static void test_family_str(void **state)
{
	(void)state;
	assert_string_equal(tt_family_str(AF_INET), "ipv4");
	assert_string_equal(tt_family_str(AF_INET6), "ipv6");
	assert_string_equal(tt_family_str(0), "unknown");
	assert_string_equal(tt_family_str(AF_UNIX), "unknown");
}

static void fill(struct tt_event *e)
{
	memset(e, 0, sizeof(*e));
	e->pid = 101;
	e->tgid = 100;
	e->owner_tgid = 200;
	strcpy(e->comm, "curl");
	strcpy(e->owner_comm, "nginx");
}

static void test_who(void **state)
{
	const char *comm = "unset";
	struct tt_event e;

	(void)state;
	/* owner known wins, in either context */
	fill(&e);
	e.flags = TT_F_OWNER_KNOWN | TT_F_PROCESS_CTX;
	assert_int_equal(tt_event_who(&e, &comm), 200);
	assert_ptr_equal(comm, e.owner_comm);

	fill(&e);
	e.flags = TT_F_OWNER_KNOWN;
	comm = "unset";
	assert_int_equal(tt_event_who(&e, &comm), 200);
	assert_ptr_equal(comm, e.owner_comm);

	fill(&e);
	e.flags = TT_F_OWNER_KNOWN | TT_F_OWNER_LISTENER;
	comm = "unset";
	assert_int_equal(tt_event_who(&e, &comm), 200);
	assert_ptr_equal(comm, e.owner_comm);

	/* then the current task, if it held the socket lock */
	fill(&e);
	e.flags = TT_F_PROCESS_CTX;
	comm = "unset";
	assert_int_equal(tt_event_who(&e, &comm), 100);
	assert_ptr_equal(comm, e.comm);

	/* else nobody: softirq's current task is unrelated */
	fill(&e);
	e.flags = 0;
	comm = "unset";
	assert_int_equal(tt_event_who(&e, &comm), 0);
	assert_null(comm);

	/* LISTENER alone does not make the owner fields valid */
	fill(&e);
	e.flags = TT_F_OWNER_LISTENER;
	comm = "unset";
	assert_int_equal(tt_event_who(&e, &comm), 0);
	assert_null(comm);
}

static int cmp_key(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Tuple keys: top bit set, changed by any one field or byte, and no two
 * alike among 200,000 tuples that differ little (one host's sockets).
 */
static void test_tuple_key(void **state)
{
	enum { N = 200000 };
	__u8 s[TT_ADDR_LEN] = { 10, 0, 0, 1 }, d[TT_ADDR_LEN] = { 10, 0, 0, 2 };
	__u64 *keys = calloc(N, sizeof(*keys)), k;

	(void)state;
	assert_non_null(keys);
	k = tt_tuple_key(AF_INET, s, 80, d, 40000);
	assert_true(k >> 63);
	assert_int_not_equal(k, tt_tuple_key(AF_INET6, s, 80, d, 40000));
	assert_int_not_equal(k, tt_tuple_key(AF_INET, s, 81, d, 40000));
	assert_int_not_equal(k, tt_tuple_key(AF_INET, s, 80, d, 40001));
	assert_int_not_equal(k, tt_tuple_key(AF_INET, d, 80, s, 40000));
	for (int i = 0; i < TT_ADDR_LEN; i++) {
		s[i] ^= 1;
		assert_int_not_equal(k, tt_tuple_key(AF_INET, s, 80, d, 40000));
		s[i] ^= 1;
		d[i] ^= 0x80;
		assert_int_not_equal(k, tt_tuple_key(AF_INET, s, 80, d, 40000));
		d[i] ^= 0x80;
	}
	for (int i = 0; i < N; i++) {
		d[3] = i % 200;
		d[2] = i / 200 % 5;
		keys[i] = tt_tuple_key(i % 2 ? AF_INET : AF_INET6, s, 443, d,
				       32768 + i / 1000);
		assert_true(keys[i] >> 63);
	}
	qsort(keys, N, sizeof(*keys), cmp_key);
	for (int i = 1; i < N; i++)
		assert_int_not_equal(keys[i - 1], keys[i]);
	free(keys);
}

static void test_view(void **state)
{
	static union {
		struct tt_event e;
		char raw[sizeof(struct tt_event) + 8];
	} rec;

	(void)state;
	assert_int_equal(sizeof(struct tt_event), 128);
	assert_null(tt_event_view(&rec, 0));
	assert_null(tt_event_view(&rec, 1));
	assert_null(tt_event_view(&rec, sizeof(struct tt_event) - 1));
	assert_ptr_equal(tt_event_view(&rec, sizeof(struct tt_event)), &rec);
	assert_ptr_equal(tt_event_view(&rec, sizeof(rec)), &rec);
}

UNIT_GROUP(event)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_unknown_family),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_family_str),
		cmocka_unit_test(test_who),
		cmocka_unit_test(test_tuple_key),
		cmocka_unit_test(test_view),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
