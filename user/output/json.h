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
#include <linux/types.h>
#include "output/out.h"

#define JSON_MAX_DEPTH 64

struct json_writer {
	struct out *o;
	unsigned int depth; /* containers open */
	__u64 nonempty; /* bit d-1: the container at depth d has a value */
	bool after_key; /* a key was written: its value needs no comma */
};

void json_init(struct json_writer *j, struct out *o);

void json_obj_start(struct json_writer *j);
void json_obj_end(struct json_writer *j);
void json_arr_start(struct json_writer *j);
void json_arr_end(struct json_writer *j);

/* a member's name, from our own vocabulary: written as is */
void json_key(struct json_writer *j, const char *key);

/*
 * A string from outside (a process name, a command line argument): at
 * most maxlen bytes, quoted and escaped as json_quote() does.
 */
void json_str(struct json_writer *j, const char *s, size_t maxlen);
/* a word of our own (a state name, a keyword): quoted, not escaped */
void json_word(struct json_writer *j, const char *s);
void json_u64(struct json_writer *j, __u64 v);
/* nanoseconds as a number of milliseconds, 6 decimals: 1.500000 */
void json_ms(struct json_writer *j, __u64 ns);
void json_bool(struct json_writer *j, bool b);
void json_null(struct json_writer *j);
/* a value that another formatter writes to j->o next: the comma only */
void json_value_begin(struct json_writer *j);

/* a key and its value in one call */
void json_u64_field(struct json_writer *j, const char *key, __u64 v);
void json_ms_field(struct json_writer *j, const char *key, __u64 ns);
void json_word_field(struct json_writer *j, const char *key, const char *s);
void json_bool_field(struct json_writer *j, const char *key, bool b);

/*
 * The quoted JSON string of s[0..maxlen) (up to a NUL), without a
 * writer: '"' and '\\' escaped, control characters and DEL as \u00XX,
 * valid UTF-8 as is, each byte of invalid UTF-8 as U+FFFD.
 */
void json_quote(struct out *o, const char *s, size_t maxlen);

#endif /* __TT_JSON_H */
