// SPDX-License-Identifier: GPL-2.0
/*
 * Independent checkers for what the formatters emit: a strict UTF-8
 * validator and a small JSON parser (syntax only, no tree built).
 */
#include <string.h>
#include "unit.h"

bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t len;

		if (c < 0x80) {
			i++;
			continue;
		}
		/* Unicode 15, table 3-7: well-formed byte sequences */
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += len;
	}
	return true;
}

struct json {
	const char *s;
	size_t n;
	size_t i;
	int depth;
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

static void skip_ws(struct json *j)
{
	while (j->i < j->n && j->s[j->i] && strchr(" \t\r\n", j->s[j->i]))
		j->i++;
}

static bool lit(struct json *j, const char *word)
{
	size_t len = strlen(word);

	if (j->n - j->i < len || memcmp(j->s + j->i, word, len))
		return false;
	j->i += len;
	return true;
}

static bool digits(struct json *j)
{
	size_t start = j->i;

	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > start;
}

static bool parse_string(struct json *j)
{
	size_t start = j->i;

	if (j->i >= j->n || j->s[j->i] != '"')
		return false;
	j->i++;
	while (j->i < j->n) {
		unsigned char c = j->s[j->i];

		if (c == '"') {
			j->i++;
			return utf8_valid((const unsigned char *)j->s + start,
					  j->i - start);
		}
		if (c < 0x20)
			return false;
		if (c != '\\') {
			j->i++;
			continue;
		}
		if (++j->i >= j->n)
			return false;
		c = j->s[j->i++];
		if (c == 'u') {
			unsigned int cp = 0;

			if (j->n - j->i < 4)
				return false;
			for (int k = 0; k < 4; k++) {
				if (!is_hex(j->s[j->i + k]))
					return false;
				cp = cp << 4 | hex_val(j->s[j->i + k]);
			}
			j->i += 4;
			/* a lone surrogate escape is not a character */
			if (cp >= 0xd800 && cp <= 0xdfff)
				return false;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return false;
		}
	}
	return false;
}

static bool parse_number(struct json *j)
{
	if (j->i < j->n && j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else if (j->i >= j->n || j->s[j->i] < '1' || j->s[j->i] > '9' ||
		 !digits(j))
		return false;
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (!digits(j))
			return false;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!digits(j))
			return false;
	}
	return true;
}

static bool parse_value(struct json *j);

/* object or array: open, items separated by ',', close */
static bool parse_container(struct json *j, char open, char close)
{
	if (++j->depth > 64)
		return false;
	j->i++; /* open */
	skip_ws(j);
	if (j->i < j->n && j->s[j->i] == close) {
		j->i++;
		j->depth--;
		return true;
	}
	for (;;) {
		if (open == '{') {
			skip_ws(j);
			if (!parse_string(j))
				return false;
			skip_ws(j);
			if (j->i >= j->n || j->s[j->i] != ':')
				return false;
			j->i++;
		}
		if (!parse_value(j))
			return false;
		skip_ws(j);
		if (j->i >= j->n)
			return false;
		if (j->s[j->i] == close)
			break;
		if (j->s[j->i] != ',')
			return false;
		j->i++;
	}
	j->i++;
	j->depth--;
	return true;
}

static bool parse_value(struct json *j)
{
	bool ok;

	skip_ws(j);
	if (j->i >= j->n)
		return false;
	switch (j->s[j->i]) {
	case '{':
		ok = parse_container(j, '{', '}');
		break;
	case '[':
		ok = parse_container(j, '[', ']');
		break;
	case '"':
		ok = parse_string(j);
		break;
	case 't':
		ok = lit(j, "true");
		break;
	case 'f':
		ok = lit(j, "false");
		break;
	case 'n':
		ok = lit(j, "null");
		break;
	default:
		ok = parse_number(j);
		break;
	}
	skip_ws(j);
	return ok;
}

bool json_string_valid(const char *s, size_t n)
{
	struct json j = { .s = s, .n = n };

	return parse_string(&j) && j.i == n;
}

bool json_value_valid(const char *s, size_t n)
{
	struct json j = { .s = s, .n = n };

	return parse_value(&j) && j.i == n;
}

long json_string_decode(const char *s, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	if (!json_string_valid(s, n))
		return -1;
	for (size_t i = 1; i < n - 1; i++) {
		char c = s[i];

		if (c == '\\') {
			c = s[++i];
			switch (c) {
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u': {
				unsigned int cp = 0;

				for (int k = 1; k <= 4; k++)
					cp = cp << 4 | hex_val(s[i + k]);
				if (cp > 0x7f)
					return -1;
				c = (char)cp;
				i += 4;
				break;
			}
			default: /* '"', '\\', '/' */
				break;
			}
		}
		if (o >= len)
			return -1;
		buf[o++] = c;
	}
	return (long)o;
}
