/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accept() has no state transition: who took the socket is noted here,
 * by the syscalls' exit tracepoints or, where fexit loads, at the return
 * of inet_csk_accept(); the socket's next transition (the FIN, in softirq,
 * most often) moves it into the socket's state. The ports tell a stale
 * entry from a new socket at a reused address.
 */
#ifndef __TT_ACCEPT_BPF_H
#define __TT_ACCEPT_BPF_H

#include "filter.bpf.h"

struct accept_owner {
	__u32 tgid;
	__u16 sport;
	__u16 dport;
	char comm[TT_COMM_LEN];
};

/* preallocated: updates are cheap; every entry is taken once */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct accept_owner);
} accepted SEC(".maps");

static __always_inline void note_accept(const struct sock *sk)
{
	struct accept_owner a = {};
	__u64 key = (__u64)sk;
	__u32 netns = 0;
	__u16 family = 0;

	if (!sk || BPF_CORE_READ(sk, sk_protocol) != 6 /* IPPROTO_TCP */)
		return;
	a.tgid = bpf_get_current_pid_tgid() >> 32;
	a.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	a.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (filter_family)
		family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (filter_netns)
		netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	/* no entry would take it: 'accepted' would fill */
	if (sock_ruled_out(family, a.sport, a.dport, netns) ||
	    cgroup_rules_out(sk))
		return;
	bpf_get_current_comm(a.comm, sizeof(a.comm));
	bpf_map_update_elem(&accepted, &key, &a, BPF_ANY);
}

#endif /* __TT_ACCEPT_BPF_H */
