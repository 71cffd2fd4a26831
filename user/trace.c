// SPDX-License-Identifier: GPL-2.0
/* tcptrail trace: every TCP state transition, as it happens. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cmds.h"
#include "common.h"
#include "event.h"
#include "loader.h"
#include "sink.h"

#define POLL_MS 100
#define CHECK_NS 100000000ULL
#define CHECK_EVERY 256
#define OUT_BUF_SIZE (256 * 1024)

struct trace_env {
	struct tt_filter filter;
	struct tt_loader_opts lo;
	bool json;
	bool wall;
	bool wide;
	__u64 duration_ns;
	__u64 count;
};

enum stop_reason {
	STOP_NONE,
	STOP_SIGNAL, /* or --duration: drain what is pending, then stop */
	STOP_COUNT, /* --count reached: print nothing more */
	STOP_OUTPUT, /* output failed or its reader went away */
};

struct trace_run {
	const struct trace_env *env;
	const struct sink_ops *sink;
	const struct tt_tracer *t;
	struct sink_ctx sc;
	__u64 seen;
	__u64 short_records;
	__u64 lost_reported;
	__u64 deadline; /* CLOCK_MONOTONIC ns, 0 for none */
	__u64 next_check; /* of losses and of the output */
	unsigned int since_check;
	enum stop_reason stop;
};

static const char doc[] =
	"Print every TCP state transition on this host as it happens.\n"
	"\n"
	"Each line: time, the socket's owner (PID, COMM), local and remote\n"
	"endpoint, OLD -> NEW state and the milliseconds spent in OLD ('-'\n"
	"when the socket was first seen at this transition, e.g. it predates\n"
	"tcptrail).\n"
	"\n"
	"OWNER: most transitions of a server's sockets run in softirq, where\n"
	"the task on the CPU is unrelated. tcptrail shows the process that last\n"
	"held the socket (connect, listen, close, ...), or for accepted sockets\n"
	"the owner of the listener; '-' when none is known yet. --json also\n"
	"gives the task on the CPU (task_pid, task_comm) and the context.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcptrail trace                      # everything, until Ctrl-C\n"
	"  tcptrail trace --lport 80,443 -T    # a web server, wall-clock time\n"
	"  tcptrail trace --state close_wait   # into or out of CLOSE_WAIT\n"
	"  tcptrail trace -j -d 10s > t.json   # JSON lines for 10 seconds\n"
	"  tcptrail trace --netns blue -6      # IPv6 in 'ip netns' blue\n"
	"\v"
	"Lost events (ring buffer full) are counted by the kernel, reported in\n"
	"the stream where they happened and in the summary on stderr.\n"
	"Exit status: 0 ok, 1 runtime failure, 2 bad usage.";

