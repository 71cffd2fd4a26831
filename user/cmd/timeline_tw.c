// SPDX-License-Identifier: GPL-2.0
/*
 * timeline's TIME_WAIT: the tracepoint reports only the hand-off. Where
 * fentry loads, the kernel reports the time-wait socket's end too (an
 * exact length, in every namespace); elsewhere, tcptrail looks once a
 * second for each socket it follows (user/kernel/tw_lookup.c, or where that does
 * not load, a walk of iter/tcp), in our own namespace only.
 *
 * A connection our side closed first is handed off before the peer's FIN
 * when the application let go of it (an orphaned FIN_WAIT2): the
 * time-wait socket then sits in FIN_WAIT2 until that FIN, and only then
 * in TIME_WAIT; if the FIN never comes, tcp_fin_timeout ends it. The
 * lookups and the walk read its substate, and the kernel's timer when
 * the FIN came; fentry reads the substate it ended in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/common.h"
#include "model/event.h"
#include "model/tcp_state.h"
#include "cmd/timeline.h"
#include "kernel/tw_lookup.h"

struct tw_ref {
	__u64 id;
};

static void conn_tuple(const struct tl_conn *c, struct tt_tuple *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->saddr, c->laddr, sizeof(k->saddr));
	memcpy(k->daddr, c->raddr, sizeof(k->daddr));
	k->sport = c->lport;
	k->dport = c->rport;
	k->family = c->family;
}

static __u64 conn_key(const struct tl_conn *c)
{
	return tt_tuple_key(c->family, c->laddr, c->lport, c->raddr, c->rport);
}

/*
 * Under churn, time-wait sockets outnumber open connections 60 s to the
 * second: followed without a bound they would fill the table and starve
 * new connections. A quarter of it at most; past that, TIME_WAIT ends the
 * path, its length unknown.
 */
static __u32 tw_max(const struct tl_run *r)
{
	return r->env->max_conns / 4 ? r->env->max_conns / 4 : 1;
}

/* a time-wait socket's state in the walk is its substate */
static struct sockets *tw_walk(struct stream *s,
			       const struct tt_loader_opts *lo)
{
	return sockets__open(&s->tracer, lo,
			     1U << TCP_TIME_WAIT | 1U << TCP_FIN_WAIT2,
			     TT_NETNS_SELF, 0);
}

/*
 * fentry reports every time-wait socket's end, in every namespace, but
 * not an orphaned FIN_WAIT2's FIN: the lookups by tuple, or else the
 * iter/tcp walk, bring that (in our namespace), with fentry or without.
 */
/* net.ipv4.tcp_fin_timeout here, in ns; 0 if it cannot be read */
static __u64 fin_timeout_ns(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_fin_timeout", "r");
	unsigned long s = 0;

	if (f) {
		if (fscanf(f, "%lu", &s) != 1)
			s = 0;
		fclose(f);
	}
	return s * 1000000000ULL;
}

void tl_tw_open(struct tl_run *r, struct stream *s,
		const struct tt_loader_opts *lo)
{
	r->fin_timeout_ns = fin_timeout_ns();
	r->lookup = tw_lookup__open(lo, tw_max(r));
	if (s->tracer.tw || r->lookup) {
		r->tw_index = idmap__new(tw_max(r), sizeof(struct tw_ref));
		r->tw_fentry = r->tw_index && s->tracer.tw;
		if (r->tw_index && r->lookup)
			p_info("time-wait sockets looked up by tuple once a "
			       "second (tw_lookup)%s",
			       r->tw_fentry ? ": for the peer's FIN" : "");
		if (r->tw_fentry && !r->lookup)
			r->socks = tw_walk(s, lo);
		if (r->tw_index)
			return;
	}
	if (!s->tracer.tw)
		p_info("time-wait sockets by tuple (tw_lookup): %s: walking "
		       "iter/tcp instead",
		       strerror(errno));
	tw_lookup__close(r->lookup);
	r->lookup = NULL;
	r->socks = tw_walk(s, lo);
	if (!r->socks)
		p_warn("time-wait sockets not followed (iter/tcp: %s): "
		       "TIME_WAIT ends the path, its length unknown",
		       strerror(errno));
}

void tl_tw_close(struct tl_run *r)
{
	sockets__close(r->socks);
	r->socks = NULL;
	tw_lookup__close(r->lookup);
	r->lookup = NULL;
	idmap__free(r->tw_index);
	r->tw_index = NULL;
}

/*
 * An orphaned FIN_WAIT2 goes on past the hand-off: its last step
 * (FIN_WAIT2 until the hand-off) becomes the current state again.
 */
