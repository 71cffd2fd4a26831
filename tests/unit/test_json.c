// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer (user/output/json.c): commas, nesting and escaping. The
 * escaping of json_quote() byte by byte is in test_out.c.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "output/json.h"

#define FFFD "\xef\xbf\xbd"

struct fix {
	struct out o;
	struct json_writer j;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f || out_init(&f->o, -1, 16)) {
		free(f);
		return -1;
	}
	json_init(&f->j, &f->o);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	out_free(&f->o);
	free(f);
	return 0;
}

/* the writer wrote exactly 'want', one valid JSON value; then start over */
static void expect(struct fix *f, const char *want)
{
	assert_string_equal(out_cstr(&f->o), want);
	if (!json_value_valid(f->o.buf, f->o.len))
		fail_msg("not one JSON value: %s", want);
	out_clear(&f->o);
	json_init(&f->j, &f->o);
}

static void test_empty(void **state)
{
	struct fix *f = *state;

	json_obj_start(&f->j);
	json_obj_end(&f->j);
	expect(f, "{}");
	json_arr_start(&f->j);
	json_arr_end(&f->j);
	expect(f, "[]");
	json_arr_start(&f->j);
	json_arr_start(&f->j);
	json_arr_end(&f->j);
	json_obj_start(&f->j);
	json_obj_end(&f->j);
	json_arr_end(&f->j);
	expect(f, "[[],{}]");
}

static void test_commas_in_object(void **state)
{
	struct fix *f = *state;

	json_obj_start(&f->j);
	json_u64_field(&f->j, "a", 1);
	json_word_field(&f->j, "b", "LISTEN");
	json_bool_field(&f->j, "c", true);
	json_bool_field(&f->j, "d", false);
	json_key(&f->j, "e");
	json_null(&f->j);
	json_ms_field(&f->j, "f", 1500000);
	json_key(&f->j, "g");
	json_str(&f->j, "nginx", 16);
	json_obj_end(&f->j);
	expect(f, "{\"a\":1,\"b\":\"LISTEN\",\"c\":true,\"d\":false,"
		  "\"e\":null,\"f\":1.500000,\"g\":\"nginx\"}");
	json_obj_start(&f->j);
	json_u64_field(&f->j, "only", 18446744073709551615ULL);
	json_obj_end(&f->j);
	expect(f, "{\"only\":18446744073709551615}");
}

static void test_commas_in_array(void **state)
{
	struct fix *f = *state;

	json_arr_start(&f->j);
	json_u64(&f->j, 0);
	json_ms(&f->j, 1);
	json_word(&f->j, "x");
	json_null(&f->j);
	json_bool(&f->j, true);
	json_arr_end(&f->j);
	expect(f, "[0,0.000001,\"x\",null,true]");
	json_arr_start(&f->j);
	for (int i = 0; i < 3; i++) {
		json_obj_start(&f->j);
		json_u64_field(&f->j, "i", i);
		json_obj_end(&f->j);
	}
	json_arr_end(&f->j);
	expect(f, "[{\"i\":0},{\"i\":1},{\"i\":2}]");
}

/* after a nested container closes, its parent's next member has a comma */
static void test_nesting(void **state)
{
	struct fix *f = *state;

	json_obj_start(&f->j);
	json_key(&f->j, "a");
	json_arr_start(&f->j);
	json_u64(&f->j, 1);
	json_obj_start(&f->j);
	json_key(&f->j, "b");
	json_arr_start(&f->j);
	json_arr_end(&f->j);
	json_obj_end(&f->j);
	json_arr_end(&f->j);
	json_key(&f->j, "c");
	json_obj_start(&f->j);
	json_obj_end(&f->j);
	json_u64_field(&f->j, "d", 2);
	json_obj_end(&f->j);
	expect(f, "{\"a\":[1,{\"b\":[]}],\"c\":{},\"d\":2}");
}

/* values at the top level are separate documents (lines): no comma */
static void test_top_level(void **state)
{
	struct fix *f = *state;

	json_obj_start(&f->j);
	json_obj_end(&f->j);
	json_obj_start(&f->j);
	json_u64_field(&f->j, "a", 1);
	json_obj_end(&f->j);
	assert_string_equal(out_cstr(&f->o), "{}{\"a\":1}");
	out_clear(&f->o);
	json_init(&f->j, &f->o);
	json_u64(&f->j, 7);
	expect(f, "7");
}

static void test_deep(void **state)
{
	struct fix *f = *state;
	char want[4 * JSON_MAX_DEPTH + 8], *p = want;

	/* [[[...[1,2],2]...,2],2]: every level has a comma after its child */
	for (int i = 0; i < JSON_MAX_DEPTH; i++) {
		json_arr_start(&f->j);
		*p++ = '[';
	}
	json_u64(&f->j, 1);
	*p++ = '1';
	for (int i = 0; i < JSON_MAX_DEPTH; i++) {
		json_u64(&f->j, 2);
		json_arr_end(&f->j);
		memcpy(p, ",2]", 3);
		p += 3;
	}
	*p = '\0';
	expect(f, want);
}

