/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON over struct out: a writer that knows where it stands (in an object
 * or an array, after a key) and so writes every comma itself; callers
 * only open, name, write and close. Compact: no spaces, no newline (the
 * caller ends a JSON line with out_end_line()). Nesting deeper than
 * JSON_MAX_DEPTH is not supported.
 */
#ifndef __TT_JSON_H
#define __TT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
#include "output/out.h"

#define JSON_MAX_DEPTH 64

struct json_writer {
	struct out *o;
	unsigned int depth; /* containers open */
	__u64 nonempty; /* bit d-1: the container at depth d has a value */
	bool after_key; /* a key was written: its value needs no comma */
};

/*
 * The quoted JSON string of s[0..maxlen) (up to a NUL), without a
 * writer: '"' and '\\' escaped, control characters and DEL as \u00XX,
 * valid UTF-8 as is, each byte of invalid UTF-8 as U+FFFD.
 */
void json_quote(struct out *o, const char *s, size_t maxlen);
/*
 * The same into memory reserved for 6 * maxlen + 2 bytes; returns the
 * end. All maxlen bytes of s must be readable: it reads 8 at a time.
 */
char *json_put_quoted(char *p, const char *s, size_t maxlen);

/*
 * Always inline, every one: a trace line writes some twenty fields, and
 * a call per field doubled trace -j's instructions per event (2,523 to
 * 4,998, bench/cost.sh). Inlined, a literal key's strlen folds away.
 */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
static __always_inline void json_init(struct json_writer *j, struct out *o)
{
	j->o = o;
	j->depth = 0;
	j->nonempty = 0;
	j->after_key = false;
}

static __always_inline __u64 json_level_bit(const struct json_writer *j)
{
	return 1ULL << ((j->depth - 1) % JSON_MAX_DEPTH);
}

/* before any value: a comma if it is not the first in its container */
static __always_inline void json_separate(struct json_writer *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->depth)
		return;
	if (j->nonempty & json_level_bit(j))
		out_char(j->o, ',');
	else
		j->nonempty |= json_level_bit(j);
}

static __always_inline void json_open_container(struct json_writer *j, char c)
{
	json_separate(j);
	out_char(j->o, c);
	j->depth++;
	j->nonempty &= ~json_level_bit(j);
}

static __always_inline void json_close_container(struct json_writer *j, char c)
{
	if (j->depth)
		j->depth--;
	j->after_key = false;
	out_char(j->o, c);
}

static __always_inline void json_obj_start(struct json_writer *j)
{
	json_open_container(j, '{');
}

static __always_inline void json_obj_end(struct json_writer *j)
{
	json_close_container(j, '}');
}

static __always_inline void json_arr_start(struct json_writer *j)
{
	json_open_container(j, '[');
}

static __always_inline void json_arr_end(struct json_writer *j)
{
	json_close_container(j, ']');
}

/* a member's name, from our own vocabulary: written as is */
static __always_inline void json_key(struct json_writer *j, const char *key)
{
	size_t n = strlen(key);

	json_separate(j);
	if (!out_reserve(j->o, n + 3))
		return;
	j->o->buf[j->o->len++] = '"';
	memcpy(j->o->buf + j->o->len, key, n);
	j->o->len += n;
	j->o->buf[j->o->len++] = '"';
	j->o->buf[j->o->len++] = ':';
	j->after_key = true;
}

/*
 * A string from outside (a process name, a command line argument): at
 * most maxlen bytes, quoted and escaped as json_quote() does.
 */
static __always_inline void json_str(struct json_writer *j, const char *s,
				     size_t maxlen)
{
	json_separate(j);
	json_quote(j->o, s, maxlen);
}

/* a word of our own (a state name, a keyword): quoted, not escaped */
static __always_inline void json_word(struct json_writer *j, const char *s)
{
	json_separate(j);
	out_char(j->o, '"');
	out_str(j->o, s);
	out_char(j->o, '"');
}

static __always_inline void json_u64(struct json_writer *j, __u64 v)
{
	json_separate(j);
	out_u64(j->o, v);
}

/* nanoseconds as a number of milliseconds, 6 decimals: 1.500000 */
static __always_inline void json_ms(struct json_writer *j, __u64 ns)
{
	json_separate(j);
	out_fixed(j->o, ns, 1000000ULL, 6);
}

static __always_inline void json_bool(struct json_writer *j, bool b)
{
	json_separate(j);
	if (b)
		out_lit(j->o, "true");
	else
		out_lit(j->o, "false");
}

static __always_inline void json_null(struct json_writer *j)
{
	json_separate(j);
	out_lit(j->o, "null");
}

/* a value that another formatter writes to j->o next: the comma only */
static __always_inline void json_value_begin(struct json_writer *j)
{
	json_separate(j);
}

/* a key and its value in one call */
static __always_inline void json_u64_field(struct json_writer *j,
					   const char *key, __u64 v)
{
	json_key(j, key);
	json_u64(j, v);
}

static __always_inline void json_ms_field(struct json_writer *j,
					  const char *key, __u64 ns)
{
	json_key(j, key);
	json_ms(j, ns);
}

static __always_inline void json_word_field(struct json_writer *j,
					    const char *key, const char *s)
{
	json_key(j, key);
	json_word(j, s);
}

static __always_inline void json_bool_field(struct json_writer *j,
					    const char *key, bool b)
{
	json_key(j, key);
	json_bool(j, b);
}

#endif /* __TT_JSON_H */
