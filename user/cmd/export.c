// SPDX-License-Identifier: GPL-2.0
/* tcptrail export: the kernel's aggregates as Prometheus metrics over HTTP. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include "cli/aggopts.h"
#include "cli/args.h"
#include "cmd/cmds.h"
#include "cmd/labels.h"
#include "sys/caps.h"
#include "util/common.h"
#include "kernel/histmap.h"
#include "cli/listen_addr.h"
#include "kernel/loader.h"
#include "cli/outopts.h"
#include "util/parse.h"
#include "output/prom.h"
#include "model/service.h"
#include "kernel/iters.h"
#include "cmd/stream.h"
#include "model/tcp_state.h"
#include "cli/filter_opts.h"
#include "cli/loader_opts.h"
#include "sys/httpd.h"
#include "sys/tls.h"

#define DEFAULT_LISTEN "127.0.0.1:9976"
#define SEC_NS 1000000000ULL
#define REFRESH_NS SEC_NS
#define TICK_US 100000
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct export_env {
	struct tt_filter filter;
	struct tt_loader_opts lo;
	struct tt_agg_opts agg;
	struct labels_opt labels;
	char host[LISTEN_HOST_MAX];
	__u16 port;
	__u64 duration_ns;
	__u64 max_conns;
	__u64 timeout_ns;
	bool self;
	const char *web_config;
	const char *user; /* --user: its name, NULL for a bare UID */
	bool as_user;
	uid_t uid;
	gid_t gid;
};

struct exporter {
	const struct export_env *env;
	struct tt_filter filter; /* applied to iterator snapshots */
	struct labels_opt *labels;
	struct tt_tracer t;
	struct sockets *socks;
	__u32 sock_states;
	__u16 eph_lo, eph_hi;
	struct event_base *base;
	struct httpd *httpd;
	struct web_config wc;
	SSL_CTX *ssl;
	struct out body; /* the last rendering, reused within REFRESH_NS */
	__u64 body_at;
	struct prom_last last; /* gauge series of the last rendering */
	__u64 deadline;
	__u64 scrapes;
	int err;
};

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
	"  tcptrail_untracked_total, tcptrail_missed_total, tcptrail_build_info\n"
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

/* per (state, service port): how many sockets, the oldest one's age */
static int gather_sockets(struct exporter *x, struct prom_sockets **out,
			  size_t *n)
{
	struct tt_sock_rec *recs;
	struct prom_sockets *v;
	size_t nrec, len = 0;
	__u64 now = now_ns();
	int err;

	*out = NULL;
	*n = 0;
	if (!x->socks)
		return 0;
	err = sockets__snapshot(x->socks, &recs, &nrec);
	if (err)
		return err;
	v = calloc(nrec + 1, sizeof(*v));
	if (!v) {
		free(recs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nrec; i++) {
		const struct tt_sock_rec *r = &recs[i];
		__u64 age = r->since_ns && r->since_ns <= now ?
				    now - r->since_ns :
				    r->idle_ns;

		if (!tt_filter_match(&x->filter, r->family, r->sport, r->dport,
				     r->netns, r->owner_tgid))
			continue;
		v[len++] = (struct prom_sockets){
			service_port(x->env->agg.agg.key, r->flags, r->sport,
				     r->dport, x->eph_lo, x->eph_hi),
			r->state, 1, age, labels_set(x->labels, r->cgroup_id)
		};
	}
	free(recs);
	*out = v;
	*n = prom_sockets_merge(v, len);
	return 0;
}

static int render(struct exporter *x)
{
	__u64 trans[TT_NSTATES * TT_NSTATES];
	struct prom_input in = {
		.transitions = trans,
		.sock_states = x->sock_states,
		.max_ports = x->env->agg.agg.max_ports,
		.attach = tt_attach_kind_str(x->t.kind),
		.last = &x->last,
	};
	struct hist_entry *hists = NULL;
	struct prom_sockets *socks = NULL;
	struct tt_counters c;
	int err;

	err = histmap_read(tt_tracer_hists_fd(&x->t), x->t.ncpus, &hists,
			   &in.nhists);
	if (!err)
		err = transitions_read(tt_tracer_transitions_fd(&x->t),
				       x->t.ncpus, trans);
	if (!err)
		err = tt_tracer_counters(&x->t, &c);
	if (!err)
		err = gather_sockets(x, &socks, &in.nsocks);
	if (err) {
		p_warn("cannot read the kernel's maps: %s", strerror(-err));
		goto out;
	}
	if (x->labels->on) {
		in.folded = labels_apply(x->labels, hists, &in.nhists, socks,
					 &in.nsocks);
		in.sets = x->labels->sets;
	}
	in.hists = hists;
	in.socks = socks;
	in.lost = c.c[TT_CNT_LOST];
	in.untimed = c.c[TT_CNT_UNTIMED];
	in.untracked = c.c[TT_CNT_UNTRACKED];
	in.missed = tt_tracer_missed(&x->t);
	x->body.len = 0;
	x->body.err = 0;
	prom_render(&x->body, &in);
	err = x->body.err ? -x->body.err : 0;
	if (!err)
		x->body_at = now_ns();
out:
	free(hists);
	free(socks);
	return err;
}

static void send_error(struct evhttp_request *req, int code, const char *why)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
	if (code == HTTP_BADMETHOD)
		evhttp_add_header(h, "Allow", "GET, HEAD");
	if (b)
		evbuffer_add_printf(b, "%d %s\n", code, why);
	httpd_reply(req, code, why, b);
	if (b)
		evbuffer_free(b);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct exporter *x = arg;
	struct evbuffer *b;
	bool metrics;

	if (!path || (strcmp(path, "/metrics") && strcmp(path, "/"))) {
		send_error(req, HTTP_NOTFOUND, "Not Found");
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		send_error(req, HTTP_BADMETHOD, "Method Not Allowed");
		return;
	}
	metrics = !strcmp(path, "/metrics");
	if (metrics && (!x->body_at || now_ns() - x->body_at >= REFRESH_NS) &&
	    render(x)) {
		send_error(req, HTTP_INTERNAL, "Internal Server Error");
		return;
	}
	b = evbuffer_new();
	if (!b) {
		send_error(req, HTTP_INTERNAL, "Internal Server Error");
		return;
	}
	if (metrics) {
		x->scrapes++;
		evhttp_add_header(h, "Content-Type", CONTENT_TYPE);
		evbuffer_add(b, x->body.buf, x->body.len);
	} else {
		evhttp_add_header(h, "Content-Type",
				  "text/html; charset=utf-8");
		evbuffer_add_printf(b, "<html><head><title>tcptrail</title>"
				       "</head><body><h1>tcptrail "
				       "exporter</h1><p><a href=\"/metrics\">"
				       "Metrics</a></p></body></html>\n");
	}
	httpd_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct exporter *x = arg;

	(void)fd;
	(void)what;
	if (tt_exiting || (x->deadline && now_ns() >= x->deadline))
		event_base_loopbreak(x->base);
}

