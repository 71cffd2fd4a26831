// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "model/conn.h"

void tl_add_step(struct tl_conn *c, __u8 state, __u64 ns)
{
	if (c->reopened) {
		/* the step reopened is added again */
		tt_path_set_last(c->states, c->steps_ns, c->nsteps, state, ns);
		c->reopened = false;
		return;
	}
	tt_path_add(c->states, c->steps_ns, &c->nsteps, state, ns);
}

/*
 * Not a removal: once the ring has wrapped, the slot freed would hold a
 * step already lost. Hidden until the next step replaces it.
 */
void tl_reopen_last(struct tl_conn *c)
{
	if (tl_nsteps(c) && !c->reopened)
		c->reopened = true;
}

void tl_end_state(struct tl_conn *c, __u8 next, __u64 at)
{
	tl_add_step(c, c->state,
		    c->since_unknown || at < c->since_ns ? TT_DELTA_UNKNOWN :
							   at - c->since_ns);
	c->state = next;
	c->since_ns = at;
	c->since_unknown = false;
}

void tl_conn_from_path(struct tl_conn *c, const struct tt_path *p)
{
	memset(c, 0, sizeof(*c));
	c->id = p->sock_id;
	c->first_ns = p->first_ns;
	c->since_ns = p->ts_ns;
	if (p->flags & TT_F_OWNER_KNOWN) {
		c->pid = p->owner_tgid;
		memcpy(c->comm, p->owner_comm, TT_COMM_LEN);
	}
	c->family = p->family;
	c->lport = p->sport;
	c->rport = p->dport;
	memcpy(c->laddr, p->saddr, TT_ADDR_LEN);
	memcpy(c->raddr, p->daddr, TT_ADDR_LEN);
	c->flags = p->flags & TT_F_OPENER;
	c->state = p->state;
	c->tw_substate = p->tw_substate;
	c->closer = p->closer <= TT_CLOSER_RESET ? p->closer : CLOSER_UNKNOWN;
	c->partial = p->partial;
	c->listener = p->listener;
	c->netns = p->netns;
	c->cgroup_id = p->cgroup_id;
	/* the same ring */
	_Static_assert(sizeof(c->states) == sizeof(p->states), "states");
	_Static_assert(sizeof(c->steps_ns) == sizeof(p->steps_ns), "steps");
	memcpy(c->states, p->states, sizeof(c->states));
	memcpy(c->steps_ns, p->steps_ns, sizeof(c->steps_ns));
	c->nsteps = p->nsteps;
}
