/* SPDX-License-Identifier: GPL-2.0 */
/* What export.c (options, set-up, privileges) shares with export_serve.c. */
#ifndef __TT_EXPORT_H
#define __TT_EXPORT_H

#include <stdbool.h>
#include <sys/types.h>
#include "cli/aggopts.h"
#include "cli/listen_addr.h"
#include "cmd/labels.h"
#include "kernel/iters.h"
#include "kernel/loader.h"
#include "model/filter.h"
#include "output/out.h"
#include "output/prom.h"
#include "sys/httpd.h"
#include "sys/tls.h"

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

/* bound before the tracer attaches: a taken port fails fast */
int export_listen(struct exporter *x);
/* serves scrapes until a signal or the deadline; the exit status */
int export_serve(struct exporter *x);

#endif /* __TT_EXPORT_H */
