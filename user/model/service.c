// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "model/service.h"

static const char *const names[] = {
	[TT_KEY_SERVICE] = "service",
	[TT_KEY_LPORT] = "lport",
	[TT_KEY_RPORT] = "rport",
};

int parse_key_mode(const char *s, enum tt_key_mode *out, const char **why)
{
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	*why = "use service, lport or rport";
	return -1;
}

const char *key_mode_str(enum tt_key_mode key)
{
	return key <= TT_KEY_RPORT ? names[key] : "?";
}

static int ephemeral(__u16 port, __u16 lo, __u16 hi)
{
	return port >= lo && port <= hi;
}

__u16 service_port(enum tt_key_mode key, __u8 flags, __u16 sport, __u16 dport,
		   __u16 eph_lo, __u16 eph_hi)
{
	if (key == TT_KEY_LPORT)
		return sport;
	if (key == TT_KEY_RPORT)
		return dport;
	if (flags & TT_F_PASSIVE)
		return sport;
	if (flags & TT_F_ACTIVE)
		return dport;
	if (ephemeral(sport, eph_lo, eph_hi) &&
	    !ephemeral(dport, eph_lo, eph_hi))
		return dport;
	return sport;
}

__u16 service_rule_port(const struct service_rule *r, __u8 flags, __u16 sport,
			__u16 dport)
{
	return service_port(r->key, flags, sport, dport, r->eph_lo, r->eph_hi);
}
