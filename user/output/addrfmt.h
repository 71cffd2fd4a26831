/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses and endpoints as text, without inet_ntop() or printf: IPv6
 * in exactly glibc's inet_ntop() form (RFC 5952's longest run of zero
 * groups as "::", the first of equal runs; "::ffff:a.b.c.d" and
 * "::a.b.c.d"), which tests/unit/test_addrfmt.c checks against it.
 */
#ifndef __TT_ADDRFMT_H
#define __TT_ADDRFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "model/event.h"

/*
 * Into memory reserved for TT_ENDPOINT_LEN bytes, which they may use
 * past the end they return (scratch bytes: an octet is a 4-byte copy)
 */
char *put_ipv4(char *p, const __u8 *addr);
char *put_ipv6(char *p, const __u8 *addr);
/* IPv4, IPv6 (in brackets with brackets), '?' for another family */
char *put_addr(char *p, __u16 family, const __u8 *addr, bool brackets);
/* "127.0.0.1:80", "[::1]:80", "?:80" */
char *put_endpoint(char *p, __u16 family, const __u8 *addr, __u16 port);

/* the same, NUL-terminated in buf; 0 if len < TT_ENDPOINT_LEN */
int tt_endpoint_fmt(char *buf, size_t len, __u16 family, const __u8 *addr,
		    __u16 port);
/* the address alone, IPv6 without brackets; buf of TT_ENDPOINT_LEN */
int tt_addr_fmt(char *buf, size_t len, __u16 family, const __u8 *addr);

#endif /* __TT_ADDRFMT_H */
