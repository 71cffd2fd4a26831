/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sockets in some states by the events, counted per network namespace:
 * what a walk of the kernel's sockets (iter/tcp, namespace by namespace)
 * must find, so that a namespace it could not enter hides nothing unsaid.
 */
#ifndef __TT_NETNS_COUNT_H
#define __TT_NETNS_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "tcptrail.h"

struct netns_count {
	struct netns_count_ent {
		__u32 netns;
		__s64 n; /* entered minus left */
	} * v;
	size_t len, cap;
	size_t last; /* the entry added to last: most steps are its again */
	bool oom; /* a namespace could not be added: its count is lost */
};

/* d: +1 entered, -1 left */
void netns_count_add(struct netns_count *c, __u32 netns, int d);
/*
 * One transition, for the sockets in the states counted(state) says: in
 * if it enters one, out if it leaves one the tracer saw it enter
 * (tt_event.seen_state): a socket in it since before tcptrail was never
 * counted in, and must not cancel one that was.
 */
void netns_count_step(struct netns_count *c, const struct tt_event *e,
		      bool (*counted)(__u8 state));
/* counted(state) for the sockets in CLOSE_WAIT: check's and closewait's */
bool netns_count_closewait(__u8 state);
__s64 netns_count_get(const struct netns_count *c, __u32 netns);
/*
 * What c counts in the namespaces walked(ctx, netns) says were not walked
 * whole, past what found (may be NULL) counts found there by the part
 * walked; one more where a namespace could not be counted (out of memory).
 */
__u64 netns_count_unwalked(const struct netns_count *c,
			   const struct netns_count *found,
			   bool (*walked)(void *ctx, __u32 netns), void *ctx);
void netns_count_free(struct netns_count *c);

#endif /* __TT_NETNS_COUNT_H */
