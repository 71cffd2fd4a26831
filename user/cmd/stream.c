// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "util/common.h"
#include "model/event.h"
#include "kernel/perfbuf.h"
#include "cmd/stream.h"
#include "cli/filter_opts.h"
#include "cli/loader_opts.h"

#define POLL_MS 100
#define CHECK_NS 100000000ULL
#define CHECK_EVERY 256
#define OUT_BUF_SIZE (256 * 1024)

const struct argp_child stream_argp_children[] = {
	{ &filter_argp, 0, NULL, 0 },
	{ &loader_argp, 0, NULL, 0 },
	{ &output_argp, 0, NULL, 0 },
	{},
};

void stream_argp_inputs(struct argp_state *state, struct tt_filter *f,
			struct tt_loader_opts *lo, struct tt_output_opts *out)
{
	state->child_inputs[0] = f;
	state->child_inputs[1] = lo;
	state->child_inputs[2] = out;
}

__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* put a marker in the stream where the kernel started dropping events */
static void report_lost(struct stream *s, const struct tt_counters *c)
{
	if (c->c[TT_CNT_LOST] > s->lost_reported) {
		s->ops->lost(s->ctx, c->c[TT_CNT_LOST] - s->lost_reported);
		s->lost_reported = c->c[TT_CNT_LOST];
	}
}

static int poll_records(struct stream *s, int timeout_ms)
{
	return s->pb ? perfbuf__poll(s->pb, timeout_ms) :
		       ring_buffer__poll(s->rb, timeout_ms);
}

static int consume_records(struct stream *s)
{
	return s->pb ? perfbuf__consume(s->pb) : ring_buffer__consume(s->rb);
}

/* a pipe whose reader went away: stop now, not at the next event */
static bool output_gone(int fd)
{
	struct pollfd p = { .fd = fd };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/*
 * Every stop condition, checked between batches and, since a busy ring
 * buffer never runs dry, also every CHECK_EVERY records from on_record.
 */
static bool must_stop(struct stream *s)
{
	struct out *o = &s->out;
	__u64 now;

	if (s->stop != STOP_NONE)
		return true;
	now = now_ns();
	if (now >= s->next_check) {
		struct tt_counters c;

		if (!tt_tracer_counters(&s->tracer, &c))
			report_lost(s, &c);
		if (s->ops->tick)
			s->ops->tick(s->ctx, now);
		if (!o->err && output_gone(o->fd))
			o->err = EPIPE;
		s->next_check = now + CHECK_NS;
	}
	if (o->err)
		s->stop = STOP_OUTPUT;
	else if (tt_exiting || (s->deadline && now >= s->deadline))
		s->stop = STOP_SIGNAL;
	return s->stop != STOP_NONE;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct stream *s = ctx;
	int type = tt_record_type(data, size);
	bool more;

	if (s->stop == STOP_DONE)
		return -ECANCELED; /* a perf batch's rest, after the end */
	if (!(type == TT_REC_EVENT && tt_event_view(data, size)) &&
	    !(type == TT_REC_PATH && size >= sizeof(struct tt_path) &&
	      s->ops->path)) {
		s->short_records++;
		return 0;
	}
	s->seen++;
	more = type == TT_REC_EVENT ? s->ops->event(s->ctx, data) :
				      s->ops->path(s->ctx, data);
	if (!more) {
		s->stop = STOP_DONE;
		return -ECANCELED;
	}
	if (++s->since_check >= CHECK_EVERY || s->out.err) {
		s->since_check = 0;
		/* while draining after a stop, only a failed output ends it */
		if (s->stop == STOP_SIGNAL ? s->out.err != 0 : must_stop(s))
			return -ECANCELED;
	}
	return 0;
}

int stream_open(struct stream *s, const struct tt_loader_opts *lo,
		const struct tt_filter *f, const struct stream_ops *ops,
		void *ctx)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	if (tt_install_signals()) {
		p_err("cannot install signal handlers: %s", strerror(errno));
		return TT_EXIT_FAILURE;
	}
	if (out_init(&s->out, STDOUT_FILENO, OUT_BUF_SIZE)) {
		p_err("out of memory");
		return TT_EXIT_FAILURE;
	}
	err = tt_tracer_start(&s->tracer, lo, f);
	if (err)
		return err;
	if (s->tracer.perf)
		s->pb = perfbuf__new(tt_tracer_events_fd(&s->tracer),
				     lo->ringbuf_size, on_record, s);
	else
		s->rb = ring_buffer__new(tt_tracer_events_fd(&s->tracer),
					 on_record, s, NULL);
	if (!s->rb && !s->pb) {
		p_err("cannot open the %s: %s",
		      s->tracer.perf ? "perf buffers" : "ring buffer",
		      strerror(errno));
		return TT_EXIT_FAILURE;
	}
	return 0;
}

