/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Formatters that write into memory the caller has reserved first
 * (out_reserve) and return where they stopped. A line written once per
 * event is assembled with these: one reserve for the whole line instead
 * of one per field, no length computed twice, no call per character.
 */
#ifndef __TT_PUT_H
#define __TT_PUT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

/* "00" "01" ... "99" */
extern const char put_digit_pairs[200];
/* 64 spaces, to lay under a column before its text is written */
extern const char put_spaces[64];

/* the most put_u64() writes */
#define PUT_U64_MAX 20

/* a string literal */
#define put_lit(p, s) (memcpy(p, "" s, sizeof(s) - 1), (p) + sizeof(s) - 1)

static inline char *put_mem(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* v < 100, as exactly two digits */
static inline char *put_2d(char *p, unsigned int v)
{
	memcpy(p, put_digit_pairs + 2 * v, 2);
	return p + 2;
}

/* decimal digits of v, at least 1 */
unsigned int put_len_u64(__u64 v);

/* v in decimal */
char *put_u32(char *p, __u32 v);
char *put_u64(char *p, __u64 v);
/* the last n digits of v, leading zeros included */
char *put_digits(char *p, __u64 v, unsigned int n);
/* v / div with 'digits' (<= 19) decimals, truncated: as out_fixed() */
char *put_fixed(char *p, __u64 v, __u64 div, int digits);

/*
 * s[0..maxlen) up to a NUL, terminal-safe (as out_text_esc()): '!' to
 * '~' as they are but '\\', every other byte (space, '\\', control
 * characters, bytes above 0x7e) as \xNN; at most 4 * maxlen bytes
 */
char *put_text_esc(char *p, const char *s, size_t maxlen);

/*
 * Spaces under width bytes from start are laid by the caller (put_spaces);
 * the column's text ended at end: the column ends at start + width or at
 * end if the text is longer, then one space.
 */
static inline char *put_col_end(char *start, char *end, size_t width)
{
	if (end < start + width)
		end = start + width;
	*end = ' ';
	return end + 1;
}

#endif /* __TT_PUT_H */
