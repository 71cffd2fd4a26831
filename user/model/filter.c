// SPDX-License-Identifier: GPL-2.0
/* The kernel's filters applied in user space, to sockets a walk lists. */
#include <string.h>
#include "model/filter.h"

static bool port_in(const __u64 *bits, __u16 port)
{
	return bits[port >> 6] & (1ULL << (port & 63));
}

bool tt_filter_match(const struct tt_filter *f, __u16 family, __u16 sport,
		     __u16 dport, __u32 netns, __u32 owner_pid)
{
	if (f->family && family != f->family)
		return false;
	if (f->port_on[PORTS_LOCAL] && !port_in(f->ports[PORTS_LOCAL], sport))
		return false;
	if (f->port_on[PORTS_REMOTE] && !port_in(f->ports[PORTS_REMOTE], dport))
		return false;
	if (f->port_on[PORTS_ANY] && !port_in(f->ports[PORTS_ANY], sport) &&
	    !port_in(f->ports[PORTS_ANY], dport))
		return false;
	if (f->netns && netns != f->netns)
		return false;
	if (f->tgid && owner_pid != f->tgid)
		return false;
	return true;
}

bool tt_filter_names_port(const struct tt_filter *f, __u16 port)
{
	for (int i = 0; i < PORTS_MAX; i++)
		if (f->port_on[i] && port_in(f->ports[i], port))
			return true;
	return false;
}

void tt_filter_exclude_port(struct tt_filter *f, __u16 port)
{
	/* --lport and --rport must both match: drop port from each */
	for (int i = PORTS_LOCAL; i <= PORTS_REMOTE; i++) {
		if (!f->port_on[i]) {
			memset(f->ports[i], 0xff, sizeof(f->ports[i]));
			f->port_on[i] = true;
		}
		f->ports[i][port >> 6] &= ~(1ULL << (port & 63));
	}
}
