/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What closewait.c shares with closewait_live.c (the sockets in CLOSE_WAIT
 * now: adopted at start, drawn by --live).
 */
#ifndef __TT_CLOSEWAIT_H
#define __TT_CLOSEWAIT_H

#include "model/closewait.h"
#include "model/filter.h"
#include "model/idmap.h"
#include "model/netns_count.h"
#include "kernel/loader.h"
#include "cli/outopts.h"
#include "model/portstats.h"
#include "model/service.h"
#include "output/closewait_report.h"
#include "output/fmt_ctx.h"
#include "kernel/iters.h"
#include "kernel/who_holds.h"
#include "model/tcp_state.h"

/* episodes begun before tcptrail listed one by one in the text summary */
#define CW_ENDED_MAX 64

struct cw_env {
	struct tt_filter filter;
	struct tt_loader_opts lo;
	struct tt_output_opts out;
	enum tt_key_mode key;
	__u64 min_ns;
	__u64 max_open;
	__u64 list_max; /* sockets listed at exit, the oldest */
	bool list_max_set;
	bool live;
	__u64 interval_ns;
	bool interval_set;
};

struct cw_run {
	const struct cw_env *env;
	struct fmt_ctx fc;
	const struct cw_report_ops *rep; /* text or JSON */
	struct idmap *open;
	struct portstats *stats;
	struct service_rule svc; /* --key, the kernel's ephemeral range */
	__u64 episodes;
	__u64 predating; /* ended, but began before tcptrail started */
	__u64 untimed; /* ended, a step unseen on either side (a gap) */
	struct cw_predated ended[CW_ENDED_MAX]; /* the first of those */
	size_t nended;
	__u64 dropped; /* did not fit in the open table */
	struct sockets *socks; /* iter/tcp snapshots, NULL if unavailable */
	/*
	 * the tracer's own list of sockets in CLOSE_WAIT. With it, or with
	 * socks, 'open' holds only those that predate tcptrail; with
	 * neither, every one is kept there.
	 */
	struct closewait_socks *in_cw;
	/* socks without in_cw: what its walk must find, per namespace */
	struct netns_count cw_netns;
	bool warned_netns; /* the --netns namespace cannot be entered */
	struct who_holds *who; /* who holds a socket now; NULL: /proc only */
	const struct tt_filter *filter; /* applied to snapshots in user space */
	__u64 next_snapshot;
	bool live_started; /* --live: its first frame was drawn */
	bool live_tty; /* --live on a terminal: screens, else snapshots */
};

/* sockets already in CLOSE_WAIT at start go into the open table */
void cw_adopt_existing(struct cw_run *r);
/* one live frame (or JSON snapshot), if its interval has come */
void cw_live_tick(void *ctx, __u64 now);

#endif /* __TT_CLOSEWAIT_H */
