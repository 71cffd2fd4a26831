/* SPDX-License-Identifier: GPL-2.0 */
/* Are these time-wait sockets still there? bpf/tw_lookup.bpf.c, by tuple. */
#ifndef __TT_TW_LOOKUP_H
#define __TT_TW_LOOKUP_H

#include <stdbool.h>
#include "kernel/loader.h"
#include "tcptrail.h"

struct tw_lookup;

/* room for max followed sockets; NULL and errno where it does not load */
struct tw_lookup *tw_lookup__open(const struct tt_loader_opts *lo, __u32 max);
/*
 * Follow a time-wait socket (on) that starts in substate (TCP_FIN_WAIT2
 * or TCP_TIME_WAIT), or stop; 0 or -errno.
 */
int tw_lookup__follow(struct tw_lookup *p, const struct tt_tuple *k, bool on,
		      __u8 substate);
/*
 * Look them all up, and call news() for each that is gone (then no longer
 * followed) or got the peer's FIN.
 */
int tw_lookup__run(struct tw_lookup *p,
		   void (*news)(void *ctx, const struct tt_tw_report *n),
		   void *ctx);
void tw_lookup__close(struct tw_lookup *p);

#endif /* __TT_TW_LOOKUP_H */
