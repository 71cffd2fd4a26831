/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timeline's paths, kept in the kernel: each transition adds a step to
 * the socket's path, and the whole path goes to user space once, when the
 * connection ends. Included by tcptrail.bpf.c after its filters.
 */
#ifndef __TT_PATH_BPF_H
#define __TT_PATH_BPF_H

#include "path.h"

static __always_inline void path_add(struct tt_path *p, __u8 state, __u64 ns)
{
	tt_path_add(p->states, p->steps_ns, &p->nsteps, state, ns);
}

static __always_inline void path_closer(struct tt_path *p, int old, int new)
{
	if (p->closer != TT_CLOSER_UNKNOWN)
		return;
	if (new == TCP_FIN_WAIT1)
		p->closer = TT_CLOSER_LOCAL;
	else if (new == TCP_CLOSE_WAIT)
		p->closer = TT_CLOSER_PEER;
	else if (new == TCP_CLOSE &&
		 (old == TCP_ESTABLISHED || old == TCP_SYN_SENT ||
		  old == TCP_SYN_RECV))
		p->closer = TT_CLOSER_RESET;
}

/* a connection at a new id: born while we watch, or already alive */
static __always_inline void path_start(struct tt_path *p, const struct sock *sk,
				       const struct sk_state *st, int old,
				       int new, __u64 now)
{
	__builtin_memset(p, 0, sizeof(*p));
	p->type = TT_REC_PATH;
	p->sock_id = st->id;
	p->cgroup_id = sk_cgroup_id(sk);
	p->first_ns = now;
	p->listener = new == TCP_LISTEN;
	/* connect or listen leave CLOSE; an accepted socket is a clone */
	if (old != TCP_CLOSE &&
	    !(old == TCP_LISTEN && (st->flags & TT_F_PASSIVE))) {
		p->partial = 1;
		path_add(p, old, TT_DELTA_UNKNOWN);
	}
}

/* returns the path when the connection ended here and should be sent */
static __always_inline struct tt_path *
path_transition(const struct sock *sk, const struct tuple *t,
		const struct sk_state *st, struct tt_path *p, int old, int new,
		__u64 now, __u64 delta)
{
	if (p->sock_id != st->id) {
		path_start(p, sk, st, old, new, now);
	} else if (old != p->state) {
		/* a transition was skipped: the time spans unknown states */
		path_add(p, p->state, TT_DELTA_UNKNOWN);
		path_add(p, old, TT_DELTA_UNKNOWN);
		p->partial = 1;
	} else {
		path_add(p, old, delta);
	}
	/* a connecting socket has no local port yet at SYN_SENT */
	if (t->sport || !p->sport) {
		p->sport = t->sport;
		__builtin_memcpy(p->saddr, t->saddr, sizeof(p->saddr));
	}
	if (t->dport || !p->dport) {
		p->dport = t->dport;
		__builtin_memcpy(p->daddr, t->daddr, sizeof(p->daddr));
	}
	p->family = t->family;
	p->netns = t->netns;
	path_closer(p, old, new);
	p->state = new;
	p->ts_ns = now;
	if (new != TCP_CLOSE)
		return NULL;
	if (t->time_wait) {
		/* the connection lives on as a time-wait socket */
		p->state = TCP_TIME_WAIT;
		p->flags |= TT_F_TIME_WAIT;
		p->tw_substate = t->tw_substate;
	}
	p->flags |= st->flags & (TT_F_OPENER | TT_F_OWNER_KNOWN);
	if (st->flags & TT_F_OWNER_KNOWN) {
		p->owner_tgid = st->owner_tgid;
		__builtin_memcpy(p->owner_comm, st->owner_comm,
				 sizeof(p->owner_comm));
	}
	p->sent = 1;
	return p;
}

static __always_inline void path_send(void *ctx, struct tt_path *p)
{
	record_output(ctx, p, sizeof(*p));
}

#endif /* __TT_PATH_BPF_H */
