// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include "util/common.h"
#include "output/out.h"

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

static const char digit_pairs[201] = "00010203040506070809"
				     "10111213141516171819"
				     "20212223242526272829"
				     "30313233343536373839"
				     "40414243444546474849"
				     "50515253545556575859"
				     "60616263646566676869"
				     "70717273747576777879"
				     "80818283848586878889"
				     "90919293949596979899";

/* two digits per division, straight into the buffer: several per event */
static const __u64 pow10[20] = {
	1ULL,
	10ULL,
	100ULL,
	1000ULL,
	10000ULL,
	100000ULL,
	1000000ULL,
	10000000ULL,
	100000000ULL,
	1000000000ULL,
	10000000000ULL,
	100000000000ULL,
	1000000000000ULL,
	10000000000000ULL,
	100000000000000ULL,
	1000000000000000ULL,
	10000000000000000ULL,
	100000000000000000ULL,
	1000000000000000000ULL,
	10000000000000000000ULL,
};

/* decimal digits of v, without a division per digit: log10(2) ~ 1233/4096 */
static unsigned int digits10(__u64 v)
{
	unsigned int t = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + (v >= pow10[t]) + !v;
}

void out_u64(struct out *o, __u64 v)
{
	unsigned int n = digits10(v);
	char *p;

	if (!out_reserve(o, n))
		return;
	p = o->buf + o->len + n;
	o->len += n;
	while (v >= 100) {
		unsigned int r = v % 100;

		v /= 100;
		p -= 2;
		p[0] = digit_pairs[2 * r];
		p[1] = digit_pairs[2 * r + 1];
	}
	if (v >= 10) {
		p[-2] = digit_pairs[2 * v];
		p[-1] = digit_pairs[2 * v + 1];
	} else {
		p[-1] = '0' + v;
	}
}

void out_fixed(struct out *o, __u64 v, __u64 div, int digits)
{
	__u64 frac = v % div, scale = 1;
	char tmp[20];

	out_u64(o, v / div);
	if (digits <= 0)
		return;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	/* frac * scale may overflow for huge div; divide first then */
	frac = div >= scale ? frac / (div / scale) : frac * (scale / div);
	for (int i = digits - 1; i >= 0; i--) {
		tmp[i] = '0' + frac % 10;
		frac /= 10;
	}
	out_char(o, '.');
	out_mem(o, tmp, digits);
}

static const char hex[] = "0123456789abcdef";

void out_text_esc(struct out *o, const char *s, size_t maxlen)
{
	if (!out_reserve(o, 4 * maxlen))
		return;
	for (size_t i = 0; i < maxlen && s[i]; i++) {
		unsigned char c = s[i];

		if (c > ' ' && c < 0x7f && c != '\\') {
			o->buf[o->len++] = c;
		} else {
			o->buf[o->len++] = '\\';
			o->buf[o->len++] = 'x';
			o->buf[o->len++] = hex[c >> 4];
			o->buf[o->len++] = hex[c & 15];
		}
	}
}