static void orphan_go_on(struct tl_conn *c)
{
	int n = tl_nsteps(c);
	struct tl_step last = n ? tl_step(c, n - 1) : (struct tl_step){ 0 };

	c->state = TCP_FIN_WAIT2;
	if (!n || last.state != TCP_FIN_WAIT2)
		return;
	if (last.ns == TT_DELTA_UNKNOWN || last.ns > c->since_ns)
		c->since_unknown = true;
	else
		c->since_ns -= last.ns;
	tl_reopen_last(c);
}

/* the orphaned FIN_WAIT2 got the peer's FIN at 'at': TIME_WAIT from then */
static void peer_fin(struct tl_conn *c, __u64 at, bool inferred)
{
	if (c->state != TCP_FIN_WAIT2)
		return;
	tl_end_state(c, TCP_TIME_WAIT, at);
	c->tw_substate = TCP_TIME_WAIT;
	c->fin_inferred = inferred;
}

bool tl_tw_enter(struct tl_run *r, struct tl_conn *c)
{
	struct tw_ref *ref;
	struct tt_tuple k;
	int err;

	if (r->in_time_wait >= r->env->max_conns / 4) {
		r->tw_unfollowed++;
		return false;
	}
	if (r->tw_index) {
		bool looked_up = r->lookup && c->netns == r->netns;

		/* the lookups see our namespace; fentry sees them all */
		if (!looked_up && !r->tw_fentry)
			return false;
		ref = idmap__insert(r->tw_index, conn_key(c));
		if (!ref)
			return false;
		ref->id = c->id;
		conn_tuple(c, &k);
		/* EEXIST: still followed for the tuple's last connection */
		err = looked_up ? tw_lookup__follow(r->lookup, &k, true,
						    c->tw_substate ?:
							    TCP_TIME_WAIT) :
				  0;
		if (err && err != -EEXIST) {
			idmap__delete(r->tw_index, conn_key(c));
			return false;
		}
	} else if (!r->socks || c->netns != r->netns) {
		return false;
	}
	c->time_wait = true;
	if (c->tw_substate == TCP_FIN_WAIT2)
		orphan_go_on(c);
	r->in_time_wait++;
	return true;
}

static void tw_done(struct tl_run *r, struct tl_conn *c, __u64 now)
{
	/*
	 * Still FIN_WAIT2: the peer never closed. tcp_fin_timeout ends it
	 * that long after FIN_WAIT2 began (to a look's second); earlier, the
	 * peer's RST, new data or SYN, or its namespace's end cut it short.
	 */
	if (c->state == TCP_FIN_WAIT2) {
		__u64 lived = c->since_unknown || now < c->since_ns ?
				      0 :
				      now - c->since_ns;

		c->fin_timeout = r->fin_timeout_ns &&
				 lived + TW_CHECK_NS >= r->fin_timeout_ns;
		c->fin_cut_short = !c->fin_timeout;
	}
	tl_end_state(c, TCP_CLOSE, now);
	c->time_wait = false;
	r->rep->conn(&r->fc, c, now, false);
	r->printed++;
	if (r->tw_index)
		idmap__delete(r->tw_index, conn_key(c));
}

static struct tl_conn *followed(struct tl_run *r, __u64 key)
{
	struct tw_ref *ref = r->tw_index ? idmap__lookup(r->tw_index, key) :
					   NULL;
	struct tl_conn *c = ref ? idmap__lookup(r->conns, ref->id) : NULL;

	return c && c->time_wait ? c : NULL;
}

static void tw_end(struct tl_run *r, __u64 key, __u64 now, bool exact)
{
	struct tw_ref *ref = r->tw_index ? idmap__lookup(r->tw_index, key) :
					   NULL;
	struct tl_conn *c = ref ? idmap__lookup(r->conns, ref->id) : NULL;
	__u64 id;

	/* not ours: filtered out, or handed over before we started */
	if (!c || !c->time_wait)
		return;
	id = c->id;
	c->tw_exact = exact;
	tw_done(r, c, now);
	idmap__delete(r->conns, id);
	r->in_time_wait--;
}

void tl_tw_end(struct tl_run *r, const struct tt_event *e)
{
	__u64 key =
		tt_tuple_key(e->family, e->saddr, e->sport, e->daddr, e->dport);
	struct tl_conn *c = followed(r, key);

	/*
	 * It got the peer's FIN while nothing looked: TIME_WAIT lasts
	 * TCP_TIMEWAIT_LEN from that FIN, unless a new connection or the
	 * namespace's end cut it short: an estimate.
	 */
	if (c && c->state == TCP_FIN_WAIT2 && e->tw_substate == TCP_TIME_WAIT)
		peer_fin(c,
			 e->ts_ns > c->since_ns + TCP_TIMEWAIT_LEN_NS ?
				 e->ts_ns - TCP_TIMEWAIT_LEN_NS :
				 c->since_ns,
			 true);
	tw_end(r, key, e->ts_ns, true);
}

