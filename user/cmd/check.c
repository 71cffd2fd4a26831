// SPDX-License-Identifier: GPL-2.0
/* tcptrail check: run a command, fail when it leaks or holds CLOSE_WAIT. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sys/cgroup_child.h"
#include "sys/cmd_child.h"
#include "util/report_file.h"
#include "output/check_report.h"
#include "output/cgroup_fmt.h"
#include "model/check_rules.h"
#include "cmd/cmds.h"
#include "util/common.h"
#include "model/event.h"
#include "cli/outopts.h"
#include "util/parse.h"
#include "sys/proctree.h"
#include "kernel/iters.h"
#include "cmd/check_end.h"
#include "cmd/stream.h"
#include "cli/filter_opts.h"
#include "cli/loader_opts.h"

#define MAX_CONNS (1 << 20)
/*
 * A socket whose peer has closed is closed by a healthy program within
 * milliseconds of reading the EOF; one that sits in CLOSE_WAIT for a
 * second is a pool or a handler that never reads it: the leak.
 */
#define MAX_CLOSEWAIT_DEFAULT 1000000000ULL
/* how long an interrupted command gets to end before SIGKILL */
#define STOP_WAIT_NS 5000000000ULL

struct check_env {
	struct tt_filter filter;
	struct tt_loader_opts lo;
	struct ck_rules rules;
	bool max_closewait_set;
	__u64 grace_ns;
	__u64 duration_ns;
	const char *json_path;
	const char *junit_path;
	char **cmd; /* after "--", NULL-terminated, or NULL */
};

struct check_run {
	const struct check_env *env;
	struct stream *s;
	struct ck_state ck;
	struct proctree *tree; /* no cgroup: follow CMD's process tree */
	struct sockets *socks; /* the kernel's list at the end, or NULL */
	struct cmd_child child;
	int status; /* CMD's exit status to pass on, -1 while running */
};

static const char doc[] =
	"Run CMD under tcptrail and fail when it leaks sockets in CLOSE_WAIT\n"
	"or is slow to close them: for CI jobs.\n"
	"\n"
	"CMD and every process it starts are put in a cgroup v2 child that\n"
	"tcptrail creates, and only their sockets are watched (filtered in\n"
	"the kernel). Where cgroup v2 is not writable, tcptrail follows CMD's\n"
	"process tree instead, and says so. When CMD exits, tcptrail waits\n"
	"--grace, then checks the rules:\n"
	"  leak           no socket is still in CLOSE_WAIT (always)\n"
	"  max_closewait  no CLOSE_WAIT episode lasted longer than\n"
	"                 --max-closewait: 1s unless set ('off' to disable);\n"
	"                 it catches a pool that keeps closed connections\n"
	"                 until the process exits\n"
	"  open           no connection is still open (--fail-on-open)\n"
	"and that no transition was lost, and that CMD exited 0. Without\n"
	"-- CMD, the whole host (or the filters) is watched until --duration\n"
	"or Ctrl-C.\n"
	"\n"
	"Stopped by a signal before CMD ends, tcptrail passes the signal on\n"
	"to every process of CMD, waits up to 5s for them (SIGKILL after,\n"
	"or at a second signal) and reports the verdict INTERRUPTED.\n"
	"\n"
	"The verdict goes to stderr, --json FILE and --junit FILE (JUnit XML,\n"
	"one testcase per rule and service port, each failure naming the\n"
	"connections: owner, endpoints, time). Each file appears whole or\n"
	"not at all.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcptrail check -- make integration-test\n"
	"  tcptrail check --max-closewait 200ms --junit tcp.xml -- ./run-tests\n"
	"  tcptrail check --lport 8080 --fail-on-open -d 1m\n"
	"\v"
	"Exit status: 0 PASS; CMD's own status when it failed (128 + signal\n"
	"if killed); 3 when a rule was broken or transitions were lost; 128\n"
	"+ signal when INTERRUPTED; 2 for bad usage (CMD not executable\n"
	"included); 1 for tcptrail's own failure.";

enum {
	OPT_MAX_CW = 0x500,
	OPT_FAIL_OPEN,
	OPT_GRACE,
	OPT_JSON_FILE,
	OPT_JUNIT,
	OPT_KEY,
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Rules:", 1 },
	{ "max-closewait", OPT_MAX_CW, "TIME", 0,
	  "fail on a CLOSE_WAIT episode longer than TIME (default 1s; "
	  "'off')",
	  1 },
	{ "fail-on-open", OPT_FAIL_OPEN, NULL, 0,
	  "fail on connections still open when the grace ends", 1 },
	{ "grace", OPT_GRACE, "TIME", 0,
	  "after CMD exits, wait this long for sockets to close (default 1s)",
	  1 },
	{ "duration", 'd', "TIME", 0, "without CMD: watch for TIME", 1 },
	{ "key", OPT_KEY, "KEY", 0,
	  "port to report by: service (default), lport or rport", 1 },
	{ NULL, 0, NULL, 0, "Reports:", 2 },
	{ "json", OPT_JSON_FILE, "FILE", 0, "the verdict as JSON", 2 },
	{ "junit", OPT_JUNIT, "FILE", 0, "the verdict as JUnit XML", 2 },
	{},
};

