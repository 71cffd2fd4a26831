/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check's end: the sockets still in CLOSE_WAIT (or open) when the grace
 * ends, from the kernel's own list, and who holds each leak.
 */
#ifndef __TT_CHECK_END_H
#define __TT_CHECK_END_H

#include "kernel/iters.h"
#include "kernel/loader.h"
#include "model/check_rules.h"
#include "model/filter.h"

/*
 * The kernel's list of what the end must see, by iter/tcp: the sockets in
 * CLOSE_WAIT, and with fail_on_open the open ones, in f's cgroup. NULL
 * where iter/tcp does not load: then every such socket needs a record.
 */
struct sockets *check_end_open(const struct tt_tracer *t,
			       const struct tt_loader_opts *lo,
			       const struct tt_filter *f,
			       const struct ck_rules *rules);
/* each socket of that list the filters match into ck, then ck_finish() */
void check_end_walk(struct sockets *socks, const struct tt_filter *f,
		    struct ck_state *ck);
/* who holds each leak now (ss -p's answer, not the opener) */
void check_end_holders(const struct tt_tracer *t,
		       const struct tt_loader_opts *lo, struct ck_state *ck);

#endif /* __TT_CHECK_END_H */
