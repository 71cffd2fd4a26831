// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include "util/common.h"
#include "model/event.h"

const char *tt_family_str(__u16 family)
{
	switch (family) {
	case AF_INET:
		return "ipv4";
	case AF_INET6:
		return "ipv6";
	default:
		return "unknown";
	}
}

static char *put_uint(char *p, unsigned int v)
{
	char tmp[10];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	memcpy(p, tmp + i, sizeof(tmp) - i);
	return p + sizeof(tmp) - i;
}

static char *put_addr(char *p, __u16 family, const __u8 *addr, bool brackets)
{
	char ip[INET6_ADDRSTRLEN];
	size_t n;

	if (family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = put_uint(p, addr[i]);
		}
	} else if (family == AF_INET6 &&
		   inet_ntop(AF_INET6, addr, ip, sizeof(ip))) {
		n = strlen(ip);
		if (brackets)
			*p++ = '[';
		memcpy(p, ip, n);
		p += n;
		if (brackets)
			*p++ = ']';
	} else {
		*p++ = '?';
	}
	return p;
}

/* the hot path: no printf, no inet_ntop for IPv4 */
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
	p = put_addr(buf, family, addr, true);
	*p++ = ':';
	p = put_uint(p, port);
	*p = '\0';
	return p - buf;
}

__u64 tt_tuple_key(__u16 family, const __u8 *saddr, __u16 sport,
		   const __u8 *daddr, __u16 dport)
{
	__u64 h = 1469598103934665603ULL; /* FNV-1a */
	__u8 buf[2 * TT_ADDR_LEN + 6];

	memcpy(buf, saddr, TT_ADDR_LEN);
	memcpy(buf + TT_ADDR_LEN, daddr, TT_ADDR_LEN);
	memcpy(buf + 2 * TT_ADDR_LEN, &sport, 2);
	memcpy(buf + 2 * TT_ADDR_LEN + 2, &dport, 2);
	memcpy(buf + 2 * TT_ADDR_LEN + 4, &family, 2);
	for (size_t i = 0; i < sizeof(buf); i++)
		h = (h ^ buf[i]) * 1099511628211ULL;
	return h | 1ULL << 63;
}
