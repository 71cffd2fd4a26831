/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An evhttp server whose slow or idle clients cannot hold up the others:
 * each request must arrive whole within a deadline, and a full connection
 * table makes room by closing a waiting connection rather than by no
 * longer accepting.
 */
#ifndef __TT_HTTPD_H
#define __TT_HTTPD_H

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ssl.h>
#include "util/common.h"
#include "sys/webconfig.h"

struct httpd_opts {
	const char *host;
	__u16 port;
	/*
	 * From accept, or from the end of the last answer on a kept-alive
	 * connection, to the end of the next answer: past it the
	 * connection is closed, whatever it was doing.
	 */
	__u64 timeout_ns;
	unsigned int max_conns;
	SSL_CTX *ssl; /* TLS on every connection, if set */
	struct web_config *auth; /* its users, if any, must log in */
	void (*cb)(struct evhttp_request *req, void *arg);
	void *arg;
};

struct httpd_stats {
	__u64 timed_out; /* closed at the deadline */
	__u64 evicted; /* closed to make room for a new one */
};

struct httpd;

/* NULL and errno on error (bind: errno of the failed bind) */
struct httpd *httpd_new(struct event_base *base, const struct httpd_opts *o);
void httpd_stats(const struct httpd *h, struct httpd_stats *s);
void httpd_free(struct httpd *h);

/*
 * evhttp_send_reply(), but a HEAD request gets the headers GET would get,
 * its Content-Length included, and no body.
 */
void httpd_reply(struct evhttp_request *req, int code, const char *reason,
		 struct evbuffer *body);

#endif /* __TT_HTTPD_H */