void tl_tw_taken(struct tl_run *r, __u64 key, __u64 when)
{
	if (r->tw_index && idmap__lookup(r->tw_index, key))
		tw_end(r, key, when, false);
}

struct news_ctx {
	struct tl_run *r;
	__u64 now;
};

/* gone since the last look (ended within TW_CHECK_NS), or the peer's FIN */
static void lookup_news(void *ctx, const struct tt_tw_report *n)
{
	struct news_ctx *g = ctx;
	const struct tt_tuple *k = &n->k;
	__u64 key =
		tt_tuple_key(k->family, k->saddr, k->sport, k->daddr, k->dport);
	struct tl_conn *c;

	if (n->news == TT_TW_GONE) {
		/* with fentry its record has the exact end: wait for it */
		if (!g->r->tw_fentry)
			tw_end(g->r, key, g->now, false);
		return;
	}
	c = followed(g->r, key);
	if (c && n->news == TT_TW_PEER_FIN)
		peer_fin(c, n->at_ns && n->at_ns <= g->now ? n->at_ns : g->now,
			 !n->at_ns);
}

/* a time-wait socket the walk found */
struct tw_alive {
	__u64 key; /* its tuple key: sorted by it */
	__u64 since_ns; /* entered TIME_WAIT (its substate), 0 if unknown */
	__u8 state; /* its substate: FIN_WAIT2 or TIME_WAIT */
};

static int cmp_alive(const void *a, const void *b)
{
	return cmp_u64(&((const struct tw_alive *)a)->key,
		       &((const struct tw_alive *)b)->key);
}

struct tw_scan {
	struct tl_run *r;
	const struct tw_alive *alive; /* sorted by key */
	size_t nalive;
	__u64 now;
	__u64 *done;
	size_t ndone;
};

static void tw_check_one(void *ctx, __u64 id, void *value)
{
	struct tw_scan *ts = ctx;
	struct tl_conn *c = value;
	struct tw_alive *a = NULL, k;

	if (!c->time_wait)
		return;
	k.key = conn_key(c);
	if (!ts->r->lookup && ts->nalive)
		a = bsearch(&k, ts->alive, ts->nalive, sizeof(k), cmp_alive);
	if (a && a->state == TCP_TIME_WAIT)
		peer_fin(c,
			 a->since_ns && a->since_ns <= ts->now ? a->since_ns :
								 ts->now,
			 !a->since_ns);
	/* with fentry, the end comes as a record: only the cut-off here */
	if (ts->now - c->since_ns < TW_MAX_NS &&
	    (ts->r->tw_fentry || ts->r->lookup || a))
		return;
	/* gone since the last look: TIME_WAIT ended within TW_CHECK_NS */
	if (ts->r->lookup) {
		struct tt_tuple k;

		conn_tuple(c, &k);
		tw_lookup__follow(ts->r->lookup, &k, false, 0);
	}
	tw_done(ts->r, c, ts->now);
	ts->done[ts->ndone++] = id;
}

/* once a second, while connections sit in TIME_WAIT: which are gone? */
void tl_tick(void *ctx, __u64 now)
{
	struct tl_run *r = ctx;
	struct tw_scan ts = { .r = r, .now = now };
	struct tt_sock_rec *recs = NULL;
	struct tw_alive *alive;
	size_t n = 0;

	if (!r->in_time_wait || now < r->next_tw_check)
		return;
	r->next_tw_check = now + TW_CHECK_NS;
	if (r->lookup) {
		struct news_ctx g = { .r = r, .now = now };

		int err = tw_lookup__run(r->lookup, lookup_news, &g);

		if (err && !r->lookup_failed) {
			p_warn("looking up time-wait sockets: %s: their "
			       "TIME_WAIT ends at the %d s cut-off",
			       strerror(-err), (int)(TW_MAX_NS / 1000000000));
			r->lookup_failed = true;
		}
	} else if (r->socks && sockets__snapshot(r->socks, &recs, &n)) {
		return;
	}
	alive = calloc(n + 1, sizeof(*alive));
	ts.done = calloc(r->in_time_wait, sizeof(*ts.done));
	if (alive && ts.done) {
		for (size_t i = 0; i < n; i++) {
			alive[i].key = tt_tuple_key(
				recs[i].family, recs[i].saddr, recs[i].sport,
				recs[i].daddr, recs[i].dport);
			alive[i].since_ns = recs[i].since_ns;
			alive[i].state = recs[i].state;
		}
		qsort(alive, n, sizeof(*alive), cmp_alive);
		ts.alive = alive;
		ts.nalive = n;
		idmap__for_each(r->conns, tw_check_one, &ts);
		for (size_t i = 0; i < ts.ndone; i++)
			idmap__delete(r->conns, ts.done[i]);
		r->in_time_wait -= ts.ndone;
	}
	free(ts.done);
	free(alive);
	free(recs);
}