static const struct argp_child children[] = {
	{ &filter_argp, 0, NULL, 0 },
	{ &loader_argp, 0, NULL, 0 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct check_env *env = state->input;
	const char *why;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &env->filter;
		state->child_inputs[1] = &env->lo;
		env->grace_ns = 1000000000ULL;
		env->rules.max_closewait_ns = MAX_CLOSEWAIT_DEFAULT;
		break;
	case OPT_MAX_CW:
		env->max_closewait_set = true;
		env->rules.max_closewait_ns =
			strcmp(arg, "off") ?
				opt_duration("--max-closewait", arg, 0) :
				0;
		break;
	case OPT_FAIL_OPEN:
		env->rules.fail_on_open = true;
		break;
	case OPT_GRACE:
		env->grace_ns = opt_duration("--grace", arg, 0);
		break;
	case 'd':
		env->duration_ns = opt_duration("--duration", arg, 1);
		break;
	case OPT_KEY:
		if (parse_key_mode(arg, &env->rules.key, &why))
			exit(usage_err("invalid --key '%s': %s", arg, why));
		break;
	case OPT_JSON_FILE:
		env->json_path = arg;
		break;
	case OPT_JUNIT:
		env->junit_path = arg;
		break;
	case ARGP_KEY_ARG:
		exit(usage_err("unexpected argument '%s' (the command goes "
			       "after --)",
			       arg));
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_opt,
	.doc = doc,
	.children = children,
	.args_doc = "[-- CMD [ARGS...]]",
};

static bool on_event(void *ctx, const struct tt_event *e)
{
	struct check_run *r = ctx;
	const char *comm;

	if (r->tree && !idmap__lookup(r->ck.conns, e->sock_id) &&
	    !proctree_has(r->tree, tt_event_who(e, &comm)))
		return true;
	ck_event(&r->ck, e);
	return true;
}

static void on_lost(void *ctx, __u64 n)
{
	(void)ctx;
	(void)n;
}

/* CMD's end starts the grace */
static void on_tick(void *ctx, __u64 now)
{
	struct check_run *r = ctx;

	if (r->status < 0 && cmd_child_reap(&r->child, &r->status))
		r->s->deadline = now + r->env->grace_ns;
}

static const struct stream_ops check_ops = {
	.event = on_event,
	.lost = on_lost,
	.tick = on_tick,
};

static int split_cmd(int argc, char **argv, struct check_env *env)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--"))
			continue;
		if (i + 1 == argc)
			exit(usage_err("missing CMD after --"));
		env->cmd = argv + i + 1;
		argv[i] = NULL;
		return i;
	}
	return argc;
}

static void open_report(struct report_file *f, const char *opt,
			const char *path)
{
	int err;

	f->fd = -1;
	if (!path)
		return;
	err = report_file_open(f, path);
	if (err)
		exit(usage_err("cannot write %s '%s': %s", opt, path,
			       strerror(-err)));
}

static int write_report(struct report_file *f,
			void (*fn)(struct out *, const struct ck_report *),
			const struct ck_report *rep)
{
	struct out o;
	int err;

	if (f->fd < 0)
		return 0;
	if (out_init(&o, -1, 64 * 1024)) {
		report_file_abort(f);
		return TT_EXIT_FAILURE;
	}
	fn(&o, rep);
	err = o.err ? -o.err : report_file_commit(f, o.buf, o.len);
	report_file_abort(f);
	out_free(&o);
	if (err)
		p_err("cannot write '%s': %s", f->path, strerror(-err));
	return err ? TT_EXIT_FAILURE : 0;
}

/* the CMD's cgroup, or its process tree where cgroup v2 is not ours */
static int watch_cmd(struct check_run *r, struct check_env *env,
		     struct cgroup_child *cg, struct ck_report *rep)
{
	int err = cgroup_child_create(cg);

	if (!err) {
		env->filter.cgroup = cg->id;
		r->child.cg = cg;
		rep->watch = "cgroup";
		return 0;
	}
	p_warn("cannot create a cgroup v2 child (%s): following the "
	       "command's process tree instead; sockets of short-lived "
	       "children may be missed",
	       strerror(-err));
	r->tree = calloc(1, sizeof(*r->tree));
	if (!r->tree) {
		p_err("out of memory");
		return TT_EXIT_FAILURE;
	}
	r->child.tree = r->tree;
	rep->watch = "process tree";
	return 0;
}

static int check_args(int argc, char **argv, struct check_env *env)
{
	argc = split_cmd(argc, argv, env);
	if (argp_parse(&argp, argc, argv, 0, NULL, env))
		return TT_EXIT_USAGE;
	if (env->cmd && env->duration_ns)
		return usage_err("--duration is for watching without a "
				 "command: CMD's end stops the check");
	if (env->cmd && env->filter.cgroup)
		return usage_err("--cgroup and a command exclude each other: "
				 "the command gets a cgroup of its own");
	if (env->filter.states)
		return usage_err("--state does not apply: check follows every "
				 "transition of the sockets it watches");
	return 0;
}

