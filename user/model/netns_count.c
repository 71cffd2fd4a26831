// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "model/netns_count.h"
#include "model/tcp_state.h"

void netns_count_add(struct netns_count *c, __u32 netns, int d)
{
	struct netns_count_ent *e = NULL;

	/* a few namespaces, scanned from the last one added to */
	if (c->last < c->len && c->v[c->last].netns == netns)
		e = &c->v[c->last];
	for (size_t i = 0; i < c->len && !e; i++)
		if (c->v[i].netns == netns)
			e = &c->v[i];
	if (!e) {
		if (c->len == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 8;
			struct netns_count_ent *v =
				realloc(c->v, cap * sizeof(*v));

			if (!v) {
				c->oom = true;
				return;
			}
			c->v = v;
			c->cap = cap;
		}
		e = &c->v[c->len++];
		e->netns = netns;
		e->n = 0;
	}
	e->n += d;
	c->last = e - c->v;
}

void netns_count_step(struct netns_count *c, const struct tt_event *e,
		      bool (*counted)(__u8 state))
{
	/* left through an unseen step, it still leaves what it entered */
	int d = counted(e->newstate) -
		(e->seen_state && counted(e->seen_state));

	if (d)
		netns_count_add(c, e->netns, d);
}

bool netns_count_closewait(__u8 state)
{
	return state == TCP_CLOSE_WAIT;
}

__s64 netns_count_get(const struct netns_count *c, __u32 netns)
{
	for (size_t i = 0; i < c->len; i++)
		if (c->v[i].netns == netns)
			return c->v[i].n;
	return 0;
}

__u64 netns_count_unwalked(const struct netns_count *c,
			   const struct netns_count *found,
			   bool (*walked)(void *ctx, __u32 netns), void *ctx)
{
	__u64 n = c->oom || (found && found->oom);

	for (size_t i = 0; i < c->len; i++) {
		__s64 left = c->v[i].n;

		if (left <= 0 || walked(ctx, c->v[i].netns))
			continue;
		if (found)
			left -= netns_count_get(found, c->v[i].netns);
		if (left > 0)
			n += left;
	}
	return n;
}

void netns_count_free(struct netns_count *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
