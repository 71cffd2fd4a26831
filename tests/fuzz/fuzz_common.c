// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"

void fuzz_fail(const char *file, int line, const char *expr, const char *fmt,
	       ...)
{
	va_list ap;

	fprintf(stderr, "\n%s:%d: check failed: %s\n  ", file, line, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

size_t fuzz_bytes(struct fuzz_in *in, void *buf, size_t max)
{
	size_t n = in->n < max ? in->n : max;

	if (!n)
		return 0;
	memcpy(buf, in->p, n);
	in->p += n;
	in->n -= n;
	return n;
}

uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	fuzz_bytes(in, &v, 1);
	return v;
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v = 0;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v = 0;

	fuzz_bytes(in, &v, sizeof(v));
	return v;
}

char *fuzz_strndup(const void *data, size_t n)
{
	size_t len = data ? strnlen(data, n) : 0;
	char *s = malloc(len + 1);

	if (!s)
		abort();
	if (len)
		memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

char *fuzz_str(struct fuzz_in *in, bool rest)
{
	size_t len = rest ? in->n : fuzz_u8(in);
	const uint8_t *p = in->p;

	if (len > in->n)
		len = in->n;
	if (len) {
		in->p += len;
		in->n -= len;
	}
	return fuzz_strndup(p, len);
}

size_t utf8_seq_len(const uint8_t *s, size_t n)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

bool utf8_strict(const uint8_t *s, size_t n)
{
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = utf8_seq_len(s + i, n - i)))
			return false;
	return true;
}

size_t utf8_repair(char *dst, const uint8_t *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0, l; i < n; i += l) {
		l = utf8_seq_len(s + i, n - i);
		if (l) {
			memcpy(dst + o, s + i, l);
			o += l;
		} else {
			memcpy(dst + o, "\xef\xbf\xbd", 3);
			o += 3;
			l = 1;
		}
	}
	return o;
}

/* a recursive-descent checker; err is the first problem found */
struct jp {
	const char *s;
	size_t n, i;
	int depth;
	const char *err;
};

#define JP_MAX_DEPTH 16
#define JP_MAX_KEYS 64

static bool jp_fail(struct jp *j, const char *why)
{
	if (!j->err)
		j->err = why;
	return false;
}

static void jp_ws(struct jp *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
			       j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(const char *s, size_t n, unsigned int *v)
{
	*v = 0;
	if (n < 4)
		return false;
	for (int k = 0; k < 4; k++) {
		int h = hexval(s[k]);

		if (h < 0)
			return false;
		*v = *v << 4 | h;
	}
	return true;
}

static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * A string at j->i; with buf, also decoded into buf[0..cap) (*len set,
 * or -1 when it does not fit).
 */
static bool jp_string(struct jp *j, char *buf, size_t cap, long *len)
{
	size_t o = 0;
	bool fits = true;

	if (j->i >= j->n || j->s[j->i] != '"')
		return jp_fail(j, "expected a string");
	j->i++;
	for (;;) {
		char tmp[4];
		size_t tl = 0;
		unsigned char c;

		if (j->i >= j->n)
			return jp_fail(j, "unterminated string");
		c = j->s[j->i];
		if (c == '"') {
			j->i++;
			break;
		}
		if (c < 0x20)
			return jp_fail(j, "raw control byte in a string");
		if (c == '\\') {
			unsigned int cp, lo;

			if (j->i + 1 >= j->n)
				return jp_fail(j, "truncated escape");
			c = j->s[j->i + 1];
			j->i += 2;
			switch (c) {
			case '"':
			case '\\':
			case '/':
				tmp[tl++] = c;
				break;
			case 'b':
				tmp[tl++] = '\b';
				break;
			case 'f':
				tmp[tl++] = '\f';
				break;
			case 'n':
				tmp[tl++] = '\n';
				break;
			case 'r':
				tmp[tl++] = '\r';
				break;
			case 't':
				tmp[tl++] = '\t';
				break;
			case 'u':
				if (!hex4(j->s + j->i, j->n - j->i, &cp))
					return jp_fail(j, "bad \\u escape");
				j->i += 4;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return jp_fail(j, "lone low surrogate");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (j->n - j->i < 6 ||
					    j->s[j->i] != '\\' ||
					    j->s[j->i + 1] != 'u' ||
					    !hex4(j->s + j->i + 2,
						  j->n - j->i - 2, &lo) ||
					    lo < 0xdc00 || lo > 0xdfff)
						return jp_fail(
							j,
							"lone high surrogate");
					j->i += 6;
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				}
				tl = put_utf8(tmp, cp);
				break;
			default:
				return jp_fail(j, "unknown escape");
			}
		} else {
			tl = utf8_seq_len((const uint8_t *)j->s + j->i,
					  j->n - j->i);
			if (!tl)
				return jp_fail(j, "invalid UTF-8 in a string");
			memcpy(tmp, j->s + j->i, tl);
			j->i += tl;
		}
		if (buf && fits) {
			if (cap - o < tl) {
				fits = false;
			} else {
				memcpy(buf + o, tmp, tl);
				o += tl;
			}
		}
	}
	if (len)
		*len = fits ? (long)o : -1;
	return true;
}

