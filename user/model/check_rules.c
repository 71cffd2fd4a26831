// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "model/check_rules.h"
#include "util/common.h"
#include "model/event.h"
#include "model/tcp_state.h"

struct ck_conn {
	/* entered its current state: all a record keeps in CK_ENDS_KERNEL_TREE */
	__u64 since_ns;
	__u64 cw_since; /* entered CLOSE_WAIT, or 0 */
	__u32 pid;
	char comm[TT_COMM_LEN];
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 service;
	__u32 netns;
	__u64 cgroup_id;
	__u8 laddr[TT_ADDR_LEN];
	__u8 raddr[TT_ADDR_LEN];
	__u8 state;
};

static const char *const rule_names[CK_RULES] = {
	[CK_MAX_CLOSEWAIT] = "max_closewait",
	[CK_LEAK] = "leak",
	[CK_OPEN] = "open",
};

const char *ck_rule_str(enum ck_rule r)
{
	return r < CK_RULES ? rule_names[r] : "?";
}

int ck_init(struct ck_state *s, const struct ck_rules *r, size_t max_conns,
	    enum ck_ends ends)
{
	memset(s, 0, sizeof(*s));
	s->rules = *r;
	s->ends = ends;
	s->rec_size = ends == CK_ENDS_RECORDS ?
			      sizeof(struct ck_conn) :
			      sizeof(((struct ck_conn *)0)->since_ns);
	ephemeral_range(&s->eph_lo, &s->eph_hi);
	s->conns = idmap__new(max_conns, s->rec_size);
	s->cw = portstats__new(1 << 20);
	s->port_conns = calloc(65536, sizeof(*s->port_conns));
	s->v = calloc(CK_MAX_VIOLATIONS, sizeof(*s->v));
	if (!s->conns || !s->cw || !s->port_conns || !s->v) {
		ck_free(s);
		return -1;
	}
	return 0;
}

void ck_free(struct ck_state *s)
{
	idmap__free(s->conns);
	portstats__free(s->cw);
	free(s->port_conns);
	for (size_t i = 0; s->v && i < s->nv; i++)
		who_free(&s->v[i].now, 1);
	free(s->v);
	netns_count_free(&s->cw_netns);
	netns_count_free(&s->cw_found);
	netns_count_free(&s->open_netns);
	netns_count_free(&s->open_found);
	memset(s, 0, sizeof(*s));
}

/* counted always, kept while there is room: NULL when not kept */
static struct ck_violation *violate(struct ck_state *s, enum ck_rule rule,
				    const struct ck_conn *c, __u64 ns)
{
	struct ck_violation *v;

	s->broken[rule]++;
	if (s->nv == CK_MAX_VIOLATIONS)
		return NULL;
	v = &s->v[s->nv++];
	v->rule = rule;
	v->service = c->service;
	v->family = c->family;
	v->netns = c->netns;
	v->cgroup_id = c->cgroup_id;
	v->lport = c->lport;
	v->rport = c->rport;
	memcpy(v->laddr, c->laddr, TT_ADDR_LEN);
	memcpy(v->raddr, c->raddr, TT_ADDR_LEN);
	/* the state the time was spent in, or the one the grace ended in */
	v->state = rule == CK_MAX_CLOSEWAIT ? TCP_CLOSE_WAIT : c->state;
	v->pid = c->pid;
	memcpy(v->comm, c->comm, TT_COMM_LEN);
	v->ns = ns;
	return v;
}

/* what the event says of its socket, over what was kept of it */
static void conn_fill(struct ck_state *s, struct ck_conn *c,
		      const struct tt_event *e)
{
	const char *comm;
	__u32 pid;

	c->family = e->family;
	c->netns = e->netns;
	c->cgroup_id = e->cgroup_id;
	c->service = service_port(s->rules.key, e->flags, e->sport, e->dport,
				  s->eph_lo, s->eph_hi);
	/* the tuple fills in as the connection is set up */
	c->lport = e->sport;
	c->rport = e->dport;
	memcpy(c->laddr, e->saddr, TT_ADDR_LEN);
	memcpy(c->raddr, e->daddr, TT_ADDR_LEN);
	pid = tt_event_who(e, &comm);
	if (pid) {
		c->pid = pid;
		memcpy(c->comm, comm, TT_COMM_LEN);
	}
	c->state = e->newstate;
	c->since_ns = e->ts_ns;
}