/* how the run ended, and what CMD did: into the report */
static void finish_run(struct check_run *r, struct ck_report *rep)
{
	const struct check_env *env = r->env;

	rep->cmd_status = r->status;
	if (!env->cmd || r->status >= 0)
		return;
	rep->interrupted = true;
	rep->interrupted_by = tt_exiting;
	p_warn("interrupted before the command ended: passing %s on to it, "
	       "waiting up to %llus",
	       ck_signal_name(tt_exiting ? tt_exiting : SIGTERM),
	       STOP_WAIT_NS / 1000000000ULL);
	rep->cmd_status = cmd_child_stop(&r->child,
					 tt_exiting ? tt_exiting : SIGTERM,
					 tt_exit_by_group, STOP_WAIT_NS);
}

static int exit_code(const struct ck_report *rep)
{
	switch (ck_verdict(rep)) {
	case CK_INTERRUPTED:
		return rep->interrupted_by ? 128 + rep->interrupted_by :
					     TT_EXIT_FAILURE;
	case CK_FAIL:
		return rep->cmd && rep->cmd_status > 0 ? rep->cmd_status :
							 TT_EXIT_RULE;
	default:
		return TT_EXIT_OK;
	}
}

int do_check(int argc, char **argv)
{
	static struct check_env env;
	struct check_run r = { .env = &env, .status = -1 };
	struct cgroup_child cg = {};
	struct ck_report rep = { .watch = "host" };
	struct report_file json, junit;
	struct stream s;
	int err, rc;

	err = check_args(argc, argv, &env);
	if (err)
		return err;
	open_report(&json, "--json", env.json_path);
	open_report(&junit, "--junit", env.junit_path);
	rep.max_closewait_default = !env.max_closewait_set;
	if (env.cmd) {
		err = watch_cmd(&r, &env, &cg, &rep);
		if (err)
			goto out;
	}
	r.s = &s;
	err = stream_open(&s, &env.lo, &env.filter, &check_ops, &r);
	if (err)
		goto cleanup;
	/*
	 * --pid keeps the records: the kernel matched some transitions by
	 * the task holding the socket's lock, an owner its table may not
	 * know, where the records keep exactly the sockets whose did
	 */
	if (!env.filter.tgid)
		r.socks = check_end_open(&s.tracer, &env.lo, &env.filter,
					 &env.rules);
	if (ck_init(&r.ck, &env.rules, MAX_CONNS,
		    !r.socks ? CK_ENDS_RECORDS :
		    r.tree   ? CK_ENDS_KERNEL_TREE :
			       CK_ENDS_KERNEL)) {
		p_err("out of memory");
		err = TT_EXIT_FAILURE;
		goto cleanup;
	}
	/* attached: a CLOSE_WAIT that began later was seen beginning */
	r.ck.start_ns = now_ns();
	rep.wall_start = time(NULL);
	if (env.cmd) {
		s.no_banner = true;
		err = cmd_child_spawn(&r.child, env.cmd);
		if (err)
			goto cleanup;
	}
	err = stream_run(&s, env.duration_ns);
	if (err)
		goto cleanup;
	finish_run(&r, &rep);
	check_end_walk(r.socks, &env.filter, &r.ck);
	if (r.ck.broken[CK_LEAK])
		check_end_holders(&s.tracer, &env.lo, &r.ck);
	rep.s = &r.ck;
	rep.cmd = env.cmd;
	rep.lost = s.counters.c[TT_CNT_LOST];
	rep.unseen = tt_tracer_missed(&s.tracer) + s.counters.c[TT_CNT_GAP];
	rep.elapsed_ns = now_ns() - s.start_ns;
	rep.grace_ns = env.cmd ? env.grace_ns : 0;
	s.out.len = 0;
	ck_report_text(&s.out, &rep);
	if (write(STDERR_FILENO, s.out.buf, s.out.len) < 0)
		err = TT_EXIT_FAILURE;
	s.out.len = 0;
	/* before the command's cgroup goes, with its name */
	rep.cg = cgroup_fmt_new(env.json_path != NULL);
	rc = write_report(&json, ck_report_json, &rep);
	cgroup_fmt_free(rep.cg);
	rc |= write_report(&junit, ck_report_junit, &rep);
	if (!err)
		err = rc ? rc : exit_code(&rep);
cleanup:
	if (r.child.pid)
		cmd_child_stop(&r.child, SIGTERM, false, STOP_WAIT_NS);
	sockets__close(r.socks);
	stream_close(&s);
	ck_free(&r.ck);
out:
	report_file_abort(&json);
	report_file_abort(&junit);
	cgroup_child_remove(&cg);
	free(r.tree);
	return err;
}