static bool jp_digits(struct jp *j)
{
	size_t start = j->i;

	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > start;
}

static bool jp_number(struct jp *j)
{
	if (j->i < j->n && j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else if (!jp_digits(j))
		return jp_fail(j, "bad number");
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (!jp_digits(j))
			return jp_fail(j, "no digit after '.'");
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!jp_digits(j))
			return jp_fail(j, "bad exponent");
	}
	return true;
}

static bool jp_word(struct jp *j, const char *w)
{
	size_t len = strlen(w);

	if (j->n - j->i < len || memcmp(j->s + j->i, w, len))
		return jp_fail(j, "unknown literal");
	j->i += len;
	return true;
}

static bool jp_value(struct jp *j, struct json_doc *doc);

static bool jp_object(struct jp *j, struct json_doc *doc)
{
	char keys[JP_MAX_KEYS][32];
	size_t nkeys = 0;

	j->i++; /* '{' */
	jp_ws(j);
	if (j->i < j->n && j->s[j->i] == '}') {
		j->i++;
		return true;
	}
	for (;;) {
		char key[32];
		long klen;
		size_t vstart;

		jp_ws(j);
		if (!jp_string(j, key, sizeof(key) - 1, &klen))
			return false;
		if (klen < 0)
			return jp_fail(j, "key longer than any tcptrail key");
		key[klen] = '\0';
		if (memchr(key, '\0', klen))
			return jp_fail(j, "NUL in a key");
		for (size_t k = 0; k < nkeys; k++)
			if (!strcmp(keys[k], key))
				return jp_fail(j, "duplicate key");
		if (nkeys == JP_MAX_KEYS)
			return jp_fail(j, "too many keys");
		strcpy(keys[nkeys++], key);
		jp_ws(j);
		if (j->i >= j->n || j->s[j->i] != ':')
			return jp_fail(j, "expected ':'");
		j->i++;
		jp_ws(j);
		vstart = j->i;
		if (!jp_value(j, NULL))
			return false;
		if (doc && j->depth == 1) {
			struct json_member *m;

			if (doc->n == JSON_MAX_MEMBERS)
				return jp_fail(j, "too many members");
			m = &doc->m[doc->n++];
			strcpy(m->key, key);
			m->val = j->s + vstart;
			m->val_len = j->i - vstart;
			m->is_string = j->s[vstart] == '"';
		}
		jp_ws(j);
		if (j->i < j->n && j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->s[j->i] == '}') {
			j->i++;
			return true;
		}
		return jp_fail(j, "expected ',' or '}'");
	}
}