/*
 * A record is kept only for what the end of the run must see: a socket
 * in CLOSE_WAIT (a leak, if it stays), and with --fail-on-open every
 * open one. The rest needs none: the kernel times each state, and the
 * event names the socket. So memory follows the sockets in CLOSE_WAIT,
 * not the connections open. Where the kernel lists the sockets at the
 * end, none is needed, but to say which are CMD's when its process tree
 * is followed.
 */
static bool kept(const struct ck_state *s, __u8 state)
{
	if (state == TCP_CLOSE || s->ends == CK_ENDS_KERNEL)
		return false;
	return state == TCP_CLOSE_WAIT ||
	       (s->rules.fail_on_open && state != TCP_LISTEN);
}

/*
 * A CLOSE_WAIT episode ends. One that began before tracing did (its start
 * unseen) lasted at least since then: it breaks --max-closewait only if
 * even that lower bound does, never on a guess. One with a step unseen
 * on either side has no time: the report says the steps unseen.
 */
static void closewait_ended(struct ck_state *s, const struct ck_conn *c,
			    const struct tt_event *e)
{
	__u64 max = s->rules.max_closewait_ns, ns;
	struct ck_violation *v;

	s->episodes++;
	if (tt_event_after_gap(e)) {
		s->untimed++;
		return;
	}
	if (e->delta_ns != TT_DELTA_UNKNOWN || c->cw_since) {
		ns = e->delta_ns != TT_DELTA_UNKNOWN ? e->delta_ns :
						       e->ts_ns - c->cw_since;
		portstats__add(s->cw, c->service, ns);
		if (max && ns > max)
			violate(s, CK_MAX_CLOSEWAIT, c, ns);
	} else {
		s->predating++;
		ns = e->ts_ns > s->start_ns ? e->ts_ns - s->start_ns : 0;
		if (max && ns > max &&
		    (v = violate(s, CK_MAX_CLOSEWAIT, c, ns)))
			v->at_least = true;
	}
}

/* open, and not in CLOSE_WAIT: what --fail-on-open alone fails on */
static bool open_state(__u8 state)
{
	return state != TCP_CLOSE && state != TCP_LISTEN &&
	       state != TCP_CLOSE_WAIT;
}

/*
 * Where the kernel lists the sockets at the end, a namespace the walk
 * cannot enter must hide no leak (nor open socket): the events count them
 * per namespace.
 */
static void count_netns(struct ck_state *s, const struct tt_event *e)
{
	if (s->ends == CK_ENDS_RECORDS)
		return;
	netns_count_step(&s->cw_netns, e, netns_count_closewait);
	if (s->rules.fail_on_open)
		netns_count_step(&s->open_netns, e, open_state);
}

void ck_event(struct ck_state *s, const struct tt_event *e)
{
	/* the kernel's first sight of the socket: no time in its old state */
	bool first = !e->seen_state && e->newstate != TCP_CLOSE &&
		     e->newstate != TCP_LISTEN;
	bool cw_left = e->oldstate == TCP_CLOSE_WAIT ||
		       e->seen_state == TCP_CLOSE_WAIT;
	struct ck_conn tmp, *c;
	void *rec;

	if (!e->sock_id)
		return; /* no per-socket state: counted by the kernel */
	count_netns(s, e);
	rec = idmap__lookup(s->conns, e->sock_id);
	if (!rec && kept(s, e->newstate)) {
		rec = idmap__insert(s->conns, e->sock_id);
		if (!rec)
			s->dropped++;
	}
	/* most steps: nothing to count, keep or judge */
	if (!rec && !first && !cw_left)
		return;
	/* a whole record is used in place; a part, through a copy */
	if (rec && s->rec_size == sizeof(*c)) {
		c = rec;
	} else {
		memset(&tmp, 0, sizeof(tmp));
		if (rec)
			memcpy(&tmp, rec, s->rec_size);
		c = &tmp;
	}
	conn_fill(s, c, e);
	if (first) {
		s->connections++;
		s->port_conns[c->service]++;
	}
	if (e->newstate == TCP_CLOSE_WAIT)
		c->cw_since = e->ts_ns;
	if (cw_left) {
		closewait_ended(s, c, e);
		c->cw_since = 0;
	}
	if (rec && !kept(s, e->newstate))
		idmap__delete(s->conns, e->sock_id);
	else if (rec && c == &tmp)
		memcpy(rec, c, s->rec_size);
}

