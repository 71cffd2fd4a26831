// SPDX-License-Identifier: GPL-2.0
/* A JSON writer over struct out; the idea is bpftool's json_writer.c. */
#include "output/json.h"

void json_init(struct json_writer *j, struct out *o)
{
	j->o = o;
	j->depth = 0;
	j->nonempty = 0;
	j->after_key = false;
}

static __u64 level_bit(const struct json_writer *j)
{
	return 1ULL << ((j->depth - 1) % JSON_MAX_DEPTH);
}

/* before any value: a comma if it is not the first in its container */
static void separate(struct json_writer *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->depth)
		return;
	if (j->nonempty & level_bit(j))
		out_char(j->o, ',');
	else
		j->nonempty |= level_bit(j);
}

static void open_container(struct json_writer *j, char c)
{
	separate(j);
	out_char(j->o, c);
	j->depth++;
	j->nonempty &= ~level_bit(j);
}

static void close_container(struct json_writer *j, char c)
{
	if (j->depth)
		j->depth--;
	j->after_key = false;
	out_char(j->o, c);
}

void json_obj_start(struct json_writer *j)
{
	open_container(j, '{');
}

void json_obj_end(struct json_writer *j)
{
	close_container(j, '}');
}

void json_arr_start(struct json_writer *j)
{
	open_container(j, '[');
}

void json_arr_end(struct json_writer *j)
{
	close_container(j, ']');
}

void json_key(struct json_writer *j, const char *key)
{
	separate(j);
	out_char(j->o, '"');
	out_str(j->o, key);
	out_lit(j->o, "\":");
	j->after_key = true;
}

void json_str(struct json_writer *j, const char *s, size_t maxlen)
{
	separate(j);
	json_quote(j->o, s, maxlen);
}

void json_word(struct json_writer *j, const char *s)
{
	separate(j);
	out_char(j->o, '"');
	out_str(j->o, s);
	out_char(j->o, '"');
}

void json_u64(struct json_writer *j, __u64 v)
{
	separate(j);
	out_u64(j->o, v);
}

void json_ms(struct json_writer *j, __u64 ns)
{
	separate(j);
	out_fixed(j->o, ns, 1000000ULL, 6);
}

void json_bool(struct json_writer *j, bool b)
{
	separate(j);
	if (b)
		out_lit(j->o, "true");
	else
		out_lit(j->o, "false");
}

void json_null(struct json_writer *j)
{
	separate(j);
	out_lit(j->o, "null");
}

void json_value_begin(struct json_writer *j)
{
	separate(j);
}

void json_u64_field(struct json_writer *j, const char *key, __u64 v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_ms_field(struct json_writer *j, const char *key, __u64 ns)
{
	json_key(j, key);
	json_ms(j, ns);
}

void json_word_field(struct json_writer *j, const char *key, const char *s)
{
	json_key(j, key);
	json_word(j, s);
}

void json_bool_field(struct json_writer *j, const char *key, bool b)
{
	json_key(j, key);
	json_bool(j, b);
}

static const char hex[] = "0123456789abcdef";

/* length of a valid UTF-8 sequence at s (at most n bytes), or 0 */
static size_t utf8_len(const unsigned char *s, size_t n)
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
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void json_quote(struct out *o, const char *s, size_t maxlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, maxlen);

	/* worst case: every byte becomes \u00XX or U+FFFD (6 and 3 bytes) */
	if (!out_reserve(o, 6 * n + 2))
		return;
	o->buf[o->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];
		size_t l;

		if (c == '"' || c == '\\') {
			o->buf[o->len++] = '\\';
			o->buf[o->len++] = c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(o->buf + o->len, "\\u00", 4);
			o->len += 4;
			o->buf[o->len++] = hex[c >> 4];
			o->buf[o->len++] = hex[c & 15];
		} else if (c < 0x80) {
			o->buf[o->len++] = c;
		} else if ((l = utf8_len(u + i, n - i))) {
			memcpy(o->buf + o->len, u + i, l);
			o->len += l;
			i += l - 1;
		} else {
			memcpy(o->buf + o->len, "\xef\xbf\xbd", 3);
			o->len += 3;
		}
	}
	o->buf[o->len++] = '"';
}