/* bound before the tracer attaches: a taken port fails fast */
static int listen_http(struct exporter *x)
{
	const struct export_env *env = x->env;
	struct httpd_opts o = {
		.host = env->host,
		.port = env->port,
		.timeout_ns = env->timeout_ns,
		.max_conns = env->max_conns,
		.ssl = x->ssl,
		.auth = &x->wc,
		.cb = on_request,
		.arg = x,
	};

	x->base = event_base_new();
	if (!x->base) {
		p_err("cannot set up the HTTP server: out of memory");
		return TT_EXIT_FAILURE;
	}
	x->httpd = httpd_new(x->base, &o);
	if (!x->httpd) {
		p_err("cannot listen on %s%s%s:%u: %s",
		      strchr(env->host, ':') ? "[" : "", env->host,
		      strchr(env->host, ':') ? "]" : "", env->port,
		      strerror(errno));
		return TT_EXIT_FAILURE;
	}
	return 0;
}

static int serve(struct exporter *x)
{
	const struct export_env *env = x->env;
	struct timeval tick = { 0, TICK_US };
	struct httpd_stats st;
	struct event *ev;

	ev = event_new(x->base, -1, EV_PERSIST, on_tick, x);
	if (!ev || event_add(ev, &tick)) {
		p_err("cannot set up a timer");
		if (ev)
			event_free(ev);
		return TT_EXIT_FAILURE;
	}
	fprintf(stderr, "Serving metrics on http%s://%s%s%s:%u/metrics ...%s\n",
		x->ssl ? "s" : "", strchr(env->host, ':') ? "[" : "", env->host,
		strchr(env->host, ':') ? "]" : "", env->port, tt_ctrl_c_hint());
	if (event_base_dispatch(x->base) < 0) {
		p_err("the event loop failed");
		x->err = TT_EXIT_FAILURE;
	}
	event_free(ev);
	httpd_stats(x->httpd, &st);
	fprintf(stderr,
		"tcptrail: %llu scrapes, %llu connections cut at --timeout, "
		"%llu closed at --max-conns\n",
		(unsigned long long)x->scrapes,
		(unsigned long long)st.timed_out,
		(unsigned long long)st.evicted);
	return x->err;
}

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
		err = listen_http(&x);
	if (!err)
		err = tt_tracer_start(&x.t, &env.lo, &env.filter);
	if (err)
		goto out;
	x.socks = sockets__open(&x.t, &env.lo, x.sock_states, env.filter.netns);
	if (!x.socks)
		p_warn("iter/tcp unavailable (%s): no tcptrail_sockets or "
		       "tcptrail_closewait_oldest_seconds",
		       strerror(errno));
	err = drop_privileges(&env);
	if (err)
		goto out;
	if (env.duration_ns)
		x.deadline = now_ns() + env.duration_ns;
	err = serve(&x);
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
