/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A connection's life as 'timeline' follows it: owner, endpoints, who
 * opened and who closed it, and its path of states with the time spent
 * in each; built step by step from events, or at once from a path the
 * kernel kept (struct tt_path).
 */
#ifndef __TT_CONN_H
#define __TT_CONN_H

#include <stdbool.h>
#include <linux/types.h>
#include "tcptrail.h"
#include "path.h"

enum closer {
	CLOSER_UNKNOWN = TT_CLOSER_UNKNOWN,
	CLOSER_LOCAL = TT_CLOSER_LOCAL,
	CLOSER_PEER = TT_CLOSER_PEER,
	CLOSER_RESET = TT_CLOSER_RESET,
};

struct tl_step {
	__u64 ns; /* time spent in the state, TT_DELTA_UNKNOWN if unknown */
	__u8 state;
};

struct tl_conn {
	__u64 id;
	__u64 first_ns; /* entered the first state of the path */
	__u64 since_ns; /* entered the current state */
	__u32 pid;
	char comm[TT_COMM_LEN];
	__u64 cgroup_id; /* tt_event.cgroup_id, 0 if unknown */
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u8 laddr[TT_ADDR_LEN];
	__u8 raddr[TT_ADDR_LEN];
	__u8 flags; /* TT_F_ACTIVE, TT_F_PASSIVE */
	__u8 state; /* current */
	__u8 closer;
	bool partial; /* first seen mid-life, or a transition was missed */
	/* the last step is the current state again: not shown (tl_nsteps) */
	bool reopened;
	bool listener;
	bool time_wait; /* handed to a time-wait socket: followed until gone */
	bool tw_exact; /* its end was seen (fentry): TIME_WAIT not inferred */
	/*
	 * Handed off before the peer's FIN: the time-wait socket sits in
	 * FIN_WAIT2 (state) until that FIN comes (then TIME_WAIT) or
	 * tcp_fin_timeout ends it (fin_timeout). fin_inferred: the FIN's
	 * time is the look that found it, not the kernel's timer.
	 */
	__u8 tw_substate;
	bool fin_timeout;
	bool fin_cut_short; /* ended in FIN_WAIT2 before tcp_fin_timeout */
	bool fin_inferred;
	bool since_unknown; /* since_ns is not when 'state' was entered */
	__u32 netns;
	/* the path: a ring as the kernel's (path.h), read with tl_step() */
	__u32 nsteps; /* steps ever added */
	__u8 states[TT_PATH_STEPS];
	__u64 steps_ns[TT_PATH_STEPS];
};

/* how many steps the path shows */
static inline int tl_nsteps(const struct tl_conn *c)
{
	return tt_path_kept(c->nsteps) - c->reopened;
}

/* the path's step i, in order: i < tl_nsteps(c) */
static inline struct tl_step tl_step(const struct tl_conn *c, int i)
{
	__u32 s = tt_path_at(c->nsteps, i);
	struct tl_step st = { .ns = c->steps_ns[s], .state = c->states[s] };

	return st;
}

/* steps were dropped from the middle of the path */
static inline bool tl_truncated(const struct tl_conn *c)
{
	return tt_path_dropped(c->nsteps);
}

/* a state left after ns; past TT_PATH_STEPS the middle is dropped */
void tl_add_step(struct tl_conn *c, __u8 state, __u64 ns);
/* the time in 'state' ends at 'at', where 'next' begins */
void tl_end_state(struct tl_conn *c, __u8 next, __u64 at);
/*
 * The last step is the current state again (an orphan's FIN_WAIT2 goes
 * on past the hand-off): no longer shown, the next step added replaces it.
 */
void tl_reopen_last(struct tl_conn *c);
/* a path from the kernel as a connection: the same steps as tl_add_step */
void tl_conn_from_path(struct tl_conn *c, const struct tt_path *p);

#endif /* __TT_CONN_H */
