// SPDX-License-Identifier: GPL-2.0
/* tcptrail hist: time spent in TCP states per port, as log2 histograms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/aggopts.h"
#include "cli/args.h"
#include "cmd/cmds.h"
#include "cmd/labels.h"
#include "util/common.h"
#include "output/hist_fmt.h"
#include "kernel/histmap.h"
#include "kernel/loader.h"
#include "cli/outopts.h"
#include "util/parse.h"
#include "cmd/stream.h"
#include "cli/filter_opts.h"
#include "cli/loader_opts.h"

struct hist_env {
	struct tt_filter filter;
	struct tt_loader_opts lo;
	struct tt_agg_opts agg;
	struct labels_opt labels;
	bool json;
	bool wall;
	__u64 unit_ns; /* 0 until --ms or --us */
	__u64 interval_ns;
	__u64 duration_ns;
};

static const char doc[] =
	"Histograms of the time TCP sockets spend in a state, per port, built\n"
	"in the kernel: nothing per transition crosses to user space.\n"
	"\n"
	"When a socket leaves a selected state (CLOSE_WAIT by default), the\n"
	"time it spent there goes into a log2 histogram keyed by the service\n"
	"port (the listening side's port) and the state. Printed at exit, and\n"
	"every -i interval: each print covers everything since the start.\n"
	"p50 and p99 are upper bounds (the top of the bucket that holds them),\n"
	"max is exact. A time that ends in bucket '513 -> 1024' was more than\n"
	"512 and at most 1024 units.\n"
	"\n"
	"Sockets that entered the state before tcptrail started, or whose\n"
	"entry went unseen (a gap), have no known start: they are counted as\n"
	"'untimed', not guessed.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcptrail hist                          # CLOSE_WAIT times, at Ctrl-C\n"
	"  tcptrail hist -i 10 --lport 8080       # every 10 s, one service\n"
	"  tcptrail hist --all-states --us -d 1m  # every state, microseconds\n"
	"  tcptrail hist --state fin_wait2,last_ack -j\n"
	"  tcptrail hist --labels container       # per container and pod\n"
	"\v"
	"--state selects the states whose time is measured (not a filter on\n"
	"transitions). Exit status: 0 ok, 1 runtime failure, 2 bad usage.";

enum { OPT_MS = 0x300, OPT_US };

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Output:", 1 },
	{ "interval", 'i', "TIME", 0,
	  "print every TIME (10, 10s, 1m); default: at exit only", 1 },
	{ "duration", 'd', "TIME", 0, "stop after TIME", 1 },
	{ "json", 'j', NULL, 0, "one JSON object per print (fields: README)",
	  1 },
	{ "wall", 'T', NULL, 0, "a wall-clock time line before each print", 1 },
	{ "ms", OPT_MS, NULL, 0, "buckets in milliseconds (default)", 1 },
	{ "us", OPT_US, NULL, 0, "buckets in microseconds", 1 },
	{},
};

static const struct argp_child children[] = {
	{ &agg_argp, 0, NULL, 0 },
	{ &filter_argp, 0, NULL, 0 },
	{ &loader_argp, 0, NULL, 0 },
	{ &labels_argp, 0, NULL, 0 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct hist_env *env = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &env->agg;
		state->child_inputs[1] = &env->filter;
		state->child_inputs[2] = &env->lo;
		state->child_inputs[3] = &env->labels;
		break;
	case 'i':
		env->interval_ns =
			opt_duration("--interval", arg, 100000000ULL);
		break;
	case 'd':
		env->duration_ns =
			opt_duration("--duration", arg, 100000000ULL);
		break;
	case 'j':
		env->json = true;
		break;
	case 'T':
		env->wall = true;
		break;
	case OPT_MS:
	case OPT_US:
		if (env->unit_ns &&
		    env->unit_ns != (key == OPT_MS ? 1000000 : 1000))
			exit(usage_err("--ms and --us exclude each other"));
		env->unit_ns = key == OPT_MS ? 1000000 : 1000;
		break;
	default:
		return cli_no_args(key, arg);
	}
	return 0;
}

