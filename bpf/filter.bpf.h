/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filters on what a socket is (family, ports, network namespace,
 * cgroup), set by user space before load; zero means "no filter".
 * Included by the tracer and by its fexit accept hook, which gets the
 * same values.
 */
#ifndef __TT_FILTER_BPF_H
#define __TT_FILTER_BPF_H

#include "cgroup.bpf.h"

const volatile __u16 filter_family;
const volatile __u8 filter_lport;
const volatile __u8 filter_rport;
const volatile __u8 filter_anyport;
const volatile __u32 filter_netns;
const volatile __u64 filter_cgroup; /* cgroup v2 id (kernfs inode) */

/* One bit per port; indexes: 0 local, 1 remote, 2 either side. */
const volatile __u64 port_bits[3][1024];

static __always_inline bool port_in(int set, __u16 port)
{
	return port_bits[set][port >> 6] & (1ULL << (port & 63));
}

/*
 * A socket these filters refuse for the rest of its connection: none of
 * family, namespace or ports changes before CLOSE. A port of 0 is not
 * known yet (connect() picks the local one after SYN_SENT) and refuses
 * nothing. Such a socket needs no state: no transition of it can match.
 */
static __always_inline bool sock_ruled_out(__u16 family, __u16 sport,
					   __u16 dport, __u32 netns)
{
	if (filter_family && family != filter_family)
		return true;
	if (filter_netns && netns != filter_netns)
		return true;
	if (filter_lport && sport && !port_in(0, sport))
		return true;
	if (filter_rport && dport && !port_in(1, dport))
		return true;
	return filter_anyport && sport && dport && !port_in(2, sport) &&
	       !port_in(2, dport);
}

/*
 * --cgroup's, apart: a walk up the socket's cgroups. A socket's cgroup is
 * the one it was made in (an accepted socket's, its listener's) for life.
 */
static __always_inline bool cgroup_rules_out(const struct sock *sk)
{
	return filter_cgroup && !sk_in_cgroup(sk, filter_cgroup);
}

#endif /* __TT_FILTER_BPF_H */
