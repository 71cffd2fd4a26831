// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "output/json.h"
#include "output/out.h"

#define FFFD "\xef\xbf\xbd"
#define U64_MAX (~0ULL)

/* o holds exactly 'want'; then empty it for the next check */
static void expect(struct out *o, const char *want)
{
	assert_string_equal(out_cstr(o), want);
	assert_int_equal(o->len, strlen(want));
	out_clear(o);
}

static void test_init(void **state)
{
	struct out o;

	(void)state;
	assert_int_equal(out_init(&o, -1, 16), 0);
	assert_non_null(o.buf);
	assert_int_equal(o.fd, -1);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.cap, 16);
	assert_false(o.line_buffered);
	assert_int_equal(o.err, 0);
	out_free(&o);
	assert_null(o.buf);
}

static void test_grow(void **state)
{
	struct out *o = *state;
	char want[4096];
	size_t n = 0;

	for (int i = 0; i < 300; i++) {
		out_str(o, "abc");
		out_char(o, '-');
		memcpy(want + n, "abc-", 4);
		n += 4;
	}
	out_pad(o, 7);
	memcpy(want + n, "       ", 7);
	n += 7;
	out_end_line(o);
	want[n++] = '\n';
	want[n] = '\0';
	assert_true(o->cap >= o->len);
	assert_int_equal(o->err, 0);
	/* with no fd, a flush keeps everything */
	assert_int_equal(out_flush(o), 0);
	expect(o, want);
	/* out_reserve of a large block always succeeds in memory */
	assert_true(out_reserve(o, 100000));
	assert_true(o->cap >= 100000);
}

static void test_u64(void **state)
{
	struct out *o = *state;

	out_u64(o, 0);
	expect(o, "0");
	out_u64(o, 1);
	expect(o, "1");
	out_u64(o, 10);
	expect(o, "10");
	out_u64(o, 1234567890);
	expect(o, "1234567890");
	out_u64(o, 4294967296ULL);
	expect(o, "4294967296");
	out_u64(o, U64_MAX);
	expect(o, "18446744073709551615");
	out_u64(o, 7);
	out_char(o, ' ');
	out_u64(o, 0);
	expect(o, "7 0");
}

static void test_fixed(void **state)
{
	struct out *o = *state;

	/* ns as ms, three decimals, truncated */
	out_fixed(o, 1234567, 1000000, 3);
	expect(o, "1.234");
	out_fixed(o, 999, 1000000, 3);
	expect(o, "0.000");
	out_fixed(o, 999999, 1000000, 3);
	expect(o, "0.999");
	out_fixed(o, 1000000, 1000000, 3);
	expect(o, "1.000");
	out_fixed(o, 0, 1000000, 3);
	expect(o, "0.000");
	out_fixed(o, 480312000, 1000000, 6);
	expect(o, "480.312000");
	out_fixed(o, 480312999, 1000000, 6);
	expect(o, "480.312999");
	/* ns as seconds, six decimals */
	out_fixed(o, 1234567890, 1000000000, 6);
	expect(o, "1.234567");
	out_fixed(o, 1500000000, 1000000000, 6);
	expect(o, "1.500000");
	out_fixed(o, 5000, 1000000000, 6);
	expect(o, "0.000005");
	out_fixed(o, 999, 1000000000, 6);
	expect(o, "0.000000");
	out_fixed(o, U64_MAX, 1000000000, 6);
	expect(o, "18446744073.709551");
	out_fixed(o, U64_MAX, 1000000, 3);
	expect(o, "18446744073709.551");
	/* more digits than the divisor has */
	out_fixed(o, 15, 10, 3);
	expect(o, "1.500");
	/* no decimals */
	out_fixed(o, 1999, 1000, 0);
	expect(o, "1");
}

