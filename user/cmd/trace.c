// SPDX-License-Identifier: GPL-2.0
/* tcptrail trace: every TCP state transition, as it happens. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/args.h"
#include "cmd/cmds.h"
#include "util/common.h"
#include "model/event.h"
#include "kernel/loader.h"
#include "output/sink.h"
#include "output/cgroup_fmt.h"
#include "cli/outopts.h"
#include "cmd/stream.h"

struct trace_env {
	struct tt_filter filter;
	struct tt_loader_opts lo;
	struct tt_output_opts out;
	__u64 count;
};

struct trace_run {
	const struct trace_env *env;
	const struct sink_ops *sink;
	struct fmt_ctx fc;
	__u64 printed;
};

static const char doc[] =
	"Print every TCP state transition on this host as it happens.\n"
	"\n"
	"Each line: time, the socket's owner (PID, COMM), local and remote\n"
	"endpoint, OLD -> NEW state and the milliseconds spent in OLD ('-'\n"
	"when the socket was first seen at this transition, e.g. it predates\n"
	"tcptrail, or when the transition before went unseen).\n"
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

enum { OPT_COUNT = 'c' };

static const struct argp_option options[] = {
	{ "count", OPT_COUNT, "N", 0, "stop after N transitions", 1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct trace_env *env = state->input;
	const char *why;

	switch (key) {
	case ARGP_KEY_INIT:
		stream_argp_inputs(state, &env->filter, &env->lo, &env->out);
		break;
	case OPT_COUNT:
		if (parse_u64(arg, 1, ~0ULL, &env->count, &why))
			exit(usage_err("invalid --count '%s': %s", arg, why));
		break;
	default:
		return cli_no_args(key, arg);
	}
	return 0;
}

CLI_ARGP(stream_argp_children);

static bool on_event(void *ctx, const struct tt_event *e)
{
	struct trace_run *r = ctx;

	r->sink->event(&r->fc, e);
	return !r->env->count || ++r->printed < r->env->count;
}

static void on_lost(void *ctx, __u64 n)
{
	struct trace_run *r = ctx;

	r->sink->lost(&r->fc, n);
}

static const struct stream_ops trace_ops = {
	.event = on_event,
	.lost = on_lost,
};

int do_trace(int argc, char **argv)
{
	static struct trace_env env;
	struct trace_run r = { .env = &env };
	struct stream s;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &env);
	if (err)
		return TT_EXIT_USAGE;
	err = stream_open(&s, &env.lo, &env.filter, &trace_ops, &r);
	if (err)
		goto cleanup;
	fmt_ctx_init(&r.fc, &s.out, env.out.wall, env.out.wide);
	r.fc.cg = cgroup_fmt_new(env.out.json);
	r.sink = env.out.json ? &sink_json : &sink_text;
	r.sink->header(&r.fc);
	err = stream_run(&s, env.out.duration_ns);
	if (stream_summary(&s, "event") && !err)
		err = TT_EXIT_FAILURE;
cleanup:
	stream_close(&s);
	cgroup_fmt_free(r.fc.cg);
	return err;
}
