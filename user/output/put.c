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

/* without a division per digit: log10(2) ~ 1233/4096 */
unsigned int put_len_u64(__u64 v)
{
	unsigned int t = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + (v >= pow10[t]) + !v;
}

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

char *put_u32(char *p, __u32 v)
{
	unsigned int n = put_len_u64(v);

	digits_before(p + n, v, n);
	return p + n;
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
		p = put_digits(p, v % 100000000, 8);
	} else {
		p = put_u32(p, v);
	}
	return put_digits(p, lo, 8);
}

char *put_fixed(char *p, __u64 v, __u64 div, int digits)
{
	__u64 frac = v % div, scale;

	p = put_u64(p, v / div);
	if (digits <= 0)
		return p;
	scale = pow10[digits];
	/* frac * scale may overflow for huge div; divide first then */
	frac = div >= scale ? frac / (div / scale) : frac * (scale / div);
	*p++ = '.';
	return put_digits(p, frac, digits);
}

static const char hex[] = "0123456789abcdef";

char *put_text_esc(char *p, const char *s, size_t maxlen)
{
	for (size_t i = 0; i < maxlen; i++) {
		unsigned char c = s[i];

		/* '!' to '~' but '\\': one compare for the common case */
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
