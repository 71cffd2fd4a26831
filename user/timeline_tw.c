// SPDX-License-Identifier: GPL-2.0
/*
 * timeline's TIME_WAIT: the tracepoint reports only the hand-off. Where
 * fentry loads, the kernel reports the time-wait socket's end too (an
 * exact length, in every namespace); elsewhere, iter/tcp is read once a
 * second while connections wait, in our own namespace only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "event.h"
#include "tcp_state.h"
#include "timeline.h"

struct tw_ref {
	__u64 id;
};

static __u64 conn_key(const struct tl_conn *c)
{
	return tt_tuple_key(c->family, c->laddr, c->lport, c->raddr, c->rport);
}

void tl_tw_open(struct tl_run *r, struct stream *s,
		const struct tt_loader_opts *lo)
{
	if (s->tracer.tw) {
		r->tw_index =
			idmap__new(r->env->max_conns, sizeof(struct tw_ref));
		r->tw_fentry = r->tw_index != NULL;
		if (r->tw_fentry)
			return;
	}
	r->socks = sockets__open(&s->tracer, lo, 1U << TCP_TIME_WAIT);
	if (!r->socks)
		p_warn("time-wait sockets not followed (iter/tcp: %s): "
		       "TIME_WAIT ends the path, its length unknown",
		       strerror(errno));
}

void tl_tw_close(struct tl_run *r)
{
	sockets__close(r->socks);
	r->socks = NULL;
	idmap__free(r->tw_index);
	r->tw_index = NULL;
}

bool tl_tw_enter(struct tl_run *r, struct tl_conn *c)
{
	struct tw_ref *ref;

	/*
	 * Under churn, time-wait sockets outnumber open connections 60 s to
	 * the second: followed without a bound they would fill the table
	 * and starve new connections. A quarter of it at most; past that,
	 * TIME_WAIT ends the path, its length unknown.
	 */
	if (r->in_time_wait >= r->env->max_conns / 4) {
		r->tw_unfollowed++;
		return false;
	}
	if (r->tw_fentry) {
		ref = idmap__insert(r->tw_index, conn_key(c));
		if (!ref)
			return false;
		ref->id = c->id;
	} else if (!r->socks || c->netns != r->netns) {
		return false;
	}
	c->time_wait = true;
	r->in_time_wait++;
	return true;
}

static void tw_done(struct tl_run *r, struct tl_conn *c, __u64 now)
{
	tl_add_step(c, TCP_TIME_WAIT, now - c->since_ns);
	c->state = TCP_CLOSE;
	c->time_wait = false;
	tl_print_conn(r, c, now, false);
	r->printed++;
	if (r->tw_index)
		idmap__delete(r->tw_index, conn_key(c));
}

void tl_tw_end(struct tl_run *r, const struct tt_event *e)
{
	__u64 key =
		tt_tuple_key(e->family, e->saddr, e->sport, e->daddr, e->dport);
	struct tw_ref *ref = r->tw_index ? idmap__lookup(r->tw_index, key) :
					   NULL;
	struct tl_conn *c = ref ? idmap__lookup(r->conns, ref->id) : NULL;
	__u64 id;

	/* not ours: filtered out, or handed over before we started */
	if (!c || !c->time_wait)
		return;
	id = c->id;
	c->tw_exact = true;
	tw_done(r, c, e->ts_ns);
	idmap__delete(r->conns, id);
	r->in_time_wait--;
}

struct tw_scan {
	struct tl_run *r;
	const __u64 *alive; /* tuple keys of time-wait sockets, sorted */
	size_t nalive;
	__u64 now;
	__u64 *done;
	size_t ndone;
};

static void tw_check_one(void *ctx, __u64 id, void *value)
{
	struct tw_scan *ts = ctx;
	struct tl_conn *c = value;
	__u64 key;

	if (!c->time_wait)
		return;
	key = conn_key(c);
	/* with fentry, the end comes as a record: only the cut-off here */
	if (ts->now - c->since_ns < TW_MAX_NS &&
	    (ts->r->tw_fentry ||
	     bsearch(&key, ts->alive, ts->nalive, sizeof(key), cmp_u64)))
		return;
	/* gone since the last look: TIME_WAIT ended within TW_CHECK_NS */
	tw_done(ts->r, c, ts->now);
	ts->done[ts->ndone++] = id;
}

/* once a second, while connections sit in TIME_WAIT: which are gone? */
void tl_tick(void *ctx, __u64 now)
{
	struct tl_run *r = ctx;
	struct tw_scan ts = { .r = r, .now = now };
	struct tt_sock_rec *recs = NULL;
	__u64 *alive;
	size_t n = 0;

	if (!r->in_time_wait || now < r->next_tw_check)
		return;
	r->next_tw_check = now + TW_CHECK_NS;
	if (!r->tw_fentry && sockets__snapshot(r->socks, &recs, &n))
		return;
	alive = calloc(n + 1, sizeof(*alive));
	ts.done = calloc(r->in_time_wait, sizeof(*ts.done));
	if (alive && ts.done) {
		for (size_t i = 0; i < n; i++)
			alive[i] = tt_tuple_key(recs[i].family, recs[i].saddr,
						recs[i].sport, recs[i].daddr,
						recs[i].dport);
		qsort(alive, n, sizeof(*alive), cmp_u64);
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
