/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Formatters that write into memory the caller has reserved first
 * (out_reserve) and return where they stopped. Some write scratch bytes
 * past that end (a word copied whole, spaces laid under a column), never
 * past the room their comment says they need. A line written once per
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

/* 10^0 to 10^19 */
extern const __u64 put_pow10[20];

/* v < 100, as exactly two digits */
static inline char *put_2d(char *p, unsigned int v)
{
	memcpy(p, put_digit_pairs + 2 * v, 2);
	return p + 2;
}

/* v < 1000, as exactly three digits */
static inline char *put_3d(char *p, unsigned int v)
{
	unsigned int h = v / 100;

	*p = '0' + h;
	return put_2d(p + 1, v - 100 * h);
}

/* v < 10^4, as exactly four digits */
static inline char *put_4d(char *p, unsigned int v)
{
	unsigned int h = v / 100;

	return put_2d(put_2d(p, h), v - 100 * h);
}

/* v < 10^6, as exactly six digits */
static inline char *put_6d(char *p, __u32 v)
{
	__u32 h = v / 1000;

	return put_3d(put_3d(p, h), v - 1000 * h);
}

/* v < 10^8, as exactly eight digits */
static inline char *put_8d(char *p, __u32 v)
{
	__u32 h = v / 10000;

	return put_4d(put_4d(p, h), v - 10000 * h);
}

/* decimal digits of v, at least 1; log10(2) ~ 1233/4096 */
static inline unsigned int put_len_u64(__u64 v)
{
	unsigned int t = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + (v >= put_pow10[t]) + !v;
}

/* v in decimal */
char *put_u32(char *p, __u32 v);
char *put_u64(char *p, __u64 v);
/* the last n digits of v, leading zeros included */
char *put_digits(char *p, __u64 v, unsigned int n);
/* v / div with 'digits' (<= 19) decimals, truncated: as out_fixed() */
char *put_fixed(char *p, __u64 v, __u64 div, int digits);

/*
 * Of the 8 bytes in x (as loaded from memory), those below lo, above hi
 * (lo <= 128, hi < 128) or equal to a or b, as a mask of their top bits:
 * zero when all 8 can be copied as they are. Bits above the lowest may
 * be false (a borrow or carry from a byte below), the lowest is right,
 * and put_first() turns it into the index of that byte. Little-endian
 * only: elsewhere PUT_WORDS is 0 and callers go byte by byte.
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PUT_WORDS 1
#else
#define PUT_WORDS 0
#endif
#define PUT_ONES 0x0101010101010101ULL
#define PUT_HIGHS 0x8080808080808080ULL
static inline __u64 put_special(__u64 x, unsigned int lo, unsigned int hi,
				unsigned int a, unsigned int b)
{
	__u64 xa = x ^ PUT_ONES * a, xb = x ^ PUT_ONES * b;

	return (((x - PUT_ONES * lo) & ~x) | (x + PUT_ONES * (127 - hi)) | x |
		((xa - PUT_ONES) & ~xa) | ((xb - PUT_ONES) & ~xb)) &
	       PUT_HIGHS;
}

static inline unsigned int put_first(__u64 mask)
{
	return __builtin_ctzll(mask) >> 3;
}

/*
 * Copies s[0..n) to p 8 bytes at a time while no byte is special (see
 * put_special()); returns how many were plain: the escaping loop takes
 * over at the first special byte, or for the last 7. Whole words are
 * written, so p has room for n rounded up to 8; what follows the plain
 * run is rewritten by the caller.
 */
static inline size_t put_plain_run(char *p, const char *s, size_t n,
				   unsigned int lo, unsigned int hi,
				   unsigned int a, unsigned int b)
{
	size_t i = 0;

	while (PUT_WORDS && n - i >= 8) {
		__u64 x, m;

		memcpy(&x, s + i, 8);
		memcpy(p + i, &x, 8);
		m = put_special(x, lo, hi, a, b);
		if (m)
			return i + put_first(m);
		i += 8;
	}
	return i;
}

/*
 * s[0..maxlen) up to a NUL, terminal-safe (as out_text_esc()): '!' to
 * '~' as they are but '\\', every other byte (space, '\\', control
 * characters, bytes above 0x7e) as \xNN; at most 4 * maxlen bytes.
 * All maxlen bytes of s must be readable: it reads 8 at a time.
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

/*
 * s[0..n) right-aligned in width, then one space: for n and width up to
 * 32, with 32 bytes of s readable (a scratch buffer) and 33 reserved
 * after the alignment, all copies of a fixed size
 */
#define PUT_RCOL_MAX 32
static inline char *put_rcol(char *p, const char *s, size_t n, size_t width)
{
	memcpy(p, put_spaces, PUT_RCOL_MAX);
	p += n < width ? width - n : 0;
	memcpy(p, s, PUT_RCOL_MAX);
	p[n] = ' ';
	return p + n + 1;
}

#endif /* __TT_PUT_H */
