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

/*
 * Eight bytes at a time, each word folded in by a multiplication and a
 * shift (both bijective): the FNV-1a it replaces went byte by byte, 240
 * instructions per key. No finaliser: the keys go into idmaps, whose
 * slot_of() mixes every bit into the low ones anyway.
 */
__u64 tt_tuple_key(__u16 family, const __u8 *saddr, __u16 sport,
		   const __u8 *daddr, __u16 dport)
{
	__u64 h = family | (__u64)sport << 16 | (__u64)dport << 32, w[4];

	memcpy(w, saddr, TT_ADDR_LEN);
	memcpy(w + 2, daddr, TT_ADDR_LEN);
	for (int i = 0; i < 4; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h | 1ULL << 63;
}