enum { OPT_DURATION = 'd', OPT_COUNT = 'c' };

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Output:", 1 },
	{ "json", 'j', NULL, 0, "one JSON object per line (fields: README)",
	  1 },
	{ "wall", 'T', NULL, 0, "wall-clock time (HH:MM:SS.us, local)", 1 },
	{ "wide", 'w', NULL, 0, "address columns wide enough for IPv6", 1 },
	{ "duration", OPT_DURATION, "TIME", 0,
	  "stop after TIME (10, 10s, 500ms, 2m)", 1 },
	{ "count", OPT_COUNT, "N", 0, "stop after N transitions", 1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct trace_env *env = state->input;
	const char *why;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &env->filter;
		state->child_inputs[1] = &env->lo;
		break;
	case 'j':
		env->json = true;
		break;
	case 'T':
		env->wall = true;
		break;
	case 'w':
		env->wide = true;
		break;
	case OPT_DURATION:
		if (parse_duration_ns(arg, true, &env->duration_ns, &why))
			exit(usage_err("invalid --duration '%s': %s", arg,
				       why));
		if (!env->duration_ns)
			exit(usage_err("invalid --duration '%s': must be more "
				       "than 0",
				       arg));
		break;
	case OPT_COUNT:
		if (parse_u64(arg, 1, ~0ULL, &env->count, &why))
			exit(usage_err("invalid --count '%s': %s", arg, why));
		break;
	case ARGP_KEY_ARG:
		exit(usage_err("unexpected argument '%s'", arg));
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = {
	{ &filter_argp, 0, NULL, 0 },
	{ &loader_argp, 0, NULL, 0 },
	{},
};

static const struct argp argp = {
	.options = options,
	.parser = parse_opt,
	.doc = doc,
	.children = children,
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* put a marker in the stream where the kernel started dropping events */
static void report_lost(struct trace_run *r, const struct tt_counters *c)
{
	if (c->c[TT_CNT_LOST] > r->lost_reported) {
		r->sink->lost(&r->sc, c->c[TT_CNT_LOST] - r->lost_reported);
		r->lost_reported = c->c[TT_CNT_LOST];
	}
}

/* a pipe whose reader went away: stop now, not at the next event */
static bool output_gone(int fd)
{
	struct pollfd p = { .fd = fd };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/*
 * Every stop condition, checked between batches and, since a busy ring
 * buffer never runs dry, also every CHECK_EVERY records from on_event.
 */
static bool must_stop(struct trace_run *r)
{
	struct out *o = r->sc.o;
	__u64 now;

	if (r->stop != STOP_NONE)
		return true;
	now = now_ns();
	if (now >= r->next_check) {
		struct tt_counters c;

		if (!tt_tracer_counters(r->t, &c))
			report_lost(r, &c);
		if (!o->err && output_gone(o->fd))
			o->err = EPIPE;
		r->next_check = now + CHECK_NS;
	}
	if (o->err)
		r->stop = STOP_OUTPUT;
	else if (tt_exiting || (r->deadline && now >= r->deadline))
		r->stop = STOP_SIGNAL;
	return r->stop != STOP_NONE;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct trace_run *r = ctx;
	const struct tt_event *e = tt_event_view(data, size);

	if (!e) {
		r->short_records++;
		return 0;
	}
	r->sink->event(&r->sc, e);
	r->seen++;
	if (r->env->count && r->seen >= r->env->count) {
		r->stop = STOP_COUNT;
		return -ECANCELED;
	}
	if (++r->since_check >= CHECK_EVERY || r->sc.o->err) {
		r->since_check = 0;
		/* while draining after a stop, only a failed output ends it */
		if (r->stop == STOP_SIGNAL ? r->sc.o->err != 0 : must_stop(r))
			return -ECANCELED;
	}
	return 0;
}

static int run(struct trace_run *r, struct ring_buffer *rb)
{
	struct out *o = r->sc.o;
	int err;

	while (!must_stop(r)) {
		/*
		 * The kernel wakes us only once a batch is pending: epoll
		 * never reports a quiet trickle, so consume after each
		 * timeout too.
		 */
		err = ring_buffer__poll(rb, POLL_MS);
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR && err != -ECANCELED) {
			p_err("cannot read the ring buffer: %s",
			      strerror(-err));
			return TT_EXIT_FAILURE;
		}
		out_flush(o);
	}
	return 0;
}

/* detached first, so that what is drained and counted has an end */
static void finish(struct trace_run *r, struct ring_buffer *rb,
		   struct tt_tracer *t, struct tt_counters *c)
{
	struct out *o = r->sc.o;

	tt_tracer_detach(t);
	if (r->stop == STOP_SIGNAL) {
		ring_buffer__consume(rb);
		out_flush(o);
	}
	if (tt_tracer_counters(t, c)) {
		p_warn("cannot read the kernel's counters: loss unknown");
		return;
	}
	if (r->stop != STOP_OUTPUT) {
		report_lost(r, c);
		out_flush(o);
	}
}

static void summary(const struct trace_run *r, const struct tt_counters *c,
		    __u64 missed, __u64 start)
{
	double secs = (now_ns() - start) / 1e9;

	fprintf(stderr, "tcptrail: %llu events, %llu lost, %.2f s",
		(unsigned long long)r->seen,
		(unsigned long long)c->c[TT_CNT_LOST], secs);
	if (c->c[TT_CNT_UNTRACKED])
		fprintf(stderr, ", %llu without per-socket state",
			(unsigned long long)c->c[TT_CNT_UNTRACKED]);
	if (missed)
		fprintf(stderr, ", %llu missed (program busy on that CPU)",
			(unsigned long long)missed);
	if (r->short_records)
		fprintf(stderr, ", %llu malformed records",
			(unsigned long long)r->short_records);
	fputc('\n', stderr);
	if (c->c[TT_CNT_LOST])
		fprintf(stderr, "tcptrail: the ring buffer overflowed: raise "
				"--ringbuf-size or narrow the filters\n");
}

int do_trace(int argc, char **argv)
{
	static struct trace_env env;
	struct ring_buffer *rb = NULL;
	struct trace_run r = { .env = &env };
	struct tt_counters c = {};
	struct tt_tracer t = {};
	struct out o = {};
	__u64 start;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &env);
	if (err)
		return TT_EXIT_USAGE;
	if (tt_install_signals()) {
		p_err("cannot install signal handlers: %s", strerror(errno));
		return TT_EXIT_FAILURE;
	}
	if (out_init(&o, STDOUT_FILENO, OUT_BUF_SIZE)) {
		p_err("out of memory");
		return TT_EXIT_FAILURE;
	}
	err = tt_tracer_start(&t, &env.lo, &env.filter);
	if (err)
		goto cleanup;
	rb = ring_buffer__new(tt_tracer_events_fd(&t), on_event, &r, NULL);
	if (!rb) {
		p_err("cannot open the ring buffer: %s", strerror(errno));
		err = TT_EXIT_FAILURE;
		goto cleanup;
	}
	sink_ctx_init(&r.sc, &o);
	r.sc.wall = env.wall;
	r.sc.wide = env.wide;
	r.sink = env.json ? &sink_json : &sink_text;
	fprintf(stderr,
		"Tracing TCP state transitions... Hit Ctrl-C to end.\n");
	start = now_ns();
	r.t = &t;
	r.next_check = start + CHECK_NS;
	if (env.duration_ns)
		r.deadline = start + env.duration_ns;
	r.sink->header(&r.sc);
	err = run(&r, rb);
	finish(&r, rb, &t, &c);
	summary(&r, &c, tt_tracer_missed(&t), start);
	if (!err && o.err) {
		if (o.err == EPIPE)
			p_err("output closed (broken pipe): stopped");
		else if (o.err == ETIMEDOUT)
			p_err("output blocked when asked to stop: "
			      "pending output dropped");
		else
			p_err("cannot write output: %s", strerror(o.err));
		err = TT_EXIT_FAILURE;
	}
cleanup:
	ring_buffer__free(rb);
	tt_tracer_stop(&t);
	out_free(&o);
	return err;
}
