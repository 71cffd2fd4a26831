/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output buffer with its own formatters: the per-event path writes here
 * without printf, and flushes with one write() per batch (or per line on
 * a terminal). With fd < 0 it only accumulates, for tests.
 */
#ifndef __TT_OUT_H
#define __TT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

/* room for any one record: reserve it first, then no flush splits it */
#define TT_LINE_MAX 1024

struct out {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
	bool line_buffered;
	int err; /* first write error (errno), sticky */
};

int out_init(struct out *o, int fd, size_t cap);
void out_free(struct out *o);
int out_flush(struct out *o);
bool out_grow(struct out *o, size_t n);

/* make room for n more bytes; false if that is impossible */
static inline bool out_reserve(struct out *o, size_t n)
{
	return o->cap - o->len >= n || out_grow(o, n);
}
/* end of a record: flushes when line-buffered */
void out_end_line(struct out *o);

static inline void out_mem(struct out *o, const void *p, size_t n)
{
	if (!out_reserve(o, n))
		return;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* a string literal: its length is known at compile time */
#define out_lit(o, s) out_mem(o, "" s, sizeof(s) - 1)

static inline void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

/* a short string (under 32 bytes: state names, keywords), no strlen */
static inline void out_short(struct out *o, const char *s)
{
	if (!out_reserve(o, 32))
		return;
	while (*s)
		o->buf[o->len++] = *s++;
}

static inline void out_char(struct out *o, char c)
{
	if (!out_reserve(o, 1))
		return;
	o->buf[o->len++] = c;
}

void out_pad(struct out *o, size_t n);

/* drop the spaces that end the line written so far */
static inline void out_trim(struct out *o)
{
	while (o->len && o->buf[o->len - 1] == ' ')
		o->len--;
}
void out_u64(struct out *o, __u64 v);
/* v / div with 'digits' decimals, truncated: out_fixed(o, ns, 1000000, 3) */
void out_fixed(struct out *o, __u64 v, __u64 div, int digits);
/* terminal-safe: printable ASCII except '\\' and ' ' as is, rest as \xNN */
void out_text_esc(struct out *o, const char *s, size_t maxlen);

#endif /* __TT_OUT_H */
