// SPDX-License-Identifier: GPL-2.0
/* export's HTTP side: each scrape renders the kernel's aggregates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include "cmd/export.h"
#include "cmd/stream.h"
#include "kernel/histmap.h"
#include "model/service.h"
#include "model/tcp_state.h"
#include "util/common.h"

#define SEC_NS 1000000000ULL
#define REFRESH_NS SEC_NS
#define TICK_US 100000
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

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
	in.gaps = c.c[TT_CNT_GAP];
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

int export_listen(struct exporter *x)
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

int export_serve(struct exporter *x)
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
