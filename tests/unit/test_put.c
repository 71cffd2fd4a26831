// SPDX-License-Identifier: GPL-2.0
/* output/put.c against printf and the formatters it replaced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "output/put.h"

#define U64_MAX (~0ULL)

static void u64_is(__u64 v)
{
	char want[32], got[PUT_U64_MAX + 8];
	char *end;

	snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
	memset(got, 'X', sizeof(got));
	end = put_u64(got, v);
	assert_int_equal(got[end - got], 'X');
	assert_int_equal(end - got, strlen(want));
	assert_int_equal(put_len_u64(v), strlen(want));
	*end = '\0';
	assert_string_equal(got, want);
	if (v <= 0xffffffffULL) {
		end = put_u32(got, v);
		*end = '\0';
		assert_string_equal(got, want);
	}
}

static void test_u64(void **state)
{
	__u64 p = 1;

	(void)state;
	u64_is(0);
	u64_is(U64_MAX);
	u64_is(U64_MAX - 1);
	u64_is(0xffffffffULL);
	u64_is(0x100000000ULL);
	/* each power of ten and its neighbours: every length, every split */
	for (int i = 0; i < 20; i++, p *= 10) {
		u64_is(p - 1);
		u64_is(p);
		u64_is(p + 1);
		u64_is(p * 2 - 1);
	}
	srandom(3);
	for (int i = 0; i < 100000; i++) {
		__u64 v = (__u64)random() << 33 ^ (__u64)random() << 11 ^
			  random();

		u64_is(v >> (i % 64));
	}
}

static void digits_is(__u64 v, unsigned int n, const char *want)
{
	char got[32];

	*put_digits(got, v, n) = '\0';
	assert_string_equal(got, want);
}

static void test_digits(void **state)
{
	(void)state;
	digits_is(0, 0, "");
	digits_is(7, 1, "7");
	digits_is(7, 3, "007");
	digits_is(1234, 3, "234"); /* the last n */
	digits_is(42, 6, "000042");
	digits_is(123456789, 9, "123456789");
	digits_is(1, 9, "000000001");
	digits_is(12345678901234567ULL, 17, "12345678901234567");
	digits_is(5, 19, "0000000000000000005");
	digits_is(U64_MAX, 19, "8446744073709551615");
}

/* v / div with digits decimals, truncated, computed in 128 bits */
static void fixed_is(__u64 v, __u64 div, int digits)
{
	char want[64], got[64];
	unsigned __int128 frac;
	__u64 scale = 1;

	for (int i = 0; i < digits; i++)
		scale *= 10;
	frac = (unsigned __int128)(v % div) * scale / div;
	if (digits > 0)
		snprintf(want, sizeof(want), "%llu.%0*llu",
			 (unsigned long long)(v / div), digits,
			 (unsigned long long)frac);
	else
		snprintf(want, sizeof(want), "%llu",
			 (unsigned long long)(v / div));
	*put_fixed(got, v, div, digits) = '\0';
	assert_string_equal(got, want);
}

static void test_fixed(void **state)
{
	static const __u64 vals[] = { 0,	 1,	     999,
				      1000,	 999999,     1000000,
				      480312999, 1500000000, 1234567890123ULL,
				      U64_MAX };
	__u64 div = 1;

	(void)state;
	for (int d = 0; d < 20; d++, div *= 10)
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
			for (int digits = 0; digits < 20; digits++)
				fixed_is(vals[i], div, digits);
}

/* the escaping put_text_esc() replaced, byte for byte */
static size_t old_text_esc(char *p, const char *s, size_t maxlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (size_t i = 0; i < maxlen && s[i]; i++) {
		unsigned char c = s[i];

		if (c > ' ' && c < 0x7f && c != '\\') {
			p[n++] = c;
		} else {
			p[n++] = '\\';
			p[n++] = 'x';
			p[n++] = hex[c >> 4];
			p[n++] = hex[c & 15];
		}
	}
	return n;
}

static void esc_same(const char *s, size_t maxlen)
{
	char want[4 * 64], got[4 * 64 + 8];
	size_t n = old_text_esc(want, s, maxlen);
	char *end;

	memset(got, 'X', sizeof(got));
	end = put_text_esc(got, s, maxlen);
	assert_int_equal(end - got, n);
	assert_memory_equal(got, want, n);
	/* scratch past the end, but nothing past the room it may use */
	assert_int_equal(got[4 * maxlen], 'X');
}

/* a literal in a zeroed name buffer: put_text_esc() reads all maxlen */
#define esc_lit(lit, maxlen)                     \
	do {                                     \
		char name_[32] = { 0 };          \
                                                 \
		memcpy(name_, lit, sizeof(lit)); \
		esc_same(name_, maxlen);         \
	} while (0)

static void test_text_esc(void **state)
{
	char s[17];

	(void)state;
	esc_lit("curl", 16);
	esc_lit("", 16);
	esc_lit("a b", 16);
	esc_lit("back\\slash", 16);
	esc_lit("\"quoted\"", 16);
	esc_lit("\x1b[31mred", 16);
	esc_lit("\x7f\x80\xff\xc3\xa9", 16);
	esc_lit("0123456789abcdefXYZ", 16); /* no NUL in the first 16 */
	esc_lit("nul\0after", 16);
	esc_lit("cut", 2);
	/* specials on and across every 8-byte boundary of the fast path */
	srandom(9);
	for (int r = 0; r < 100000; r++) {
		char t[40];
		size_t len = random() % sizeof(t);

		for (size_t i = 0; i < len; i++)
			t[i] = random() % 4 ? 'a' + random() % 26 : random();
		esc_same(t, len);
	}
	/* every byte value, at the start, in the middle and at the end */
	for (int c = 1; c < 256; c++) {
		memset(s, 'a', 16);
		s[16] = '\0';
		s[0] = c;
		s[7] = c;
		s[15] = c;
		esc_same(s, 16);
		esc_same(s, 17);
	}
}

static void test_col_end(void **state)
{
	char buf[64];
	char *end;

	(void)state;
	memcpy(buf, put_spaces, sizeof(buf));
	memcpy(buf, "abc", 3);
	end = put_col_end(buf, buf + 3, 7);
	assert_int_equal(end - buf, 8);
	assert_memory_equal(buf, "abc     ", 8);
	/* text as wide as the column, and wider: one space after it */
	memcpy(buf, "abcdefg", 7);
	end = put_col_end(buf, buf + 7, 7);
	assert_int_equal(end - buf, 8);
	assert_memory_equal(buf, "abcdefg ", 8);
	memcpy(buf, "abcdefghij", 10);
	end = put_col_end(buf, buf + 10, 7);
	assert_int_equal(end - buf, 11);
	assert_memory_equal(buf, "abcdefghij ", 11);
}

UNIT_GROUP(put)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),	cmocka_unit_test(test_digits),
		cmocka_unit_test(test_fixed),	cmocka_unit_test(test_text_esc),
		cmocka_unit_test(test_col_end),
	};

	return cmocka_run_group_tests_name("put", tests, NULL, NULL);
}
