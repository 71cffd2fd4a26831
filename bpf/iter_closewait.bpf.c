// SPDX-License-Identifier: GPL-2.0
/*
 * closewait at exit: the sockets the tracer follows that sit in CLOSE_WAIT
 * now, from its per-socket table (every network namespace), so that user
 * space keeps nothing for them while they wait. The table holds socket
 * addresses, not references: the socket is read with probe reads, and an
 * entry a skipped CLOSE left behind is told by its state no longer being
 * the one the tracer saw it enter.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcptrail.h"
#include "cgroup.bpf.h"
#include "sk_state.bpf.h"
#include "sock.bpf.h"

const volatile __u64 filter_cgroup;

SEC("iter/bpf_map_elem")
int tt_iter_closewait(struct bpf_iter__bpf_map_elem *ctx)
{
	struct sk_state *st = ctx->value;
	__u64 *key = ctx->key;
	struct tt_sock_rec r = {};
	const struct sock *sk;

	if (!key || !st)
		return 0;
	sk = (const struct sock *)*key;
	/* its state now, and the one the tracer saw it enter last */
	if (st->state != TCP_CLOSE_WAIT ||
	    BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_CLOSE_WAIT)
		return 0;
	if (filter_cgroup && !sk_in_cgroup(sk, filter_cgroup))
		return 0;
	r.state = TCP_CLOSE_WAIT;
	r.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r.sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	r.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	skc_addrs_probe(&sk->__sk_common, r.family, r.saddr, r.daddr);
	r.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	/* 0 while in the accept queue: no file yet */
	r.ino = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	r.cgroup_id = sk_cgroup_id(sk);
	rec_from_state(&r, st);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
