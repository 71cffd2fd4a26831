// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include "util/common.h"
#include "output/out.h"
#include "output/put.h"

int out_init(struct out *o, int fd, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->cap = cap;
	o->buf = malloc(cap);
	if (!o->buf)
		return -ENOMEM;
	if (fd >= 0)
		o->line_buffered = isatty(fd);
	return 0;
}

void out_free(struct out *o)
{
	free(o->buf);
	o->buf = NULL;
}

/* asked to stop: wait this long for a stalled reader, then drop output */
#define STOP_WRITE_MS 1000

int out_flush(struct out *o)
{
	size_t done = 0;

	if (o->fd < 0)
		return 0;
	while (!o->err && done < o->len) {
		struct pollfd p = { .fd = o->fd, .events = POLLOUT };
		ssize_t n;

		if (tt_exiting && poll(&p, 1, STOP_WRITE_MS) == 0) {
			o->err = ETIMEDOUT;
			break;
		}
		n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			o->err = n < 0 ? errno : EIO;
		else
			done += n;
	}
	o->len = 0;
	return o->err ? -o->err : 0;
}

bool out_grow(struct out *o, size_t n)
{
	size_t cap;
	char *p;

	if (o->fd >= 0) {
		out_flush(o);
		if (o->cap >= n)
			return true;
	}
	cap = o->cap * 2 > o->len + n ? o->cap * 2 : o->len + n;
	p = realloc(o->buf, cap);
	if (!p) {
		o->err = ENOMEM;
		return false;
	}
	o->buf = p;
	o->cap = cap;
	return true;
}

void out_end_line(struct out *o)
{
	out_char(o, '\n');
	if (o->line_buffered)
		out_flush(o);
}

void out_pad(struct out *o, size_t n)
{
	if (!out_reserve(o, n))
		return;
	memset(o->buf + o->len, ' ', n);
	o->len += n;
}

void out_u64(struct out *o, __u64 v)
{
	if (!out_reserve(o, PUT_U64_MAX))
		return;
	o->len = put_u64(o->buf + o->len, v) - o->buf;
}

void out_fixed(struct out *o, __u64 v, __u64 div, int digits)
{
	if (!out_reserve(o, PUT_U64_MAX + 1 + (digits > 0 ? digits : 0)))
		return;
	o->len = put_fixed(o->buf + o->len, v, div, digits) - o->buf;
}

void out_text_esc(struct out *o, const char *s, size_t maxlen)
{
	/* any string: put_text_esc() reads all n bytes */
	size_t n = strnlen(s, maxlen);

	if (!out_reserve(o, 4 * n))
		return;
	o->len = put_text_esc(o->buf + o->len, s, n) - o->buf;
}
