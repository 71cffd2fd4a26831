// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "cmd/check_end.h"
#include "cmd/stream.h"
#include "kernel/who_holds.h"
#include "model/tcp_state.h"
#include "util/common.h"

struct sockets *check_end_open(const struct tt_tracer *t,
			       const struct tt_loader_opts *lo,
			       const struct tt_filter *f,
			       const struct ck_rules *rules)
{
	__u32 states = 1U << TCP_CLOSE_WAIT;

	if (rules->fail_on_open)
		for (int st = TCP_ESTABLISHED; st <= TCP_CLOSING; st++)
			if (st != TCP_CLOSE && st != TCP_LISTEN)
				states |= 1U << st;
	return sockets__open(t, lo, states, 0, f->cgroup);
}

struct end_walk {
	const struct tt_filter *f;
	struct ck_state *ck;
	__u64 now;
};

static bool end_sock(void *ctx, const struct tt_sock_rec *rec)
{
	struct end_walk *w = ctx;

	/*
	 * The kernel made the tracer's table entries (sock_id) only for
	 * sockets the address, namespace and cgroup filters let through,
	 * and the walk only gives those in --cgroup; ports and --pid it
	 * applies per event, so they are applied here again: the owner is
	 * the tracer's, unchanged since the socket's last transition.
	 */
	if (tt_filter_match(w->f, rec->family, rec->sport, rec->dport,
			    rec->netns, rec->owner_tgid))
		ck_finish_sock(w->ck, rec, w->now);
	return true;
}

static bool walked(void *ctx, __u32 netns)
{
	return sockets__walked(ctx, netns);
}

void check_end_walk(struct sockets *socks, const struct tt_filter *f,
		    struct ck_state *ck)
{
	struct end_walk w = { f, ck, now_ns() };
	int err;

	if (socks) {
		err = sockets__for_each(socks, end_sock, &w);
		if (err)
			p_warn("cannot list the sockets still open: %s",
			       strerror(-err));
	}
	ck_finish(ck, w.now, walked, socks);
}

void check_end_holders(const struct tt_tracer *t,
		       const struct tt_loader_opts *lo, struct ck_state *ck)
{
	struct who_holds *w = who_holds__open(t, lo, 0);
	struct who_key *k = calloc(ck->nv + 1, sizeof(*k));
	struct who *found = calloc(ck->nv + 1, sizeof(*found));

	if (k && found) {
		for (size_t i = 0; i < ck->nv; i++) {
			const struct ck_violation *v = &ck->v[i];

			who_key_set(&k[i], v->ino, v->netns, v->family,
				    v->laddr, v->lport, v->raddr, v->rport);
		}
		if (!who_holds__find(w, k, ck->nv, found))
			for (size_t i = 0; i < ck->nv; i++) {
				if (ck->v[i].rule == CK_LEAK)
					ck->v[i].now = found[i];
				else
					who_free(&found[i], 1);
			}
	}
	free(found);
	free(k);
	who_holds__close(w);
}