static void test_text_esc_printable(void **state)
{
	struct out *o = *state;
	static const char all[] = "!\"#$%&'()*+,-./0123456789:;<=>?@"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`"
				  "abcdefghijklmnopqrstuvwxyz{|}~";

	out_text_esc(o, "nginx", 16);
	expect(o, "nginx");
	out_text_esc(o, all, sizeof(all));
	expect(o, all);
	out_text_esc(o, "", 16);
	expect(o, "");
}

static void test_text_esc_escapes(void **state)
{
	struct out *o = *state;

	out_text_esc(o, "a b", 16);
	expect(o, "a\\x20b");
	out_text_esc(o, "a\\b", 16);
	expect(o, "a\\x5cb");
	out_text_esc(o, "\x1b[31m", 16);
	expect(o, "\\x1b[31m");
	out_text_esc(o, "x\ny\tz\r", 16);
	expect(o, "x\\x0ay\\x09z\\x0d");
	out_text_esc(o, "\x01\x1f", 16);
	expect(o, "\\x01\\x1f");
	out_text_esc(o, "\x7f", 16);
	expect(o, "\\x7f");
	out_text_esc(o, "\x9b", 16);
	expect(o, "\\x9b");
	out_text_esc(o, "\xff", 16);
	expect(o, "\\xff");
	/* UTF-8 is not trusted on a terminal either: "é" */
	out_text_esc(o, "caf\xc3\xa9", 16);
	expect(o, "caf\\xc3\\xa9");
}

static void test_text_esc_limits(void **state)
{
	struct out *o = *state;
	/* no NUL anywhere in the first four bytes */
	static const struct {
		char a[4];
		char b[4];
	} unterminated = { { 'a', 'b', 'c', 'd' }, { 'X', 'Y', 'Z', 0 } };
	char ff[16];

	out_text_esc(o, "ab\0cd", 5);
	expect(o, "ab");
	out_text_esc(o, "abcdef", 3);
	expect(o, "abc");
	out_text_esc(o, "abcdef", 0);
	expect(o, "");
	out_text_esc(o, unterminated.a, sizeof(unterminated.a));
	expect(o, "abcd");
	/* worst case: every byte grows to four */
	memset(ff, 0xff, sizeof(ff));
	out_text_esc(o, ff, sizeof(ff));
	assert_int_equal(o->len, 64);
	out_clear(o);
}

static void test_json_escapes(void **state)
{
	struct out *o = *state;

	json_quote(o, "", 16);
	expect(o, "\"\"");
	json_quote(o, "nginx", 16);
	expect(o, "\"nginx\"");
	json_quote(o, "a\"b", 16);
	expect(o, "\"a\\\"b\"");
	json_quote(o, "a\\b", 16);
	expect(o, "\"a\\\\b\"");
	json_quote(o, "a/b c", 16);
	expect(o, "\"a/b c\"");
	json_quote(o, "\x01", 16);
	expect(o, "\"\\u0001\"");
	json_quote(o, "\t\n\r", 16);
	expect(o, "\"\\u0009\\u000a\\u000d\"");
	json_quote(o, "\x1f", 16);
	expect(o, "\"\\u001f\"");
	json_quote(o, "\x1b[31m", 16);
	expect(o, "\"\\u001b[31m\"");
	json_quote(o, "\x7f", 16);
	expect(o, "\"\\u007f\"");
}

static void test_json_utf8_valid(void **state)
{
	static const char *const ok[] = {
		"caf\xc3\xa9", /* U+00E9 */
		"\xc2\x80", /* U+0080, the first two-byte character */
		"\xdf\xbf", /* U+07FF */
		"\xe0\xa0\x80", /* U+0800 */
		"\xe2\x82\xac", /* U+20AC */
		"\xed\x9f\xbf", /* U+D7FF, just below the surrogates */
		"\xee\x80\x80", /* U+E000, just above them */
		"\xef\xbf\xbf", /* U+FFFF */
		"\xf0\x90\x80\x80", /* U+10000 */
		"\xf0\x9f\x98\x80", /* U+1F600 */
		"\xf4\x8f\xbf\xbf", /* U+10FFFF, the last */
		"\xe6\x97\xa5\xe6\x9c\xac",
	};
	struct out *o = *state;
	char want[64];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(want, sizeof(want), "\"%s\"", ok[i]);
		json_quote(o, ok[i], 16);
		expect(o, want);
	}
}

static void test_json_utf8_invalid(void **state)
{
	struct out *o = *state;

	/* one U+FFFD for every byte that is not part of a valid sequence */
	json_quote(o, "\xff", 16);
	expect(o, "\"" FFFD "\"");
	json_quote(o, "\xfe", 16);
	expect(o, "\"" FFFD "\"");
	json_quote(o, "\x80", 16);
	expect(o, "\"" FFFD "\"");
	json_quote(o,
		   "a\xbf"
		   "b",
		   16);
	expect(o, "\"a" FFFD "b\"");
	/* overlong */
	json_quote(o, "\xc0\x80", 16);
	expect(o, "\"" FFFD FFFD "\"");
	json_quote(o, "\xc1\xbf", 16);
	expect(o, "\"" FFFD FFFD "\"");
	json_quote(o, "\xe0\x80\xaf", 16);
	expect(o, "\"" FFFD FFFD FFFD "\"");
	json_quote(o, "\xf0\x80\x80\xaf", 16);
	expect(o, "\"" FFFD FFFD FFFD FFFD "\"");
	/* surrogates, alone and as a CESU-8 pair */
	json_quote(o, "\xed\xa0\x80", 16);
	expect(o, "\"" FFFD FFFD FFFD "\"");
	json_quote(o, "\xed\xbf\xbf", 16);
	expect(o, "\"" FFFD FFFD FFFD "\"");
	json_quote(o, "\xed\xa0\xbd\xed\xb8\x80", 16);
	expect(o, "\"" FFFD FFFD FFFD FFFD FFFD FFFD "\"");
	/* past U+10FFFF */
	json_quote(o, "\xf4\x90\x80\x80", 16);
	expect(o, "\"" FFFD FFFD FFFD FFFD "\"");
	json_quote(o, "\xf5\x80\x80\x80", 16);
	expect(o, "\"" FFFD FFFD FFFD FFFD "\"");
	/* truncated: at the end, and followed by something else */
	json_quote(o, "\xc3", 16);
	expect(o, "\"" FFFD "\"");
	json_quote(o, "\xe2\x82", 16);
	expect(o, "\"" FFFD FFFD "\"");
	json_quote(o,
		   "\xe2\x82"
		   "a",
		   16);
	expect(o, "\"" FFFD FFFD "a\"");
	json_quote(o, "\xf0\x9f\x98", 16);
	expect(o, "\"" FFFD FFFD FFFD "\"");
	json_quote(o, "\xf0\x9f\x98\xc3\xa9", 16);
	expect(o, "\"" FFFD FFFD FFFD "\xc3\xa9\"");
}

static void test_json_maxlen(void **state)
{
	struct out *o = *state;
	static const struct {
		char a[4];
		char b[4];
	} unterminated = { { 'a', 'b', 'c', 'd' }, { 'X', 'Y', 'Z', 0 } };
	char buf[16];

	json_quote(o, unterminated.a, sizeof(unterminated.a));
	expect(o, "\"abcd\"");
	json_quote(o, unterminated.a, 2);
	expect(o, "\"ab\"");
	json_quote(o, "abc", 0);
	expect(o, "\"\"");
	json_quote(o, "ab\0cd", 5);
	expect(o, "\"ab\"");
	/* maxlen cuts a sequence: what is left is invalid */
	json_quote(o, "\xc3\xa9", 1);
	expect(o, "\"" FFFD "\"");
	json_quote(o, "a\xe2\x82\xac", 3);
	expect(o, "\"a" FFFD FFFD "\"");
	/* worst cases of the reservation: 6 and 3 bytes for each byte */
	memset(buf, 0x01, sizeof(buf));
	json_quote(o, buf, sizeof(buf));
	assert_int_equal(o->len, 6 * 16 + 2);
	assert_true(json_string_valid(o->buf, o->len));
	out_clear(o);
	memset(buf, 0xff, sizeof(buf));
	json_quote(o, buf, sizeof(buf));
	assert_int_equal(o->len, 3 * 16 + 2);
	assert_true(json_string_valid(o->buf, o->len));
	out_clear(o);
}

/* xorshift64*: the same sequence on every run */
static __u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static __u64 rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

/* a random code point, encoded; returns its length */
static size_t rnd_utf8(unsigned char *p)
{
	__u32 cp;

	switch (rnd() % 4) {
	case 0:
		cp = 1 + rnd() % 0x7f;
		p[0] = cp;
		return 1;
	case 1:
		cp = 0x80 + rnd() % (0x800 - 0x80);
		p[0] = 0xc0 | cp >> 6;
		p[1] = 0x80 | (cp & 0x3f);
		return 2;
	case 2:
		do
			cp = 0x800 + rnd() % (0x10000 - 0x800);
		while (cp >= 0xd800 && cp <= 0xdfff);
		p[0] = 0xe0 | cp >> 12;
		p[1] = 0x80 | (cp >> 6 & 0x3f);
		p[2] = 0x80 | (cp & 0x3f);
		return 3;
	default:
		cp = 0x10000 + rnd() % (0x110000 - 0x10000);
		p[0] = 0xf0 | cp >> 18;
		p[1] = 0x80 | (cp >> 12 & 0x3f);
		p[2] = 0x80 | (cp >> 6 & 0x3f);
		p[3] = 0x80 | (cp & 0x3f);
		return 4;
	}
}

/* 16 bytes, not NUL-terminated: random, valid UTF-8, or damaged UTF-8 */
static void rnd_buf(unsigned char buf[16])
{
	unsigned char tmp[16 + 4];
	size_t n = 0;
	int mode = rnd() % 3;

	if (mode == 0) {
		for (int i = 0; i < 16; i++) {
			/* mostly non-NUL so the whole buffer is used */
			do
				buf[i] = rnd();
			while (!buf[i] && rnd() % 8);
		}
		return;
	}
	while (n < 16)
		n += rnd_utf8(tmp + n);
	memcpy(buf, tmp, 16); /* the last character may be cut */
	if (mode == 2)
		buf[rnd() % 16] = 0x80 + rnd() % 0x80;
}

/* check one json_quote result against its input s[0..maxlen) */
static void check_json(struct out *o, const char *s, size_t maxlen,
		       int *valid_in)
{
	size_t n = strnlen(s, maxlen);
	char dec[128];
	long dl;

	out_clear(o);
	json_quote(o, s, maxlen);
	if (!json_string_valid(o->buf, o->len))
		fail_msg("invalid JSON string for input of %zu bytes", n);
	/* valid UTF-8 comes back unchanged */
	if (utf8_valid((const unsigned char *)s, n)) {
		dl = json_string_decode(o->buf, o->len, dec, sizeof(dec));
		assert_int_equal(dl, n);
		assert_memory_equal(dec, s, n);
		(*valid_in)++;
	}
}

/* check one out_text_esc result: only printable ASCII, and reversible */
static void check_text(struct out *o, const char *s, size_t maxlen)
{
	size_t n = strnlen(s, maxlen), k = 0;
	char dec[64];

	out_clear(o);
	out_text_esc(o, s, maxlen);
	for (size_t i = 0; i < o->len; i++) {
		unsigned char c = o->buf[i];

		if (c <= 0x20 || c >= 0x7f)
			fail_msg("raw byte 0x%02x in text output", c);
	}
	for (size_t i = 0; i < o->len; k++) {
		assert_true(k < sizeof(dec));
		if (o->buf[i] == '\\') {
			assert_true(i + 3 < o->len);
			assert_int_equal(o->buf[i + 1], 'x');
			dec[k] = strtol((char[]){ o->buf[i + 2], o->buf[i + 3],
						  0 },
					NULL, 16);
			i += 4;
		} else {
			dec[k] = o->buf[i++];
		}
	}
	assert_int_equal(k, n);
	assert_memory_equal(dec, s, n);
}

static void test_fuzz_single_bytes(void **state)
{
	struct out *o = *state;
	int valid = 0;

	for (int b = 1; b < 256; b++) {
		char s[2] = { (char)b, 0 };

		char want[8];

		check_json(o, s, sizeof(s), &valid);
		check_text(o, s, sizeof(s));
		/* only space, backslash and printable ASCII are special */
		if (b > ' ' && b < 0x7f && b != '\\')
			snprintf(want, sizeof(want), "%c", b);
		else
			snprintf(want, sizeof(want), "\\x%02x", b);
		assert_string_equal(out_cstr(o), want);
	}
	assert_int_equal(valid, 127);
	out_clear(o);
}

static void test_fuzz_random(void **state)
{
	struct out *o = *state;
	unsigned char buf[16];
	int valid = 0;

	for (int i = 0; i < 5000; i++) {
		rnd_buf(buf);
		check_json(o, (const char *)buf, sizeof(buf), &valid);
		check_text(o, (const char *)buf, sizeof(buf));
	}
	/* the decode check was exercised, not only the syntax check */
	assert_true(valid > 500);
	out_clear(o);
}

/* the validator itself: it must reject what it is meant to catch */
static void test_validator(void **state)
{
	static const char *const good[] = {
		"\"\"",
		"\"abc\"",
		"\"\\\"\\\\\\/\"",
		"\"\\b\\f\\n\\r\\t\"",
		"\"\\u001b\\u00e9\"",
		"\"\xc3\xa9\"",
	};
	static const char *const bad[] = {
		"",
		"\"",
		"abc",
		"\"abc",
		"abc\"",
		"\"a\"b\"",
		"\"a\nb\"",
		"\"\x1b\"",
		"\"\\x1b\"",
		"\"\\u00g1\"",
		"\"\\u00\"",
		"\"\\ud800\"",
		"\"\\\"",
		"\"\xff\"",
		"\"\xc3\"",
		"\"\xc0\x80\"",
		"\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"",
	};
	static const char *const good_values[] = {
		"{\"a\":1,\"b\":[null,true,false,-0.5e3,\"x\"]}",
		"{}",
		"[]",
		"0",
		"480.312000",
		"null",
	};
	static const char *const bad_values[] = {
		"{\"a\":1,}", "{\"a\":01}", "{\"a\":1.}", "{\"a\" 1}",	"{a:1}",
		"[1 2]",      "{\"a\":1}}", "nul",	  "{\"a\":1}x", "",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(json_string_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_string_valid(bad[i], strlen(bad[i])))
			fail_msg("validator accepted bad[%zu]", i);
	for (size_t i = 0; i < sizeof(good_values) / sizeof(good_values[0]);
	     i++)
		assert_true(json_value_valid(good_values[i],
					     strlen(good_values[i])));
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++)
		if (json_value_valid(bad_values[i], strlen(bad_values[i])))
			fail_msg("validator accepted bad_values[%zu]", i);
}

UNIT_GROUP(out)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test_setup_teardown(test_grow, unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_u64, unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_fixed, unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_text_esc_printable,
						unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_text_esc_escapes,
						unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_text_esc_limits,
						unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(
			test_json_escapes, unit_out_setup, unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_json_utf8_valid,
						unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_json_utf8_invalid,
						unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(
			test_json_maxlen, unit_out_setup, unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_single_bytes,
						unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(
			test_fuzz_random, unit_out_setup, unit_out_teardown),
		cmocka_unit_test(test_validator),
	};

	return cmocka_run_group_tests_name("out", tests, NULL, NULL);
}
