/* SPDX-License-Identifier: GPL-2.0 */
/* Probe the kernel, load and attach the tracer, read its counters. */
#ifndef __TT_LOADER_H
#define __TT_LOADER_H

#include <stdbool.h>
#include "model/filter.h"
#include "tcptrail.h"

/* what --attach asks for; enum tt_attach_kind is what was attached */
enum tt_attach_request {
	TT_ATTACH_AUTO,
	TT_ATTACH_FORCE_BTF,
	TT_ATTACH_FORCE_TP
};

/* in-kernel aggregation for hist and export */
struct tt_aggregate {
	__u32 states; /* bit n: histogram the time spent in state n */
	enum tt_key_mode key;
	__u64 unit_ns; /* histogram unit */
	__u32 max_ports; /* keys per state before TT_PORT_OTHER */
	/* the socket's cgroup in the key too: that many more keys per state */
	__u32 by_cgroup;
};

struct tt_loader_opts {
	const struct tt_aggregate *agg; /* NULL: none */
	bool tw_end; /* timeline: the end of TIME_WAIT where fentry loads */
	bool paths; /* timeline: paths kept in the kernel, where tp_btf loads */
	const char *btf_path;
	__u64 ringbuf_size;
	bool ringbuf_size_set; /* by the user */
	__u64 max_sockets; /* per-socket entries in the kernel's tables */
	bool max_sockets_set; /* by the user: kept even where preallocated */
	enum tt_attach_request attach;
	bool perf_buffer; /* a perf buffer even where the ring buffer exists */
	bool relief; /* the second program (not with --no-relief) */
	bool quiet; /* probing: no message on failure */
};

#define TT_RINGBUF_DEFAULT (8ULL << 20)
#define TT_STATES_DEFAULT (1ULL << 20)
/* before 6.1 the tables are preallocated: a smaller default */
#define TT_STATES_PREALLOC_DEFAULT (1ULL << 16)

struct tcptrail_bpf;
struct accept_fexit_bpf;
struct tw_fentry_bpf;

/* how accepted sockets get their owner */
enum tt_accept_kind {
	TT_ACCEPT_NONE, /* they keep their listener's */
	TT_ACCEPT_FEXIT,
	TT_ACCEPT_SYSCALLS,
};

struct tt_tracer {
	struct tcptrail_bpf *skel;
	struct accept_fexit_bpf *fexit; /* NULL where fexit is refused */
	struct tw_fentry_bpf *tw; /* NULL unless asked for and loaded */
	enum tt_attach_kind kind;
	enum tt_accept_kind accept;
	enum tt_mode mode; /* what the transition program does */
	bool prealloc; /* per-socket tables allocated up front (before 6.1) */
	bool perf; /* events through a perf buffer, not the ring buffer */
	bool skips_busy; /* the kernel skips a program busy on its CPU */
	int ncpus;
};

/* prints its own one-line error; returns 0 or TT_EXIT_FAILURE */
int tt_tracer_start(struct tt_tracer *t, const struct tt_loader_opts *o,
		    const struct tt_filter *f);
/* detach the programs; the maps stay readable until tt_tracer_stop() */
void tt_tracer_detach(struct tt_tracer *t);
void tt_tracer_stop(struct tt_tracer *t);
/* transitions the kernel skipped: the program was already running there */
__u64 tt_tracer_missed(const struct tt_tracer *t);
int tt_tracer_events_fd(const struct tt_tracer *t);
int tt_tracer_counters(const struct tt_tracer *t, struct tt_counters *sum);
const char *tt_attach_kind_str(enum tt_attach_kind kind);
const char *tt_accept_kind_str(enum tt_accept_kind kind);
int tt_tracer_hists_fd(const struct tt_tracer *t);
int tt_tracer_transitions_fd(const struct tt_tracer *t);

/*
 * A test hook: -EPERM, as a kernel that refuses it would answer, when the
 * environment variable TCPTRAIL_REFUSE lists this program kind (comma
 * separated: tp_btf, fexit, fentry, iter_tcp, iter_map, tc, alloc,
 * ringbuf); else 0. Every
 * place that loads an optional program asks first, so that the tests
 * drive each fallback on any kernel.
 */
int tt_refused(const char *kind);

#endif /* __TT_LOADER_H */
