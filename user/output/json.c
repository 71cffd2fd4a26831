// SPDX-License-Identifier: GPL-2.0
/* JSON string quoting; the writer itself is inline, in json.h. */
#include "output/json.h"
#include "output/put.h"

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

char *json_put_quoted(char *p, const char *s, size_t maxlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	*p++ = '"';
	while (i < maxlen) {
		unsigned char c;
		size_t l;

		/* ' ' to '~' but '"' and '\\' go as they are */
		l = put_plain_run(p, s + i, maxlen - i, 0x20, 0x7e, '"', '\\');
		p += l;
		i += l;
		if (i == maxlen)
			break;
		c = u[i];
		if (c - 0x20u < 0x7fu - 0x20u && c != '"' && c != '\\') {
			*p++ = c;
			i++;
			continue;
		}
		if (!c)
			break;
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(p, "\\u00", 4);
			p += 4;
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else if ((l = utf8_len(u + i, maxlen - i))) {
			/* a NUL inside the sequence fails its check */
			memcpy(p, u + i, l);
			p += l;
			i += l - 1;
		} else {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
		}
		i++;
	}
	*p++ = '"';
	return p;
}

void json_quote(struct out *o, const char *s, size_t maxlen)
{
	size_t n = strnlen(s, maxlen);

	/* worst case: every byte becomes \u00XX or U+FFFD (6 and 3 bytes) */
	if (!out_reserve(o, 6 * n + 2))
		return;
	o->len = json_put_quoted(o->buf + o->len, s, n) - o->buf;
}