/* a value written by another formatter gets its comma all the same */
static void test_value_begin(void **state)
{
	struct fix *f = *state;

	json_obj_start(&f->j);
	json_u64_field(&f->j, "a", 1);
	json_key(&f->j, "time");
	json_value_begin(&f->j);
	out_lit(&f->o, "\"12:00:00\"");
	json_u64_field(&f->j, "b", 2);
	json_obj_end(&f->j);
	assert_string_equal(out_cstr(&f->o),
			    "{\"a\":1,\"time\":\"12:00:00\",\"b\":2}");
	out_clear(&f->o);
	json_init(&f->j, &f->o);
	json_arr_start(&f->j);
	json_value_begin(&f->j);
	out_char(&f->o, '1');
	json_value_begin(&f->j);
	out_char(&f->o, '2');
	json_arr_end(&f->j);
	expect(f, "[1,2]");
}

/* what a process can put in its name comes out escaped, and bounded */
static void test_escaping(void **state)
{
	struct fix *f = *state;
	const char hostile[] = "\x1b[31m\"\\\n\x7f\xff"
			       "a";

	json_obj_start(&f->j);
	json_key(&f->j, "comm");
	json_str(&f->j, hostile, sizeof(hostile));
	json_key(&f->j, "cut");
	json_str(&f->j, "abcdef", 3);
	json_key(&f->j, "utf8");
	json_str(&f->j, "caf\xc3\xa9", 16);
	json_key(&f->j, "empty");
	json_str(&f->j, "", 16);
	json_obj_end(&f->j);
	expect(f, "{\"comm\":\"\\u001b[31m\\\"\\\\\\u000a\\u007f" FFFD "a\","
		  "\"cut\":\"abc\",\"utf8\":\"caf\xc3\xa9\",\"empty\":\"\"}");
	/* json_str is json_quote with a comma */
	json_arr_start(&f->j);
	json_str(&f->j, "\"", 1);
	json_str(&f->j, "\t", 1);
	json_arr_end(&f->j);
	expect(f, "[\"\\\"\",\"\\u0009\"]");
}

/* a word of our own vocabulary is written as is: no escaping cost */
/* json_quote() as it was before its 8-byte fast path, byte for byte */
static size_t utf8_len_old(const unsigned char *s, size_t n)
{
	size_t len;
	__u32 cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static size_t quote_old(char *w, const char *s, size_t maxlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, maxlen), o = 0;

	w[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];
		size_t l;

		if (c == '"' || c == '\\') {
			w[o++] = '\\';
			w[o++] = c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(w + o, "\\u00", 4);
			o += 4;
			w[o++] = hex[c >> 4];
			w[o++] = hex[c & 15];
		} else if (c < 0x80) {
			w[o++] = c;
		} else if ((l = utf8_len_old(u + i, n - i))) {
			memcpy(w + o, u + i, l);
			o += l;
			i += l - 1;
		} else {
			memcpy(w + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	w[o++] = '"';
	return o;
}

/*
 * Random strings of every length to 40 (so that special bytes and UTF-8
 * sequences fall on and across every 8-byte boundary of the fast path),
 * from alphabets of plain, special and multi-byte pieces.
 */
static void test_quote_same_as_before(void **state)
{
	static const char *const pieces[] = {
		"a",
		"Z",
		" ",
		"~",
		"\"",
		"\\",
		"\x01",
		"\x1f",
		"\x7f",
		"\x80",
		"\xff",
		"\xc3\xa9",
		"\xe2\x82\xac",
		"\xf0\x9f\x98\x80",
		"\xc3",
		"\xe2\x82",
		"\xed\xa0\x80",
		"\xc0\xaf",
		"\xf4\x90\x80\x80",
		"\0",
	};
	char s[64], want[6 * 64 + 2], got[6 * 64 + 2 + 8];
	struct fix *f = *state;
	struct out *o = &f->o;

	srandom(5);
	for (int r = 0; r < 200000; r++) {
		size_t len = random() % 41, n = 0, wl;
		int alphabet = random() % 3;
		char *end;

		while (n < len) {
			const char *p = pieces[alphabet == 0 ? random() % 4 :
					       alphabet == 1 ? random() % 8 :
							       random() % 20];
			size_t pl = *p ? strlen(p) : 1;

			for (size_t i = 0; i < pl && n < len; i++)
				s[n++] = p[i];
		}
		wl = quote_old(want, s, len);
		memset(got, 'X', sizeof(got));
		end = json_put_quoted(got, s, len);
		assert_int_equal(got[6 * len + 2], 'X');
		if ((size_t)(end - got) != wl || memcmp(got, want, wl))
			fail_msg("round %d: got %.*s, want %.*s", r,
				 (int)(end - got), got, (int)wl, want);
		/* and through the buffer, as json_str() writes it */
		out_clear(o);
		json_quote(o, s, len);
		assert_int_equal(o->len, wl);
		assert_memory_equal(o->buf, want, wl);
	}
}

static void test_word(void **state)
{
	struct fix *f = *state;

	json_arr_start(&f->j);
	json_word(&f->j, "CLOSE_WAIT");
	json_word(&f->j, "");
	json_arr_end(&f->j);
	expect(f, "[\"CLOSE_WAIT\",\"\"]");
}

UNIT_GROUP(json)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commas_in_object, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_commas_in_array, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_level, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_begin, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_word, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quote_same_as_before,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