static bool jp_array(struct jp *j)
{
	j->i++; /* '[' */
	jp_ws(j);
	if (j->i < j->n && j->s[j->i] == ']') {
		j->i++;
		return true;
	}
	for (;;) {
		jp_ws(j);
		if (!jp_value(j, NULL))
			return false;
		jp_ws(j);
		if (j->i < j->n && j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->s[j->i] == ']') {
			j->i++;
			return true;
		}
		return jp_fail(j, "expected ',' or ']'");
	}
}

static bool jp_value(struct jp *j, struct json_doc *doc)
{
	bool ok;

	if (j->i >= j->n)
		return jp_fail(j, "expected a value");
	if (++j->depth > JP_MAX_DEPTH)
		return jp_fail(j, "nested too deep");
	switch (j->s[j->i]) {
	case '{':
		ok = jp_object(j, doc);
		break;
	case '[':
		ok = jp_array(j);
		break;
	case '"':
		ok = jp_string(j, NULL, 0, NULL);
		break;
	case 't':
		ok = jp_word(j, "true");
		break;
	case 'f':
		ok = jp_word(j, "false");
		break;
	case 'n':
		ok = jp_word(j, "null");
		break;
	default:
		ok = jp_number(j);
		break;
	}
	j->depth--;
	return ok;
}

const char *json_parse_object(const char *s, size_t n, struct json_doc *doc)
{
	struct jp j = { .s = s, .n = n };

	doc->n = 0;
	jp_ws(&j);
	if (j.i >= n || s[j.i] != '{')
		return "not an object";
	if (!jp_value(&j, doc))
		return j.err;
	jp_ws(&j);
	if (j.i != n)
		return "trailing bytes after the object";
	return NULL;
}

const struct json_member *json_get(const struct json_doc *doc, const char *key)
{
	for (size_t i = 0; i < doc->n; i++)
		if (!strcmp(doc->m[i].key, key))
			return &doc->m[i];
	return NULL;
}

long json_decode_string(const char *s, size_t n, char *buf, size_t cap)
{
	struct jp j = { .s = s, .n = n };
	long len;

	if (!jp_string(&j, buf, cap, &len) || j.i != n)
		return -1;
	return len;
}

bool json_string_is(const struct json_member *m, const char *want, size_t len)
{
	char buf[256];
	long got;

	if (!m || !m->is_string)
		return false;
	got = json_decode_string(m->val, m->val_len, buf, sizeof(buf));
	return got >= 0 && (size_t)got == len && !memcmp(buf, want, len);
}

bool json_u64_is(const struct json_member *m, uint64_t v)
{
	char want[24];
	int n = snprintf(want, sizeof(want), "%llu", (unsigned long long)v);

	return m && m->val_len == (size_t)n && !memcmp(m->val, want, n);
}

/* where the value at s[i] ends; s is valid JSON, so only nesting matters */
static size_t json_skip_value(const char *s, size_t n, size_t i)
{
	int depth = 0;
	bool str = false;

	for (; i < n; i++) {
		char c = s[i];

		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == '"') {
			str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (!depth)
				break;
			depth--;
		} else if (c == ',' && !depth) {
			break;
		}
	}
	return i;
}

static bool json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t json_skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && json_ws(s[i]))
		i++;
	return i;
}

bool json_array_next(const char *a, size_t n, size_t *pos, const char **elem,
		     size_t *elen)
{
	size_t i = *pos, end;

	if (!i) {
		i = json_skip_ws(a, n, 0);
		if (i >= n || a[i] != '[')
			return false;
		i++;
	}
	i = json_skip_ws(a, n, i);
	if (i >= n || a[i] == ']')
		return false;
	end = json_skip_value(a, n, i);
	*elem = a + i;
	*elen = end;
	while (*elen > i && json_ws(a[*elen - 1]))
		(*elen)--;
	*elen -= i;
	*pos = end < n && a[end] == ',' ? end + 1 : end;
	return true;
}

bool dec_u64(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	if (!n || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || *v > (UINT64_MAX - d) / 10)
			return false;
		*v = *v * 10 + d;
	}
	return true;
}
