// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/socket.h>
#include "output/addrfmt.h"
#include "output/put.h"

/*
 * "0" to "255", each as its digits and, in its last byte, their count;
 * every arm stays a digit, as clang checks the arms not taken too
 */
#define D1(n)                                 \
	('0' + ((n) >= 100 ? (n) / 100 % 10 : \
		(n) >= 10  ? (n) / 10 % 10 :  \
			     (n) % 10))
#define D2(n) \
	((n) >= 100 ? '0' + (n) / 10 % 10 : (n) >= 10 ? '0' + (n) % 10 : 0)
#define D3(n) ((n) >= 100 ? '0' + (n) % 10 : 0)
#define OCT(n)                                                          \
	{                                                               \
		D1(n), D2(n), D3(n), (n) >= 100 ? 3 : (n) >= 10 ? 2 : 1 \
	}
#define OCT4(n) OCT(n), OCT((n) + 1), OCT((n) + 2), OCT((n) + 3)
#define OCT16(n) OCT4(n), OCT4((n) + 4), OCT4((n) + 8), OCT4((n) + 12)
#define OCT64(n) OCT16(n), OCT16((n) + 16), OCT16((n) + 32), OCT16((n) + 48)
static const char octets[256][4] = { OCT64(0), OCT64(64), OCT64(128),
				     OCT64(192) };

/* an octet: 4 bytes copied, the digits kept */
static inline char *put_u8(char *p, unsigned int v)
{
	memcpy(p, octets[v], 4);
	return p + octets[v][3];
}

char *put_ipv4(char *p, const __u8 *addr)
{
	p = put_u8(p, addr[0]);
	*p++ = '.';
	p = put_u8(p, addr[1]);
	*p++ = '.';
	p = put_u8(p, addr[2]);
	*p++ = '.';
	return put_u8(p, addr[3]);
}

static const char hex[] = "0123456789abcdef";

/* a group in lowercase hex, without leading zeros */
static char *put_group(char *p, unsigned int w)
{
	/* digits: 1 for 0-0xf, ..., 4 for 0x1000-0xffff */
	unsigned int n = w ? (35 - __builtin_clz(w)) / 4 : 1;

	switch (n) {
	case 4:
		*p++ = hex[w >> 12];
		/* fallthrough */
	case 3:
		*p++ = hex[(w >> 8) & 15];
		/* fallthrough */
	case 2:
		*p++ = hex[(w >> 4) & 15];
		/* fallthrough */
	default:
		*p++ = hex[w & 15];
	}
	return p;
}

/* glibc's inet_ntop6(), step for step, into p */
char *put_ipv6(char *p, const __u8 *addr)
{
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	unsigned int w[8];

	for (int i = 0; i < 8; i++) {
		w[i] = addr[2 * i] << 8 | addr[2 * i + 1];
		if (!w[i]) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
			continue;
		}
		if (cur >= 0 && cur_len > best_len) {
			best = cur;
			best_len = cur_len;
		}
		cur = -1;
	}
	if (cur >= 0 && cur_len > best_len) {
		best = cur;
		best_len = cur_len;
	}
	/* a single zero group is written, not compressed */
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		/* IPv4-compatible ::a.b.c.d and mapped ::ffff:a.b.c.d */
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_ipv4(p, addr + 12);
		p = put_group(p, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

char *put_addr(char *p, __u16 family, const __u8 *addr, bool brackets)
{
	if (family == AF_INET)
		return put_ipv4(p, addr);
	if (family != AF_INET6) {
		*p = '?';
		return p + 1;
	}
	if (brackets)
		*p++ = '[';
	p = put_ipv6(p, addr);
	if (brackets)
		*p++ = ']';
	return p;
}

char *put_endpoint(char *p, __u16 family, const __u8 *addr, __u16 port)
{
	p = put_addr(p, family, addr, true);
	*p++ = ':';
	return put_u32(p, port);
}

int tt_addr_fmt(char *buf, size_t len, __u16 family, const __u8 *addr)
{
	char *p;

	if (len < TT_ENDPOINT_LEN)
		return 0;
	p = put_addr(buf, family, addr, false);
	*p = '\0';
	return p - buf;
}

int tt_endpoint_fmt(char *buf, size_t len, __u16 family, const __u8 *addr,
		    __u16 port)
{
	char *p;

	if (len < TT_ENDPOINT_LEN)
		return 0;
	p = put_endpoint(buf, family, addr, port);
	*p = '\0';
	return p - buf;
}
