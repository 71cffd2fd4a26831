// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>
#include "sys/httpd.h"

/*
 * evhttp tells us of a connection only when it makes its bufferevent
 * (before the connection object exists) and of a request only once it is
 * read whole. So a connection is known by its bufferevent, on which we
 * hold a reference: the memory stays valid after evhttp frees the
 * connection, which then shows as a bufferevent without callbacks.
 */
TAILQ_HEAD(conn_list, conn);

struct conn {
	TAILQ_ENTRY(conn) link;
	struct httpd *h;
	struct bufferevent *bev;
	struct event *deadline;
	struct conn_list *list; /* waiting or answering */
};

struct httpd {
	struct evhttp *http;
	struct httpd_opts o;
	/* reading a request, the one waiting longest first */
	struct conn_list waiting;
	/* a request read, its answer not yet written */
	struct conn_list answering;
	unsigned int n;
	struct httpd_stats stats;
};

static bool conn_gone(const struct conn *c)
{
	bufferevent_event_cb eventcb;

	bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
	return !eventcb;
}

static void conn_drop(struct conn *c)
{
	TAILQ_REMOVE(c->list, c, link);
	c->h->n--;
	event_free(c->deadline);
	bufferevent_decref(c->bev);
	free(c);
}

/* forget the connections evhttp has closed and freed */
static void sweep(struct conn_list *l)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(l); c; c = next) {
		next = TAILQ_NEXT(c, link);
		if (conn_gone(c))
			conn_drop(c);
	}
}

static void conn_close(struct conn *c)
{
	void *evcon = NULL;

	/* evhttp passes its connection to the bufferevent's callbacks */
	if (!conn_gone(c)) {
		bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
		evhttp_connection_free(evcon);
	}
	conn_drop(c);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	c->h->stats.timed_out += !conn_gone(c);
	conn_close(c);
}

static void to_list(struct conn *c, struct conn_list *l)
{
	if (c->list)
		TAILQ_REMOVE(c->list, c, link);
	TAILQ_INSERT_TAIL(l, c, link);
	c->list = l;
}

static struct timeval tv_of(__u64 ns)
{
	return (struct timeval){ ns / 1000000000, ns % 1000000000 / 1000 };
}

/* a new request may come: from now, timeout_ns to read and answer it */
static void start_wait(struct conn *c, bool now)
{
	struct timeval tv = tv_of(now ? 0 : c->h->o.timeout_ns);

	to_list(c, &c->h->waiting);
	evtimer_add(c->deadline, &tv);
}

static struct conn *find(struct conn_list *l, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev =
		evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	struct conn *c = TAILQ_FIRST(l);

	while (c && c->bev != bev)
		c = TAILQ_NEXT(c, link);
	return c;
}

/* the answer is written: the connection may wait for the next request */
static void on_complete(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;
	struct conn *c = find(&h->answering, req);

	if (c)
		start_wait(c, false);
}

static void unauthorized(struct evhttp_request *req)
{
	struct evkeyvalq *o = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(o, "WWW-Authenticate", "Basic realm=\"tcptrail\"");
	evhttp_add_header(o, "Content-Type", "text/plain; charset=utf-8");
	if (b)
		evbuffer_add_printf(b, "401 Unauthorized\n");
	httpd_reply(req, 401, "Unauthorized", b);
	if (b)
		evbuffer_free(b);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;
	struct conn *c = find(&h->waiting, req);

	if (c) {
		to_list(c, &h->answering);
		evhttp_request_set_on_complete_cb(req, on_complete, h);
		/*
		 * an answer goes out as several TLS records: without this,
		 * Nagle and the peer's delayed ACK add 40 ms to each
		 */
		if (h->o.ssl)
			setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP,
				   TCP_NODELAY, &(int){ 1 }, sizeof(int));
	}
	if (h->o.auth && h->o.auth->nusers &&
	    !web_config_check_basic(
		    h->o.auth,
		    evhttp_find_header(evhttp_request_get_input_headers(req),
				       "Authorization"))) {
		unauthorized(req);
		return;
	}
	h->o.cb(req, h->o.arg);
}

static struct bufferevent *new_bev(struct httpd *h, struct event_base *base)
{
	struct bufferevent *bev;
	SSL *ssl;

	if (!h->o.ssl)
		return bufferevent_socket_new(base, -1, 0);
	ssl = SSL_new(h->o.ssl);
	if (!ssl)
		return NULL;
	/* the handshake runs under the connection's deadline like a request */
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
					     BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		SSL_free(ssl);
	return bev;
}

/* called on accept, before evhttp makes the connection */
static struct bufferevent *on_accept(struct event_base *base, void *arg)
{
	struct httpd *h = arg;
	struct conn *c = calloc(1, sizeof(*c));
	bool full;

	if (!c)
		return NULL; /* evhttp makes a bufferevent of its own */
	c->h = h;
	c->bev = new_bev(h, base);
	c->deadline = evtimer_new(base, on_deadline, c);
	if (!c->bev || !c->deadline) {
		if (c->bev)
			bufferevent_free(c->bev);
		if (c->deadline)
			event_free(c->deadline);
		free(c);
		return NULL;
	}
	bufferevent_incref(c->bev);
	sweep(&h->waiting);
	sweep(&h->answering);
	full = h->n >= h->o.max_conns;
	if (full && !TAILQ_EMPTY(&h->waiting)) {
		h->stats.evicted++;
		conn_close(TAILQ_FIRST(&h->waiting));
		full = false;
	}
	/* all busy answering: this one is closed as soon as it is made */
	h->stats.evicted += full;
	h->n++;
	start_wait(c, full);
	return c->bev;
}

struct httpd *httpd_new(struct event_base *base, const struct httpd_opts *o)
{
	struct httpd *h = calloc(1, sizeof(*h));
	struct timeval tv = tv_of(o->timeout_ns + 1000000000);

	if (!h)
		return NULL;
	h->o = *o;
	TAILQ_INIT(&h->waiting);
	TAILQ_INIT(&h->answering);
	h->http = evhttp_new(base);
	if (!h->http) {
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	evhttp_set_allowed_methods(h->http, 0xffff);
	/*
	 * evhttp's own timeout restarts with every byte read or written: a
	 * second past ours, it never fires first
	 */
	evhttp_set_timeout_tv(h->http, &tv);
	evhttp_set_max_headers_size(h->http, 8192);
	evhttp_set_max_body_size(h->http, 4096);
	evhttp_set_gencb(h->http, on_request, h);
	evhttp_set_bevcb(h->http, on_accept, h);
	if (!evhttp_bind_socket_with_handle(h->http, o->host, o->port)) {
		int err = errno;

		httpd_free(h);
		errno = err;
		return NULL;
	}
	return h;
}

void httpd_stats(const struct httpd *h, struct httpd_stats *s)
{
	*s = h->stats;
}

void httpd_free(struct httpd *h)
{
	struct conn *c;

	if (!h)
		return;
	evhttp_free(h->http); /* frees every connection */
	while ((c = TAILQ_FIRST(&h->waiting)))
		conn_drop(c);
	while ((c = TAILQ_FIRST(&h->answering)))
		conn_drop(c);
	free(h);
}

void httpd_reply(struct evhttp_request *req, int code, const char *reason,
		 struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char len[24];

	/* libevent 2.1 would write the body after a HEAD reply, unannounced */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		snprintf(len, sizeof(len), "%zu",
			 body ? evbuffer_get_length(body) : 0);
		evhttp_remove_header(h, "Content-Length");
		evhttp_add_header(h, "Content-Length", len);
		body = NULL;
	}
	evhttp_send_reply(req, code, reason, body);
}