CLI_ARGP(children);

static int print(struct hist_env *env, struct tt_tracer *t, struct out *o,
		 __u64 elapsed)
{
	struct tt_counters c = {};
	struct hist_view v = {
		.unit_ns = env->agg.agg.unit_ns,
		.key = env->agg.agg.key,
		.elapsed_ns = elapsed,
	};
	struct hist_entry *e;
	int err;

	err = histmap_read(tt_tracer_hists_fd(t), t->ncpus, &e, &v.n);
	if (err) {
		p_err("cannot read the histograms: %s", strerror(-err));
		return TT_EXIT_FAILURE;
	}
	if (env->labels.on) {
		v.folded = labels_apply(&env->labels, e, &v.n, NULL,
					&(size_t){ 0 });
		v.sets = env->labels.sets;
	}
	v.e = e;
	if (!tt_tracer_counters(t, &c)) {
		v.untimed = c.c[TT_CNT_UNTIMED];
		v.lost = c.c[TT_CNT_LOST];
		v.gaps = c.c[TT_CNT_GAP];
		v.missed = tt_tracer_missed(t);
	}
	if (env->json) {
		hist_print_json(o, &v);
	} else {
		if (env->wall) {
			time_t now = time(NULL);
			char buf[32];

			strftime(buf, sizeof(buf), "%H:%M:%S", localtime(&now));
			out_str(o, buf);
			out_end_line(o);
		}
		hist_print_text(o, &v);
	}
	free(e);
	out_flush(o);
	return o->err ? TT_EXIT_FAILURE : 0;
}

static void nap_until(__u64 when)
{
	__u64 now = now_ns(), ns;
	struct timespec ts;

	if (now >= when)
		return;
	ns = when - now < 100000000ULL ? when - now : 100000000ULL;
	ts.tv_sec = 0;
	ts.tv_nsec = ns;
	nanosleep(&ts, NULL);
}

int do_hist(int argc, char **argv)
{
	static struct hist_env env;
	struct tt_tracer t = {};
	__u64 start, next, deadline;
	struct out o = {};
	int err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &env))
		return TT_EXIT_USAGE;
	env.agg.agg.unit_ns = env.unit_ns ? env.unit_ns : 1000000;
	agg_finish(&env.agg, &env.filter);
	if (env.labels.on)
		env.agg.agg.by_cgroup = env.labels.max_sets;
	if (loader_opts_no_stream(&env.lo))
		return TT_EXIT_USAGE;
	if (env.json && env.wall)
		return usage_err("--wall is for text: each JSON line has "
				 "elapsed_ms");
	env.lo.agg = &env.agg.agg;
	if (tt_install_signals() || out_init(&o, STDOUT_FILENO, 64 * 1024)) {
		p_err("cannot set up: %s", strerror(errno));
		return TT_EXIT_FAILURE;
	}
	err = labels_open(&env.labels);
	if (!err)
		err = tt_tracer_start(&t, &env.lo, &env.filter);
	if (err)
		goto out;
	fprintf(stderr, "Measuring time in TCP states...%s\n",
		tt_ctrl_c_hint());
	start = now_ns();
	next = env.interval_ns ? start + env.interval_ns : ~0ULL;
	deadline = env.duration_ns ? start + env.duration_ns : ~0ULL;
	while (!tt_exiting && now_ns() < deadline) {
		nap_until(next < deadline ? next : deadline);
		if (now_ns() >= next && now_ns() < deadline) {
			err = print(&env, &t, &o, now_ns() - start);
			if (err)
				break;
			next += env.interval_ns;
		}
	}
	tt_tracer_detach(&t);
	if (!err)
		err = print(&env, &t, &o, now_ns() - start);
	if (o.err)
		p_err("cannot write output: %s", strerror(o.err));
	tt_tracer_stop(&t);
out:
	labels_close(&env.labels);
	out_free(&o);
	return err;
}
