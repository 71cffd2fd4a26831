/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel histograms and the transition matrix (hist, export, check),
 * and the stateless aggregation that hist and export use on tp_btf: no
 * entry for every socket, only a hash of the sockets now in a timed state.
 * Included by tcptrail.bpf.c after its filters.
 */
#ifndef __TT_HIST_BPF_H
#define __TT_HIST_BPF_H

#include "opener.bpf.h"

/* per CPU: no atomics on the hot path, and an exact max */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* sized by user space */
	__type(key, struct tt_hist_key);
	__type(value, struct tt_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TT_NSTATES *TT_NSTATES);
	__type(key, __u32);
	__type(value, __u64);
} transitions SEC(".maps");

static struct tt_hist hist_zero;

static __always_inline __u32 floor_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	return r + (v >> 1);
}

static __always_inline __u32 hist_port(const struct tuple *t, __u8 flags)
{
	if (hist_key == TT_KEY_LPORT)
		return t->sport;
	if (hist_key == TT_KEY_RPORT)
		return t->dport;
	if (flags & TT_F_PASSIVE)
		return t->sport;
	if (flags & TT_F_ACTIVE)
		return t->dport;
	if (ephemeral(t->sport) && !ephemeral(t->dport))
		return t->dport;
	return t->sport;
}

/*
 * A port that finds the map full goes under TT_PORT_OTHER, whose keys
 * user space inserts before attaching.
 */
static __always_inline void hist_add(const struct sock *sk,
				     const struct tuple *t, __u8 flags,
				     int state, __u64 ns)
{
	struct tt_hist_key k = { .port = hist_port(t, flags),
				 .state = state,
				 .cgroup_id = hist_by_cgroup ?
						      sk_cgroup_id(sk) :
						      0 };
	struct tt_hist *h = lookup_or_init(&hists, &k, &hist_zero);
	__u64 v = (ns + hist_unit_ns - 1) / hist_unit_ns;
	/*
	 * 64 bits: a 32-bit index is widened in a copy of its register, and
	 * 5.10's verifier then misses the clamp below
	 */
	__u64 slot = v <= 1 ? 0 : floor_log2(v - 1) + 1;

	if (!h) {
		k.port = TT_PORT_OTHER;
		k.cgroup_id = 0;
		h = bpf_map_lookup_elem(&hists, &k);
		if (!h)
			return;
	}
	if (slot >= TT_HIST_SLOTS)
		slot = TT_HIST_SLOTS - 1;
	h->slots[slot]++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

/* from -> to, where a hand-off to a time-wait socket counts as TIME_WAIT */
static __always_inline void count_transition(const struct tuple *t,
					     int oldstate, int newstate)
{
	__u32 idx;
	__u64 *n;

	if (t->time_wait)
		newstate = TCP_TIME_WAIT;
	idx = (oldstate & (TT_NSTATES - 1)) * TT_NSTATES +
	      (newstate & (TT_NSTATES - 1));
	n = bpf_map_lookup_elem(&transitions, &idx);
	if (n)
		(*n)++;
}

static __always_inline void aggregate_transition(const struct sock *sk,
						 const struct tuple *t,
						 __u8 flags, int oldstate,
						 int newstate, __u64 delta)
{
	count_transition(t, oldstate, newstate);
	if (!(hist_states & (1U << (oldstate & 31))))
		return;
	if (delta == TT_DELTA_UNKNOWN)
		count(TT_CNT_UNTIMED);
	else
		hist_add(sk, t, flags, oldstate, delta);
}

static __always_inline bool agg_filtered(struct sock *sk)
{
	return filter_family || filter_lport || filter_rport ||
	       filter_anyport || filter_netns || filter_cgroup;
}

static __always_inline void read_ports(const struct sock *sk, struct tuple *t)
{
	t->family = sk->__sk_common.skc_family;
	t->sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	t->dport = bpf_ntohs(sk->__sk_common.skc_dport);
}

/*
 * The filter on the state decides what is counted, not what is followed:
 * a connecting socket has no local port at SYN_SENT, yet its time there
 * counts once the port matches. A socket that family, ports, namespace
 * or cgroup rule out for good is not followed.
 */
static __always_inline int agg_btf(struct sock *sk, int oldstate, int newstate)
{
	__u32 old_bit = 1U << (oldstate & 31), new_bit = 1U << (newstate & 31);
	struct sk_entered *e, v = {};
	__u64 key = (__u64)sk, now;
	struct tuple t = {};
	bool match = true;

	if (agg_filtered(sk)) {
		read_ports(sk, &t);
		t.netns = sk->__sk_common.skc_net.net->ns.inum;
		if (sock_ruled_out(t.family, t.sport, t.dport, t.netns)) {
			if ((entered_states & old_bit) &&
			    made_before_ports(&t, oldstate, newstate))
				bpf_map_delete_elem(&entered, &key);
			return 0;
		}
		if (cgroup_rules_out(sk))
			return 0;
		match = socket_matches(&t, oldstate, oldstate, newstate);
	}
	if (match) {
		if (newstate == TCP_CLOSE &&
		    (oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING))
			t.time_wait = !sk->sk_err;
		count_transition(&t, oldstate, newstate);
	}
	if (!(entered_states & (old_bit | new_bit)))
		return 0;
	now = bpf_ktime_get_ns();
	e = bpf_map_lookup_elem(&entered, &key);
	if (e && e->state != oldstate)
		count(TT_CNT_GAP);
	if (match && (hist_states & old_bit)) {
		if (e && e->state == oldstate) {
			if (!agg_filtered(sk))
				read_ports(sk, &t);
			hist_add(sk, &t,
				 guess_opener(sk->sk_max_ack_backlog, t.sport,
					      t.dport),
				 oldstate, now - e->since);
		} else {
			count(TT_CNT_UNTIMED);
		}
	}
	if (!(entered_states & new_bit)) {
		if (e)
			bpf_map_delete_elem(&entered, &key);
	} else if (e) {
		e->since = now;
		e->state = newstate;
	} else {
		v.since = now;
		v.state = newstate;
		if (bpf_map_update_elem(&entered, &key, &v, BPF_ANY))
			count(TT_CNT_UNTRACKED);
	}
	return 0;
}

#endif /* __TT_HIST_BPF_H */
