// SPDX-License-Identifier: GPL-2.0
/* tcptrail export: the kernel's aggregates as Prometheus metrics over HTTP. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>
#include "cli/aggopts.h"
#include "cli/args.h"
#include "cmd/cmds.h"
#include "cmd/labels.h"
#include "sys/caps.h"
#include "util/common.h"
#include "cli/listen_addr.h"
#include "kernel/loader.h"
#include "cli/outopts.h"
#include "util/parse.h"
#include "kernel/iters.h"
#include "cmd/stream.h"
#include "model/tcp_state.h"
#include "cli/filter_opts.h"
#include "cli/loader_opts.h"
#include "sys/httpd.h"
#include "sys/tls.h"
#include "cmd/export.h"

#define DEFAULT_LISTEN "127.0.0.1:9976"
#define SEC_NS 1000000000ULL

static const char doc[] =
	"Serve the kernel's histograms and counters as Prometheus metrics.\n"
	"\n"
	"GET /metrics answers in the Prometheus text format:\n"
	"  tcptrail_state_duration_seconds{state,port}  histogram, log2 buckets\n"
	"  tcptrail_transitions_total{from,to}          counter\n"
	"  tcptrail_sockets{state,port}                 gauge, sockets now\n"
	"  tcptrail_closewait_oldest_seconds{port}      gauge\n"
	"  tcptrail_lost_events_total, tcptrail_untimed_total,\n"
	"  tcptrail_label_sets_folded (with --labels)\n"
	"  tcptrail_untracked_total, tcptrail_missed_total,\n"
	"  tcptrail_gaps_total, tcptrail_build_info\n"
	"\n"
	"'port' is the service port (the listening side's; --key changes it).\n"
	"At most --max-ports port values per scrape: the busiest keep their\n"
	"own label, the rest are summed under port=\"other\". The socket gauges\n"
	"come from a walk of the TCP sockets of every network namespace\n"
	"(iter/tcp; --netns: one), at most once a second, so sockets older\n"
	"than tcptrail count too.\n"
	"--labels container adds container_id, pod_uid and qos to the\n"
	"series with a port label, read from the socket's cgroup v2 path\n"
	"(empty outside containers); past --max-containers label sets, the\n"
	"ones with the least traffic are summed under container_id=\"other\".\n"
	"A gauge series whose last socket left shows 0 at the next refresh\n"
	"(a scrape a second or more later), and is gone from the one after.\n"
	"Sockets with the export port at either end, its own HTTP traffic,\n"
	"are not measured unless --self or a port filter names that port.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcptrail export                        # http://127.0.0.1:9976/metrics\n"
	"  tcptrail export --listen 0.0.0.0:9976  # reachable from other hosts\n"
	"  tcptrail export --all-states --lport 80,443\n"
	"  tcptrail export --timeout 2s --max-conns 64\n"
	"  tcptrail export --web.config.file web.yml  # TLS, basic auth\n"
	"  tcptrail export --user nobody          # started as root\n"
	"  tcptrail export --labels container     # per container and pod\n"
	"\v"
	"Only GET and HEAD of / and /metrics: other paths get 404, other\n"
	"methods 405. HEAD gets the headers of GET, Content-Length too, and\n"
	"no body. A connection has --timeout from accept (or from its last\n"
	"answer) to the end of its next answer; then it is closed. At\n"
	"--max-conns, a new connection closes the one that has waited longest\n"
	"for its request, so idle and slow clients cannot keep a scrape out.\n"
	"--web.config.file takes node_exporter's web configuration file:\n"
	"tls_server_config: {cert_file, key_file} (relative to the file) and\n"
	"basic_auth_users: {user: bcrypt hash}; either may be left out.\n"
	"--user: once loaded, listening and its --web.config.file read, export\n"
	"takes that user's UID, GID and groups (a UID without a passwd entry:\n"
	"the GID of the same number, no groups) and keeps CAP_BPF, CAP_PERFMON\n"
	"and CAP_SYS_ADMIN alone, with no_new_privs. It needs root (CAP_SETUID\n"
	"and CAP_SETGID).\n"
	"Exit status: 0 ok, 1 runtime failure, 2 bad usage.";

enum {
	OPT_LISTEN = 0x400,
	OPT_MAX_CONNS,
	OPT_TIMEOUT,
	OPT_SELF,
	OPT_WEB_CONFIG,
	OPT_USER
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Server:", 1 },
	{ "listen", OPT_LISTEN, "ADDR:PORT", 0,
	  "where to serve (default " DEFAULT_LISTEN "; [::1]:PORT for IPv6)",
	  1 },
	{ "max-conns", OPT_MAX_CONNS, "N", 0,
	  "open HTTP connections at most (default 16); past it a new one "
	  "closes the one waiting longest for its request",
	  1 },
	{ "timeout", OPT_TIMEOUT, "TIME", 0,
	  "to read a request and answer it, from accept or from the last "
	  "answer on the connection, e.g. 500ms, 2s; bare numbers are seconds "
	  "(default 10s)",
	  1 },
	{ "self", OPT_SELF, NULL, 0,
	  "measure this exporter's own HTTP connections too (its port is "
	  "left out by default)",
	  1 },
	{ "web.config.file", OPT_WEB_CONFIG, "FILE", 0,
	  "TLS and basic auth, in node_exporter's web configuration format",
	  1 },
	{ "web-config", OPT_WEB_CONFIG, "FILE", OPTION_ALIAS, NULL, 1 },
	{ "user", OPT_USER, "NAME|UID", 0,
	  "run as this user once loaded and listening (needs root)", 1 },
	{ "duration", 'd', "TIME", 0, "stop after TIME", 1 },
	{},
};

static const struct argp_child children[] = {
	{ &agg_argp, 0, NULL, 0 },
	{ &filter_argp, 0, NULL, 0 },
	{ &loader_argp, 0, NULL, 0 },
	{ &labels_argp, 0, NULL, 0 },
	{},
};

/* --user NAME|UID: known now, or a usage error before anything loads */
static void parse_user(struct export_env *env, const char *arg)
{
	const struct passwd *pw;
	const char *why;
	__u64 uid = 0;

	if (!tt_has_cap(CAP_SETUID) || !tt_has_cap(CAP_SETGID))
		exit(usage_err(
			"--user needs root (CAP_SETUID and CAP_SETGID)"));
	errno = 0;
	pw = getpwnam(arg);
	if (!pw && !parse_u64(arg, 0, (uid_t)-2, &uid, &why))
		pw = getpwuid(uid);
	else if (!pw)
		exit(usage_err("invalid --user '%s': no such user", arg));
	env->as_user = true;
	env->user = pw ? strdup(pw->pw_name) : NULL;
	env->uid = pw ? pw->pw_uid : (uid_t)uid;
	env->gid = pw ? pw->pw_gid : (gid_t)uid;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct export_env *env = state->input;
	const char *why;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &env->agg;
		state->child_inputs[1] = &env->filter;
		state->child_inputs[2] = &env->lo;
		state->child_inputs[3] = &env->labels;
		env->max_conns = 16;
		env->timeout_ns = 10 * SEC_NS;
		if (parse_listen_addr(DEFAULT_LISTEN, env->host, &env->port,
				      &why))
			return EINVAL;
		break;
	case OPT_LISTEN:
		if (parse_listen_addr(arg, env->host, &env->port, &why))
			exit(usage_err("invalid --listen '%s': %s", arg, why));
		break;
	case OPT_MAX_CONNS:
		if (parse_u64(arg, 1, 1024, &env->max_conns, &why))
			exit(usage_err("invalid --max-conns '%s': %s", arg,
				       why));
		break;
	case OPT_TIMEOUT:
		env->timeout_ns = opt_duration("--timeout", arg, SEC_NS / 10);
		if (env->timeout_ns > 3600 * SEC_NS)
			exit(usage_err("invalid --timeout '%s': at most 1h",
				       arg));
		break;
	case OPT_SELF:
		env->self = true;
		break;
	case OPT_WEB_CONFIG:
		env->web_config = arg;
		break;
	case OPT_USER:
		parse_user(env, arg);
		break;
	case 'd':
		env->duration_ns = opt_duration("--duration", arg, 1);
		break;
	default:
		return cli_no_args(key, arg);
	}
	return 0;
}