struct finish_ctx {
	struct ck_state *s;
	__u64 now;
};

static void finish_one(void *ctx, __u64 id, void *value)
{
	struct finish_ctx *f = ctx;
	struct ck_conn *c = value;

	(void)id;
	if (c->state == TCP_CLOSE_WAIT)
		violate(f->s, CK_LEAK, c, f->now - c->cw_since);
	else if (f->s->rules.fail_on_open && c->state != TCP_LISTEN)
		violate(f->s, CK_OPEN, c, f->now - c->since_ns);
}

void ck_finish_sock(struct ck_state *s, const struct tt_sock_rec *r,
		    __u64 now_ns)
{
	struct ck_conn c = { 0 };
	struct ck_violation *v;
	const void *kept;
	bool leak = r->state == TCP_CLOSE_WAIT;
	__u64 since;

	/* never in the tracer's table: before it, or ruled out there */
	if (!r->sock_id || (!leak && !open_state(r->state)))
		return;
	kept = idmap__lookup(s->conns, r->sock_id);
	if (!kept && s->ends == CK_ENDS_KERNEL_TREE)
		return; /* not CMD's */
	if (!leak && !s->rules.fail_on_open)
		return;
	netns_count_add(leak ? &s->cw_found : &s->open_found, r->netns, 1);
	c.family = r->family;
	c.netns = r->netns;
	c.cgroup_id = r->cgroup_id;
	c.service = service_port(s->rules.key, r->flags, r->sport, r->dport,
				 s->eph_lo, s->eph_hi);
	c.lport = r->sport;
	c.rport = r->dport;
	memcpy(c.laddr, r->saddr, TT_ADDR_LEN);
	memcpy(c.raddr, r->daddr, TT_ADDR_LEN);
	c.pid = r->owner_tgid;
	memcpy(c.comm, r->owner_comm, TT_COMM_LEN);
	c.state = r->state;
	/* the kernel's time in its state, 0 if it did not see it entered */
	since = r->since_ns;
	/* unknown (a step no program ran for, a full table): at least 0 */
	v = violate(s, leak ? CK_LEAK : CK_OPEN, &c,
		    since && since <= now_ns ? now_ns - since : 0);
	if (!v)
		return;
	v->ino = r->ino;
	v->at_least = v->start_unseen = !since;
}

void ck_finish(struct ck_state *s, __u64 now_ns,
	       bool (*walked)(void *ctx, __u32 netns), void *ctx)
{
	struct finish_ctx f = { s, now_ns };

	if (s->ends == CK_ENDS_RECORDS) {
		idmap__for_each(s->conns, finish_one, &f);
		return;
	}
	/* what the list could not name: counted, never passed over */
	s->leaks_not_found =
		netns_count_unwalked(&s->cw_netns, &s->cw_found, walked, ctx);
	s->broken[CK_LEAK] += s->leaks_not_found;
	s->leaks_not_found_oom = s->cw_netns.oom || s->cw_found.oom;
	if (!s->rules.fail_on_open)
		return;
	s->open_not_found = netns_count_unwalked(&s->open_netns, &s->open_found,
						 walked, ctx);
	s->broken[CK_OPEN] += s->open_not_found;
	s->open_not_found_oom = s->open_netns.oom || s->open_found.oom;
}

bool ck_passed(const struct ck_state *s)
{
	for (int r = 0; r < CK_RULES; r++)
		if (s->broken[r])
			return false;
	return true;
}
