// SPDX-License-Identifier: GPL-2.0
/* JSON string quoting; the writer itself is inline, in json.h. */
#include "output/json.h"

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