CLI_ARGP(children);

/* before capabilities go: the key may be readable by root only */
static int load_web_config(struct exporter *x)
{
	const char *path = x->env->web_config;
	char err[512];

	if (path && web_config_open(path, &x->wc, &x->ssl, err, sizeof(err))) {
		p_err("invalid --web.config.file: %s", err);
		return TT_EXIT_USAGE;
	}
	return 0;
}

/*
 * Loaded, attached and listening: what a scrape still needs is the bpf()
 * calls on the maps and iterators (CAP_BPF, CAP_PERFMON), setns into
 * each namespace (CAP_SYS_ADMIN), and finding the namespaces that only a
 * process is in: its /proc/PID/ns/net opens with ptrace's read access,
 * which a process with fewer capabilities than its target needs
 * CAP_SYS_PTRACE for. The rest goes, for good; with --user,
 * root goes too, and not becoming that user is fatal: running on as
 * root when asked not to is worse than not running.
 */
static int drop_privileges(const struct export_env *env)
{
	static const int keep[] = { CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN,
				    CAP_SYS_PTRACE };
	int err = 0;

	if (env->as_user)
		err = tt_become_user(env->user, env->uid, env->gid);
	if (err) {
		p_err("cannot become user %u: %s", (unsigned)env->uid,
		      strerror(-err));
		return TT_EXIT_FAILURE;
	}
	err = tt_caps_keep_only(keep, ARRAY_SIZE(keep));
	if (err && env->as_user) {
		p_err("cannot drop capabilities: %s", strerror(-err));
		return TT_EXIT_FAILURE;
	}
	if (err)
		p_warn("cannot drop capabilities: %s", strerror(-err));
	return 0;
}

