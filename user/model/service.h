/* SPDX-License-Identifier: GPL-2.0 */
/* Which port names a connection's service: --key service|lport|rport. */
#ifndef __TT_SERVICE_H
#define __TT_SERVICE_H

#include <linux/types.h>
#include "tcptrail.h"

/* 0, or -1 with *why set */
int parse_key_mode(const char *s, enum tt_key_mode *out, const char **why);
const char *key_mode_str(enum tt_key_mode key);

/*
 * The listening side's port: the local port of a passively opened
 * socket, the remote port of an active one, and for a socket whose
 * opening tcptrail did not see, the one outside the ephemeral range.
 * The kernel's hist_port() does the same.
 */
__u16 service_port(enum tt_key_mode key, __u8 flags, __u16 sport, __u16 dport,
		   __u16 eph_lo, __u16 eph_hi);

/* --key and the kernel's ephemeral range: all service_port() needs to know */
struct service_rule {
	enum tt_key_mode key;
	__u16 eph_lo, eph_hi;
};

__u16 service_rule_port(const struct service_rule *r, __u8 flags, __u16 sport,
			__u16 dport);

#endif /* __TT_SERVICE_H */
