// SPDX-License-Identifier: GPL-2.0
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
