// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot of the TCP sockets in some states, by the iter/tcp iterator:
 * the sockets that were there before tcptrail started, and the queues and
 * ages the live view shows. The iterator walks the network namespace of
 * the process that reads it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "tcptrail.h"
#include "cgroup.bpf.h"
#include "sk_state.bpf.h"
#include "sock.bpf.h"
#include "tw.bpf.h"

const volatile __u32 want_states; /* bit n: TCP state n */
/* only sockets in this cgroup v2 or below it (0: any) */
const volatile __u64 want_cgroup;
/* the tracer keeps no per-socket state (hist, export): guess the opener */
const volatile bool stateless;
const volatile __u16 eph_lo = 32768;
const volatile __u16 eph_hi = 60999;

#include "opener.bpf.h"

SEC("iter/tcp")
int tt_iter_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tt_sock_rec r = {};
	struct sk_state *st;
	struct tcp_sock *tp;
	struct sk_entered *e;
	__u64 now_us, key;

	if (!skc)
		return 0;
	r.state = skc->skc_state;
	/* a time-wait socket's substate is its state, as ss shows it */
	if (r.state == TCP_TIME_WAIT) {
		struct tcp_timewait_sock *tw =
			bpf_skc_to_tcp_timewait_sock(skc);

		if (tw) {
			r.state = tw->tw_sk.tw_substate;
			r.since_ns = tw_time_wait_since(&tw->tw_sk);
		}
	}
	if (!(want_states & (1U << (r.state & 31))))
		return 0;
	r.family = skc->skc_family;
	r.sport = skc->skc_num;
	r.dport = bpf_ntohs(skc->skc_dport);
	skc_addrs(skc, r.family, r.saddr, r.daddr);
	r.netns = skc->skc_net.net->ns.inum;
	/* time-wait and request sockets have the tuple and nothing more */
	tp = bpf_skc_to_tcp_sock(skc);
	/* nor a cgroup */
	if (want_cgroup &&
	    (!tp || !sk_in_cgroup(&tp->inet_conn.icsk_inet.sk, want_cgroup)))
		return 0;
	if (!tp)
		goto out;
	r.rx_queue = tp->rcv_nxt - tp->copied_seq;
	r.tx_queue = tp->write_seq - tp->snd_una;
	/* tcp_mstamp: microseconds of the clock ktime_get_ns() reads */
	now_us = bpf_ktime_get_ns() / 1000;
	if (tp->tcp_mstamp && tp->tcp_mstamp <= now_us)
		r.idle_ns = (now_us - tp->tcp_mstamp) * 1000;
	r.ino = BPF_CORE_READ(tp, inet_conn.icsk_inet.sk.sk_socket, file,
			      f_inode, i_ino);
	r.cgroup_id = sk_cgroup_id(&tp->inet_conn.icsk_inet.sk);
	/* as the tracer does, where it keeps no per-socket state */
	if (stateless && r.state != TCP_LISTEN)
		r.flags = guess_opener(
			tp->inet_conn.icsk_inet.sk.sk_max_ack_backlog, r.sport,
			r.dport);
	key = (__u64)tp;
	e = bpf_map_lookup_elem(&entered, &key);
	if (e && e->state == r.state)
		r.since_ns = e->since;
	st = bpf_map_lookup_elem(&sk_states_hash, &key);
	if (st) {
		__u64 since = r.since_ns;

		rec_from_state(&r, st);
		/* a step no program ran for: that time is another state's */
		if (st->state != r.state)
			r.since_ns = since;
	}
out:
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