int stream_run(struct stream *s, __u64 duration_ns)
{
	struct out *o = &s->out;
	int err = 0;

	if (!s->no_banner)
		fprintf(stderr, "Tracing TCP state transitions...%s\n",
			tt_ctrl_c_hint());
	s->start_ns = now_ns();
	s->next_check = s->start_ns + CHECK_NS;
	if (duration_ns)
		s->deadline = s->start_ns + duration_ns;
	while (!must_stop(s)) {
		/*
		 * The kernel wakes us only once a batch is pending: epoll
		 * never reports a quiet trickle, so consume after each
		 * timeout too.
		 */
		err = poll_records(s, POLL_MS);
		if (err >= 0 || err == -EINTR)
			err = consume_records(s);
		if (err < 0 && err != -EINTR && err != -ECANCELED) {
			p_err("cannot read the %s: %s",
			      s->pb ? "perf buffers" : "ring buffer",
			      strerror(-err));
			err = TT_EXIT_FAILURE;
			break;
		}
		err = 0;
		out_flush(o);
	}

	/* detached first, so that what is drained and counted has an end */
	tt_tracer_detach(&s->tracer);
	if (s->stop == STOP_SIGNAL) {
		consume_records(s);
		out_flush(o);
	}
	if (tt_tracer_counters(&s->tracer, &s->counters)) {
		p_warn("cannot read the kernel's counters: loss unknown");
	} else if (s->stop != STOP_OUTPUT) {
		report_lost(s, &s->counters);
		out_flush(o);
	}
	return err;
}

int stream_summary(struct stream *s, const char *what)
{
	const struct tt_counters *c = &s->counters;
	__u64 missed = tt_tracer_missed(&s->tracer);
	struct out *o = &s->out;

	fprintf(stderr, "tcptrail: %llu %s%s, %llu lost, %.2f s",
		(unsigned long long)s->seen, what, s->seen == 1 ? "" : "s",
		(unsigned long long)c->c[TT_CNT_LOST],
		(now_ns() - s->start_ns) / 1e9);
	if (c->c[TT_CNT_UNTRACKED])
		fprintf(stderr, ", %llu without per-socket state",
			(unsigned long long)c->c[TT_CNT_UNTRACKED]);
	if (missed)
		fprintf(stderr, ", %llu missed (program busy on that CPU)",
			(unsigned long long)missed);
	if (c->c[TT_CNT_GAP])
		fprintf(stderr,
			", %llu gap%s (a socket left a state it was not "
			"seen entering)",
			(unsigned long long)c->c[TT_CNT_GAP],
			c->c[TT_CNT_GAP] == 1 ? "" : "s");
	if (tt_verbose && c->c[TT_CNT_RELIEVED])
		fprintf(stderr, ", %llu taken by the relief program",
			(unsigned long long)c->c[TT_CNT_RELIEVED]);
	if (c->c[TT_CNT_RELIEF_BLIND])
		fprintf(stderr,
			", the relief could not read the program's run "
			"counter %llu time%s",
			(unsigned long long)c->c[TT_CNT_RELIEF_BLIND],
			c->c[TT_CNT_RELIEF_BLIND] == 1 ? "" : "s");
	if (s->short_records)
		fprintf(stderr, ", %llu malformed record%s",
			(unsigned long long)s->short_records,
			s->short_records == 1 ? "" : "s");
	fputc('\n', stderr);
	if (c->c[TT_CNT_LOST])
		fprintf(stderr,
			"tcptrail: the %s overflowed: raise --ringbuf-size or "
			"narrow the filters\n",
			s->pb ? "perf buffers" : "ring buffer");
	if (!o->err)
		return 0;
	if (o->err == EPIPE)
		p_err("output closed (broken pipe): stopped");
	else if (o->err == ETIMEDOUT)
		p_err("output blocked when asked to stop: pending output dropped");
	else
		p_err("cannot write output: %s", strerror(o->err));
	return TT_EXIT_FAILURE;
}

void stream_close(struct stream *s)
{
	ring_buffer__free(s->rb);
	s->rb = NULL;
	perfbuf__free(s->pb);
	s->pb = NULL;
	tt_tracer_stop(&s->tracer);
	out_free(&s->out);
}
