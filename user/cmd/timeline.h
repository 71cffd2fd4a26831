/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What timeline.c shares with timeline_path.c (paths kept in the kernel)
 * and timeline_tw.c (following TIME_WAIT).
 */
#ifndef __TT_TIMELINE_H
#define __TT_TIMELINE_H

#include "model/conn.h"
#include "model/filter.h"
#include "model/idmap.h"
#include "kernel/loader.h"
#include "cli/outopts.h"
#include "output/fmt_ctx.h"
#include "output/timeline_report.h"
#include "kernel/iters.h"
#include "cmd/stream.h"

#define TW_CHECK_NS 1000000000ULL
/* the kernel's TCP_TIMEWAIT_LEN, and a margin: stop looking after it */
#define TW_MAX_NS 62000000000ULL
#define TCP_TIMEWAIT_LEN_NS 60000000000ULL

struct tl_env {
	struct tt_filter filter;
	struct tt_loader_opts lo;
	struct tt_output_opts out;
	bool open;
	__u64 max_conns;
};

struct tw_lookup;

struct tl_run {
	const struct tl_env *env;
	struct fmt_ctx fc;
	const struct tl_report_ops *rep; /* text or JSON */
	struct idmap *conns;
	struct sockets *socks; /* to see time-wait sockets go; may be NULL */
	bool paths; /* the kernel keeps the paths (tp_btf) */
	struct open_paths *open_paths; /* --open with paths kept in the kernel */
	bool open_no_cgroup; /* --cgroup and no iterator: none can be listed */
	bool tw_fentry; /* the kernel reports their end: no polling */
	struct tw_lookup *lookup; /* else: looked up by tuple each second */
	bool lookup_failed; /* said so once */
	struct idmap *tw_index; /* tuple key -> id, of conns in TIME_WAIT */
	__u32 netns; /* ours: the only one the iterator walks */
	__u64 next_tw_check;
	__u64 fin_timeout_ns; /* net.ipv4.tcp_fin_timeout, 0 if unknown */
	size_t in_time_wait;
	__u64 tw_unfollowed; /* past the bound on time-wait sockets followed */
	__u64 printed;
	__u64 dropped;
};

/* stream_ops.path: a connection ended, or was handed to a time-wait socket */
bool tl_on_path(void *ctx, const struct tt_path *p);
/* --open with paths: the iterator over them, opened early to fail early */
int tl_paths_open(struct tl_run *r, const struct stream *s,
		  const struct tt_loader_opts *lo, const struct tt_filter *f);
int tl_paths_print_open(struct tl_run *r, __u64 now);
void tl_paths_close(struct tl_run *r);

/* start following time-wait sockets: fentry where it loaded, else iter/tcp */
void tl_tw_open(struct tl_run *r, struct stream *s,
		const struct tt_loader_opts *lo);
void tl_tw_close(struct tl_run *r);
/* c was handed to a time-wait socket: false if it cannot be followed */
bool tl_tw_enter(struct tl_run *r, struct tl_conn *c);
/*
 * A connection at this tuple key enters TIME_WAIT at 'when' it started:
 * the one followed there before it ended then (tcp_tw_reuse), whether or
 * not a look saw it go. May move records of r->conns: look them up again.
 */
void tl_tw_taken(struct tl_run *r, __u64 key, __u64 when);
/* a TT_F_TIME_WAIT_END record */
void tl_tw_end(struct tl_run *r, const struct tt_event *e);
/* about every 100 ms: time-wait sockets gone, or followed for too long */
void tl_tick(void *ctx, __u64 now);

#endif /* __TT_TIMELINE_H */
