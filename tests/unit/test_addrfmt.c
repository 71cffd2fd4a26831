// SPDX-License-Identifier: GPL-2.0
/*
 * output/addrfmt.c against inet_ntop(): every IPv4 octet, every pattern of
 * zero and non-zero IPv6 groups with group values of each hex width, the
 * forms inet_ntop() writes specially, and random addresses. The expected
 * text is glibc's (musl, for one, writes no "::a.b.c.d").
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "unit.h"
#include "output/addrfmt.h"

/* put_addr() without brackets equals inet_ntop(), and stays in its room */
static void same_as_ntop(int family, const __u8 *addr)
{
	char want[INET6_ADDRSTRLEN], got[TT_ENDPOINT_LEN + 8];
	char *end;

	assert_non_null(inet_ntop(family, addr, want, sizeof(want)));
	memset(got, 'X', sizeof(got));
	end = put_addr(got, family, addr, false);
	assert_true(end - got < TT_ENDPOINT_LEN);
	/* scratch past the end, but nothing past the room it may use */
	assert_int_equal(got[TT_ENDPOINT_LEN], 'X');
	*end = '\0';
	if (strcmp(got, want))
		fail_msg("got '%s', inet_ntop() '%s'", got, want);
}

static void v6_words(__u8 *a, const unsigned int w[8])
{
	for (int i = 0; i < 8; i++) {
		a[2 * i] = w[i] >> 8;
		a[2 * i + 1] = w[i] & 0xff;
	}
}

static void test_ipv4_octets(void **state)
{
	__u8 a[TT_ADDR_LEN] = { 0 };

	(void)state;
	for (int pos = 0; pos < 4; pos++) {
		for (int v = 0; v < 256; v++) {
			memset(a, pos & 1 ? 255 : 0, 4);
			a[pos] = v;
			same_as_ntop(AF_INET, a);
		}
	}
	srandom(17);
	for (int i = 0; i < 10000; i++) {
		for (int j = 0; j < 4; j++)
			a[j] = random();
		same_as_ntop(AF_INET, a);
	}
}

static void test_ipv6_forms(void **state)
{
	static const unsigned int forms[][8] = {
		{ 0, 0, 0, 0, 0, 0, 0, 0 }, /* :: */
		{ 0, 0, 0, 0, 0, 0, 0, 1 }, /* ::1 */
		{ 1, 0, 0, 0, 0, 0, 0, 0 }, /* 1:: */
		{ 0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304 }, /* ::ffff:1.2.3.4 */
		{ 0, 0, 0, 0, 0, 0xffff, 0, 0 }, /* ::ffff:0.0.0.0 */
		{ 0, 0, 0, 0, 0, 0, 0x0102, 0x0304 }, /* ::1.2.3.4 */
		{ 0, 0, 0, 0, 0, 0, 0, 0x0102 }, /* ::102, not ::0.0.1.2 */
		{ 0, 0, 0, 0, 0, 0xfffe, 0x0102, 0x0304 }, /* not mapped */
		{ 0, 0, 0, 0, 1, 0xffff, 0x0102, 0x0304 }, /* not mapped */
		{ 0, 0, 0, 0, 0xffff, 0, 0x0102, 0x0304 },
		{ 0x2001, 0xdb8, 0, 0, 0, 0, 0, 1 }, /* trailing group */
		{ 0x2001, 0xdb8, 0, 0, 1, 0, 0, 0 }, /* longer run wins */
		{ 0x2001, 0, 0, 1, 0, 0, 0, 1 }, /* longer run second */
		{ 1, 0, 0, 1, 0, 0, 1, 1 }, /* tie: the first */
		{ 0, 0, 1, 1, 1, 1, 0, 0 }, /* tie at both ends */
		{ 1, 0, 1, 1, 1, 1, 1, 1 }, /* one zero: not compressed */
		{ 1, 0, 1, 0, 1, 0, 1, 0 },
		{ 0, 1, 0, 1, 0, 1, 0, 1 },
		{ 0xfe80, 0, 0, 0, 0x0202, 0xb3ff, 0xfe1e, 0x8329 },
		{ 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
		  0xffff },
		{ 0xf, 0xf0, 0xf00, 0xf000, 0x1, 0x10, 0x100, 0x1000 },
	};
	__u8 a[TT_ADDR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		v6_words(a, forms[i]);
		same_as_ntop(AF_INET6, a);
	}
}

/* every zero/non-zero pattern of the 8 groups, with each value width */
static void test_ipv6_patterns(void **state)
{
	static const unsigned int vals[] = { 1,	    0xf,    0x10,   0xab,
					     0x100, 0xfff,  0x1000, 0xffff,
					     0xa0b, 0x8000, 0x0102 };
	unsigned int w[8];
	__u8 a[TT_ADDR_LEN];

	(void)state;
	for (unsigned int mask = 0; mask < 256; mask++) {
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			for (int i = 0; i < 8; i++)
				w[i] = mask & 1u << i ?
					       vals[(v + i) % (sizeof(vals) /
							       sizeof(vals[0]))] :
					       0;
			v6_words(a, w);
			same_as_ntop(AF_INET6, a);
			/* and the same groups after ::ffff: */
			w[5] = 0xffff;
			v6_words(a, w);
			same_as_ntop(AF_INET6, a);
		}
	}
}

static void test_ipv6_random(void **state)
{
	__u8 a[TT_ADDR_LEN];

	(void)state;
	srandom(42);
	for (int i = 0; i < 100000; i++) {
		/* mostly zero groups, so that runs of every length occur */
		for (int j = 0; j < 8; j++) {
			unsigned int r = random();

			a[2 * j] = r % 3 ? 0 : r >> 8;
			a[2 * j + 1] = r % 3 ? 0 : r >> 16;
		}
		same_as_ntop(AF_INET6, a);
	}
}

static void test_endpoint(void **state)
{
	static const __u8 v4[TT_ADDR_LEN] = { 192, 168, 0, 10 };
	static const __u8 v6[TT_ADDR_LEN] = { [15] = 1 };
	char buf[TT_ENDPOINT_LEN];
	char *end;

	(void)state;
	end = put_endpoint(buf, AF_INET, v4, 8080);
	*end = '\0';
	assert_string_equal(buf, "192.168.0.10:8080");
	end = put_endpoint(buf, AF_INET6, v6, 0);
	*end = '\0';
	assert_string_equal(buf, "[::1]:0");
	end = put_endpoint(buf, AF_UNIX, v6, 65535);
	*end = '\0';
	assert_string_equal(buf, "?:65535");
	end = put_addr(buf, AF_INET6, v6, true);
	*end = '\0';
	assert_string_equal(buf, "[::1]");
	for (unsigned int port = 0; port < 65536; port += 7) {
		char want[TT_ENDPOINT_LEN];

		end = put_endpoint(buf, AF_INET, v4, port);
		*end = '\0';
		snprintf(want, sizeof(want), "192.168.0.10:%u", port);
		assert_string_equal(buf, want);
	}
}

UNIT_GROUP(addrfmt)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_octets),
		cmocka_unit_test(test_ipv6_forms),
		cmocka_unit_test(test_ipv6_patterns),
		cmocka_unit_test(test_ipv6_random),
		cmocka_unit_test(test_endpoint),
	};

	return cmocka_run_group_tests_name("addrfmt", tests, NULL, NULL);
}
