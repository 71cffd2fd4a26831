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
#define LOST_CHECK_NS 100000000ULL
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

struct trace_run {
	const struct trace_env *env;
	const struct sink_ops *sink;
	struct sink_ctx sc;
	__u64 seen;
	__u64 short_records;
	__u64 lost_reported;
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
		if (parse_duration_ns(arg, true, &env->duration_ns, &why) ||
		    !env->duration_ns)
			exit(usage_err("invalid --duration '%s': %s", arg,
				       env->duration_ns ? why : "must be > 0"));
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
	if (r->sc.o->err)
		return -EIO;
	if (r->env->count && r->seen >= r->env->count)
		return -ECANCELED;
	return 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* put a marker in the stream where the kernel started dropping events */
static void report_lost(struct trace_run *r, const struct tt_tracer *t)
{
	struct tt_counters c;

	if (tt_tracer_counters(t, &c))
		return;
	if (c.c[TT_CNT_LOST] > r->lost_reported) {
		r->sink->lost(&r->sc, c.c[TT_CNT_LOST] - r->lost_reported);
		r->lost_reported = c.c[TT_CNT_LOST];
	}
}

/* a pipe whose reader went away: stop now, not at the next event */
static bool output_gone(int fd)
{
	struct pollfd p = { .fd = fd };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static int run(struct trace_run *r, struct tt_tracer *t, struct ring_buffer *rb)
{
	struct out *o = r->sc.o;
	__u64 start = now_ns(), last_check = start;
	bool drain = true;
	int err = 0;

	while (!tt_exiting) {
		__u64 now;

		/*
		 * The kernel wakes us only once a batch is pending: epoll
		 * never reports a quiet trickle, so consume after each
		 * timeout too.
		 */
		err = ring_buffer__poll(rb, POLL_MS);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err >= 0)
			err = ring_buffer__consume(rb);
		if (err == -ECANCELED || err == -EIO) {
			drain = false;
			err = 0;
			break;
		}
		if (err < 0) {
			p_err("cannot read the ring buffer: %s",
			      strerror(-err));
			return TT_EXIT_FAILURE;
		}
		err = 0;
		now = now_ns();
		if (now - last_check >= LOST_CHECK_NS) {
			report_lost(r, t);
			last_check = now;
		}
		out_flush(o);
		if (!o->err && output_gone(o->fd))
			o->err = EPIPE;
		if (o->err)
			break;
		if (r->env->duration_ns && now - start >= r->env->duration_ns)
			break;
	}
	if (drain && !o->err && ring_buffer__consume(rb) == -ECANCELED)
		drain = false;
	report_lost(r, t);
	out_flush(o);
	return 0;
}

static void summary(const struct trace_run *r, const struct tt_tracer *t,
		    __u64 start)
{
	struct tt_counters c = {};
	double secs = (now_ns() - start) / 1e9;

	tt_tracer_counters(t, &c);
	fprintf(stderr, "tcptrail: %llu events, %llu lost, %.2f s",
		(unsigned long long)r->seen,
		(unsigned long long)c.c[TT_CNT_LOST], secs);
	if (c.c[TT_CNT_UNTRACKED])
		fprintf(stderr, ", %llu without per-socket state",
			(unsigned long long)c.c[TT_CNT_UNTRACKED]);
	if (r->short_records)
		fprintf(stderr, ", %llu malformed records",
			(unsigned long long)r->short_records);
	fputc('\n', stderr);
	if (c.c[TT_CNT_LOST])
		fprintf(stderr, "tcptrail: the ring buffer overflowed: raise "
				"--ringbuf-size or narrow the filters\n");
}

int do_trace(int argc, char **argv)
{
	static struct trace_env env;
	struct ring_buffer *rb = NULL;
	struct trace_run r = { .env = &env };
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
	r.sink->header(&r.sc);
	err = run(&r, &t, rb);
	summary(&r, &t, start);
	if (!err && o.err) {
		if (o.err == EPIPE)
			p_err("output closed (broken pipe): stopped");
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
