// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "model/conn.h"

void tl_add_step(struct tl_conn *c, __u8 state, __u64 ns)
{
	if (c->nsteps == PATH_MAX_STEPS) {
		/* keep the start and the end: drop from the middle */
		memmove(&c->steps[PATH_MAX_STEPS / 2],
			&c->steps[PATH_MAX_STEPS / 2 + 1],
			(PATH_MAX_STEPS / 2 - 1) * sizeof(c->steps[0]));
		c->nsteps--;
		c->truncated = true;
	}
	c->steps[c->nsteps].state = state;
	c->steps[c->nsteps].ns = ns;
	c->nsteps++;
}

void tl_reopen_last(struct tl_conn *c)
{
	if (c->nsteps)
		c->nsteps--;
}

#define HALF (TT_PATH_STEPS / 2)

/* as many steps as the kernel keeps: the same path either way */
_Static_assert(PATH_MAX_STEPS == TT_PATH_STEPS, "path lengths differ");

static void set_step(struct tl_conn *c, int i, const struct tt_path *p, int j)
{
	c->steps[i].state = p->states[j];
	c->steps[i].ns = p->steps_ns[j];
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
	__u32 n = p->nsteps;

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
	if (n <= TT_PATH_STEPS) {
		for (__u32 i = 0; i < n; i++)
			set_step(c, i, p, i);
		c->nsteps = n;
		return;
	}
	/* the first half in order, then the ring from its oldest step */
	for (int i = 0; i < HALF; i++)
		set_step(c, i, p, i);
	for (int j = 0; j < HALF; j++)
		set_step(c, HALF + j, p, HALF + (n + j) % HALF);
	c->nsteps = TT_PATH_STEPS;
	c->truncated = true;
}
