/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event stream shared by the subcommands that read the ring buffer:
 * start the tracer, hand each record to a consumer, stop on a signal,
 * --duration, the consumer's word or a failed output, then drain, count
 * and summarise.
 */
#ifndef __TT_STREAM_H
#define __TT_STREAM_H

#include "kernel/loader.h"
#include "cli/outopts.h"
#include "output/out.h"

enum stream_stop {
	STOP_NONE,
	STOP_SIGNAL, /* or --duration: drain what is pending, then stop */
	STOP_DONE, /* the consumer has what it wanted: print nothing more */
	STOP_OUTPUT, /* output failed or its reader went away */
};

struct stream_ops {
	/* one record; false to stop the stream (STOP_DONE) */
	bool (*event)(void *ctx, const struct tt_event *e);
	/* a connection's whole path (struct tt_path), may be NULL */
	bool (*path)(void *ctx, const struct tt_path *p);
	/* n events were dropped by the kernel since the last report */
	void (*lost)(void *ctx, __u64 n);
	/* called about every 100 ms while running, may be NULL */
	void (*tick)(void *ctx, __u64 now_ns);
};

struct stream {
	const struct stream_ops *ops;
	void *ctx;
	struct out out;
	struct tt_tracer tracer;
	struct ring_buffer *rb;
	struct perfbuf *pb; /* in place of rb: no ring buffer (tracer.perf) */
	struct tt_counters counters; /* final, after stream_run() */
	__u64 start_ns;
	__u64 deadline; /* CLOCK_MONOTONIC ns, 0 for none */
	__u64 next_check;
	__u64 seen;
	__u64 short_records;
	__u64 lost_reported;
	unsigned int since_check;
	bool no_banner; /* the caller says what is traced */
	enum stream_stop stop;
};

/*
 * The options every streaming subcommand takes, as argp children; the
 * parent's ARGP_KEY_INIT sets child_inputs[0..2] to its tt_filter,
 * tt_loader_opts and tt_output_opts.
 */
extern const struct argp_child stream_argp_children[];
/* at the parent's ARGP_KEY_INIT: the three children's inputs */
void stream_argp_inputs(struct argp_state *state, struct tt_filter *f,
			struct tt_loader_opts *lo, struct tt_output_opts *out);

__u64 now_ns(void);
/* signals, stdout buffer, tracer, ring buffer; prints its own errors */
int stream_open(struct stream *s, const struct tt_loader_opts *lo,
		const struct tt_filter *f, const struct stream_ops *ops,
		void *ctx);
/* until a stop; then detach, drain and read the kernel's counters */
int stream_run(struct stream *s, __u64 duration_ns);
/*
 * "tcptrail: N events, M lost, S s" on stderr (what: "event", made
 * plural unless N is 1), and what went wrong
 */
int stream_summary(struct stream *s, const char *what);
void stream_close(struct stream *s);

#endif /* __TT_STREAM_H */