int do_export(int argc, char **argv)
{
	static struct export_env env;
	struct exporter x = { .env = &env };
	int err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &env))
		return TT_EXIT_USAGE;
	agg_finish(&env.agg, &env.filter);
	if (env.labels.on)
		env.agg.agg.by_cgroup = env.labels.max_sets;
	x.labels = &env.labels;
	if (loader_opts_no_stream(&env.lo))
		return TT_EXIT_USAGE;
	if (!env.self && !tt_filter_names_port(&env.filter, env.port))
		tt_filter_exclude_port(&env.filter, env.port);
	env.lo.agg = &env.agg.agg;
	x.filter = env.filter;
	x.sock_states = env.agg.agg.states | (1U << TCP_CLOSE_WAIT);
	ephemeral_range(&x.eph_lo, &x.eph_hi);
	if (tt_install_signals() || out_init(&x.body, -1, 64 * 1024)) {
		p_err("cannot set up: %s", strerror(errno));
		return TT_EXIT_FAILURE;
	}
	err = load_web_config(&x);
	if (!err)
		err = labels_open(&env.labels);
	if (!err)
		err = export_listen(&x);
	if (!err)
		err = tt_tracer_start(&x.t, &env.lo, &env.filter);
	if (err)
		goto out;
	/* not --cgroup: a time-wait socket has none, and would be left out */
	x.socks = sockets__open(&x.t, &env.lo, x.sock_states, env.filter.netns,
				0);
	if (!x.socks)
		p_warn("iter/tcp unavailable (%s): no tcptrail_sockets or "
		       "tcptrail_closewait_oldest_seconds",
		       strerror(errno));
	err = drop_privileges(&env);
	if (err)
		goto out;
	if (env.duration_ns)
		x.deadline = now_ns() + env.duration_ns;
	err = export_serve(&x);
out:
	httpd_free(x.httpd);
	if (x.base)
		event_base_free(x.base);
	sockets__close(x.socks);
	tt_tracer_stop(&x.t);
	out_free(&x.body);
	prom_last_free(&x.last);
	SSL_CTX_free(x.ssl);
	web_config_free(&x.wc);
	labels_close(&env.labels);
	return err;
}
