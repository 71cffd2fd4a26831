/* SPDX-License-Identifier: GPL-2.0 */
/* Are these time-wait sockets still there? bpf/tw_lookup.bpf.c, by tuple. */
#ifndef __TT_TW_PROBE_H
#define __TT_TW_PROBE_H

#include <stdbool.h>
#include "kernel/loader.h"
#include "tcptrail.h"

struct tw_lookup;

/* room for max followed sockets; NULL and errno where it does not load */
struct tw_lookup *tw_lookup__open(const struct tt_loader_opts *lo, __u32 max);
/* follow a time-wait socket (on), or stop; 0 or -errno */
int tw_lookup__follow(struct tw_lookup *p, const struct tt_tuple *k, bool on);
/* look them all up: the ones gone are no longer followed; gone() for each */
int tw_lookup__run(struct tw_lookup *p,
		   void (*gone)(void *ctx, const struct tt_tuple *k),
		   void *ctx);
void tw_lookup__close(struct tw_lookup *p);

#endif /* __TT_TW_PROBE_H */
