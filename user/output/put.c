// SPDX-License-Identifier: GPL-2.0
#include "output/put.h"

const char put_digit_pairs[200] = "00010203040506070809"
				  "10111213141516171819"
				  "20212223242526272829"
				  "30313233343536373839"
				  "40414243444546474849"
				  "50515253545556575859"
				  "60616263646566676869"
				  "70717273747576777879"
				  "80818283848586878889"
				  "90919293949596979899";

const char put_spaces[64] = "                                "
			    "                                ";

const __u64 put_pow10[20] = {
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

/* the n digits of v (leading zeros), ending at end; two per division */
static void digits_before(char *end, __u32 v, unsigned int n)
{
	for (; n >= 2; n -= 2) {
		end -= 2;
		memcpy(end, put_digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (n)
		end[-1] = '0' + v % 10;
}

char *put_digits(char *p, __u64 v, unsigned int n)
{
	char *end = p + n;

	for (p = end; n > 8; n -= 8, p -= 8, v /= 100000000)
		digits_before(p, v % 100000000, 8);
	digits_before(p, v % 100000000, n);
	return end;
}

/* v < 10^4: one to four digits */
static char *put_small(char *p, __u32 v)
{
	__u32 h;

	if (v < 10) {
		*p = '0' + v;
		return p + 1;
	}
	if (v < 100)
		return put_2d(p, v);
	h = v / 100;
	if (h < 10)
		*p++ = '0' + h;
	else
		p = put_2d(p, h);
	return put_2d(p, v - 100 * h);
}

/* by magnitude, front to back: no length to compute first */
char *put_u32(char *p, __u32 v)
{
	__u32 h;

	if (v < 10000)
		return put_small(p, v);
	if (v < 100000000) {
		h = v / 10000;
		return put_4d(put_small(p, h), v - 10000 * h);
	}
	h = v / 100000000;
	return put_8d(put_small(p, h), v - 100000000 * h);
}

/* in 32-bit pieces of 8 digits: a 64-bit division per 8 digits, not per 2 */
char *put_u64(char *p, __u64 v)
{
	__u32 lo;

	if (v <= 0xffffffffULL)
		return put_u32(p, v);
	lo = v % 100000000;
	v /= 100000000;
	if (v >= 100000000) {
		p = put_u32(p, v / 100000000);
		p = put_8d(p, v % 100000000);
	} else {
		p = put_u32(p, v);
	}
	return put_8d(p, lo);
}

char *put_fixed(char *p, __u64 v, __u64 div, int digits)
{
	__u64 frac = v % div, scale;

	p = put_u64(p, v / div);
	if (digits <= 0)
		return p;
	scale = put_pow10[digits];
	/* frac * scale may overflow for huge div; divide first then */
	frac = div >= scale ? frac / (div / scale) : frac * (scale / div);
	*p++ = '.';
	/* the callers' usual decimals, without a loop */
	if (digits == 3 && frac < 1000)
		return put_3d(p, frac);
	if (digits == 6 && frac < 1000000)
		return put_6d(p, frac);
	return put_digits(p, frac, digits);
}

static const char hex[] = "0123456789abcdef";

char *put_text_esc(char *p, const char *s, size_t maxlen)
{
	size_t i = 0;

	while (i < maxlen) {
		unsigned char c;

		size_t l;

		/* '!' to '~' but '\\' go as they are */
		l = put_plain_run(p, s + i, maxlen - i, 0x21, 0x7e, '\\', '\\');
		p += l;
		i += l;
		if (i == maxlen)
			break;
		c = s[i++];
		if (c - 0x21u < 0x7fu - 0x21u && c != '\\') {
			*p++ = c;
			continue;
		}
		if (!c)
			break;
		p[0] = '\\';
		p[1] = 'x';
		p[2] = hex[c >> 4];
		p[3] = hex[c & 15];
		p += 4;
	}
	return p;
}
