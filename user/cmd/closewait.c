// SPDX-License-Identifier: GPL-2.0
/* tcptrail closewait: how long sockets sit in CLOSE_WAIT, per service port. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/args.h"
#include "cmd/closewait.h"
#include "cmd/cmds.h"
#include "util/common.h"
#include "model/event.h"
#include "model/cw_oldest.h"
#include "model/idmap.h"
#include "model/portstats.h"
#include "model/service.h"
#include "cli/outopts.h"
#include "output/cgroup_fmt.h"
#include "cmd/stream.h"
#include "model/tcp_state.h"

#define MAX_OPEN_DEFAULT 65536
#define LIST_MAX_DEFAULT 100000
#define MAX_SAMPLES (1 << 20)

static const char doc[] =
	"Report how long sockets sit in CLOSE_WAIT: the peer has closed, the\n"
	"local application has not called close() yet.\n"
	"\n"
	"One line per CLOSE_WAIT episode as it ends: the owner, the endpoints,\n"
	"the service port and the time spent in CLOSE_WAIT. At exit, a summary\n"
	"per service port (episodes, p50, p99, max) and the sockets still in\n"
	"CLOSE_WAIT with their ages and owners.\n"
	"\n"
	"SERVICE PORT: the listening side's port: the local port of an accepted\n"
	"connection, the remote port of one this host opened (connect). For a\n"
	"socket that predates tcptrail it is guessed: the port outside the\n"
	"kernel's ephemeral range. --key lport or rport overrides.\n"
	"\n"
	"A socket already in CLOSE_WAIT when tcptrail started has an unknown\n"
	"start: its time is shown as a lower bound, '>=MS', and the summary\n"
	"lists such sockets under 'Started before tracing'.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcptrail closewait                      # until Ctrl-C, then summary\n"
	"  tcptrail closewait --min 1s --lport 8080\n"
	"  tcptrail closewait -j -d 1m > cw.json   # JSON lines for a minute\n"
	"  tcptrail closewait --live               # a screen, as top\n"
	"  tcptrail closewait --live | tee cw.txt  # plain snapshots\n"
	"\v"
	"Exit status: 0 ok, 1 runtime failure, 2 bad usage.";

enum {
	OPT_MIN = 0x300,
	OPT_KEY,
	OPT_MAX_OPEN,
	OPT_LIVE,
	OPT_INTERVAL,
	OPT_LIST_MAX
};

static const struct argp_option options[] = {
	{ "min", OPT_MIN, "TIME", 0,
	  "only episodes at least TIME long (500us, 200ms, 2s, 1m, 1h)", 1 },
	{ "key", OPT_KEY, "KEY", 0,
	  "group by service (default), lport or rport", 1 },
	{ "live", OPT_LIVE, NULL, 0,
	  "the sockets in CLOSE_WAIT now, every interval: a screen that "
	  "fits the terminal (redrawn on resize), plain text snapshots when "
	  "stdout is not a terminal, one JSON line each with --json",
	  1 },
	{ "interval", OPT_INTERVAL, "TIME", 0,
	  "--live refresh interval (default 1s)", 1 },
	{ "max-open", OPT_MAX_OPEN, "N", 0,
	  "sockets in CLOSE_WAIT kept in user space at once: those that "
	  "predate tcptrail (default 65536); the kernel lists the others",
	  1 },
	{ "list-max", OPT_LIST_MAX, "N", 0,
	  "at exit, list the N oldest sockets still in CLOSE_WAIT (default "
	  "100000) and count the rest: memory stays bounded however many "
	  "there are",
	  1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct cw_env *env = state->input;
	const char *why;

	switch (key) {
	case ARGP_KEY_INIT:
		stream_argp_inputs(state, &env->filter, &env->lo, &env->out);
		env->max_open = MAX_OPEN_DEFAULT;
		env->list_max = LIST_MAX_DEFAULT;
		env->interval_ns = 1000000000ULL;
		break;
	case OPT_MIN:
		env->min_ns = opt_duration("--min", arg, 0);
		break;
	case OPT_KEY:
		if (parse_key_mode(arg, &env->key, &why))
			exit(usage_err("invalid --key '%s': %s", arg, why));
		break;
	case OPT_LIVE:
		env->live = true;
		break;
	case OPT_INTERVAL:
		env->interval_ns =
			opt_duration("--interval", arg, 100000000ULL);
		env->interval_set = true;
		break;
	case OPT_MAX_OPEN:
		if (parse_u64(arg, 1, 1 << 24, &env->max_open, &why))
			exit(usage_err("invalid --max-open '%s': %s", arg,
				       why));
		break;
	case OPT_LIST_MAX:
		if (parse_u64(arg, 1, 1 << 24, &env->list_max, &why))
			exit(usage_err("invalid --list-max '%s': %s", arg,
				       why));
		env->list_max_set = true;
		break;
	default:
		return cli_no_args(key, arg);
	}
	return 0;
}

CLI_ARGP(stream_argp_children);

static void keep_ended(struct cw_predated *p, const struct tt_event *e,
		       __u16 service, __u64 ns)
{
	const char *comm;

	memset(p, 0, sizeof(*p));
	p->ns = ns;
	p->pid = tt_event_who(e, &comm);
	if (p->pid)
		memcpy(p->comm, comm, TT_COMM_LEN);
	p->family = e->family;
	p->lport = e->sport;
	p->rport = e->dport;
	p->service = service;
	memcpy(p->laddr, e->saddr, TT_ADDR_LEN);
	memcpy(p->raddr, e->daddr, TT_ADDR_LEN);
}

static bool on_event(void *ctx, const struct tt_event *e)
{
	struct cw_run *r = ctx;
	__u64 ns, key, since;
	struct cw_open *c;
	const char *comm;
	bool known;
	__u16 service =
		service_rule_port(&r->svc, e->flags, e->sport, e->dport);

	/* iter/tcp lists them at exit: a namespace it cannot walk is said */
	if (!r->in_cw && r->socks && e->sock_id)
		netns_count_step(&r->cw_netns, e, netns_count_closewait);
	if (e->newstate == TCP_CLOSE_WAIT) {
		/* the kernel lists it at exit: nothing kept here meanwhile */
		if ((r->in_cw || r->socks) && e->sock_id)
			return true;
		c = idmap__insert(r->open, e->sock_id);
		if (!c) {
			/* id 0: no per-socket state, counted by the kernel */
			r->dropped += e->sock_id != 0;
			return true;
		}
		c->since_ns = e->ts_ns;
		c->fd = -1;
		c->pid = tt_event_who(e, &comm);
		if (c->pid)
			memcpy(c->comm, comm, TT_COMM_LEN);
		c->family = e->family;
		c->netns = e->netns;
		c->cgroup_id = e->cgroup_id;
		c->lport = e->sport;
		c->rport = e->dport;
		c->service = service;
		memcpy(c->laddr, e->saddr, TT_ADDR_LEN);
		memcpy(c->raddr, e->daddr, TT_ADDR_LEN);
		return true;
	}
	if (e->oldstate != TCP_CLOSE_WAIT && e->seen_state != TCP_CLOSE_WAIT)
		return true;

	known = e->delta_ns != TT_DELTA_UNKNOWN;
	key = e->sock_id;
	c = idmap__lookup(r->open, key);
	if (!c && !e->seen_state) {
		/* adopted at start: it predates us, and has no id of ours */
		key = tt_tuple_key(e->family, e->saddr, e->sport, e->daddr,
				   e->dport);
		c = idmap__lookup(r->open, key);
	}
	/* in CLOSE_WAIT since before we started: at least this long */
	since = c ? c->since_ns : r->fc.start_ns;
	if (c)
		service = c->service;
	idmap__delete(r->open, key);
	r->episodes++;
	if (known) {
		ns = e->delta_ns;
		portstats__add(r->stats, service, ns);
	} else if (tt_event_after_gap(e)) {
		/* a step unseen on either side (a gap): at least 0 */
		ns = 0;
		r->untimed++;
	} else {
		ns = e->ts_ns > since ? e->ts_ns - since : 0;
		if (r->predating++ < CW_ENDED_MAX)
			keep_ended(&r->ended[r->nended++], e, service, ns);
	}
	if (!r->env->live && ns >= r->env->min_ns)
		r->rep->episode(&r->fc, e, service, ns, known);
	return true;
}

static void on_lost(void *ctx, __u64 n)
{
	struct cw_run *r = ctx;

	r->rep->lost(&r->fc, n);
}

static const struct stream_ops cw_ops = {
	.event = on_event,
	.lost = on_lost,
};

static const struct stream_ops cw_live_ops = {
	.event = on_event,
	.lost = on_lost,
	.tick = cw_live_tick,
};

/* one from the open table: adopted at start, or kept from the events */
static void offer_kept(void *ctx, __u64 id, void *value)
{
	(void)id;
	cw_oldest_add(ctx, value);
}

struct tracked {
	struct cw_run *r;
	struct cw_oldest *list;
	__u64 now;
	struct netns_count found; /* per namespace, listed or counted */
};

/* one the tracer follows, as the open table would hold it */
static bool tracked_rec(void *ctx, const struct tt_sock_rec *s)
{
	struct tracked *t = ctx;
	struct cw_open c = { .fd = -1 };

	/* sock_id 0: predates tcptrail, adopted at start if at all */
	if (!s->sock_id || !tt_filter_match(t->r->filter, s->family, s->sport,
					    s->dport, s->netns, s->owner_tgid))
		return true;
	c.since_ns = s->since_ns;
	/* not seen entering it (after detaching): from its last segment */
	if (!s->since_ns) {
		c.since_ns = t->now > s->idle_ns ? t->now - s->idle_ns : 0;
		c.estimated = true;
	}
	c.pid = s->owner_tgid;
	memcpy(c.comm, s->owner_comm, TT_COMM_LEN);
	c.family = s->family;
	c.netns = s->netns;
	c.ino = s->ino;
	c.cgroup_id = s->cgroup_id;
	c.lport = s->sport;
	c.rport = s->dport;
	c.service = service_rule_port(&t->r->svc, s->flags, s->sport, s->dport);
	memcpy(c.laddr, s->saddr, TT_ADDR_LEN);
	memcpy(c.raddr, s->daddr, TT_ADDR_LEN);
	/* found, if not listed: it is no socket of a namespace not walked */
	netns_count_add(&t->found, s->netns, 1);
	/* one that does not fit (no memory) is counted there: walk on */
	cw_oldest_add(t->list, &c);
	return true;
}

static bool walked(void *ctx, __u32 netns)
{
	return sockets__walked(ctx, netns);
}

/*
 * The tracked ones, from the kernel: the tracer's own list, or else the
 * sockets iter/tcp finds in CLOSE_WAIT that the tracer follows.
 */
static void tracked_open(struct cw_run *r, struct cw_oldest *list)
{
	struct tracked t = { .r = r, .list = list, .now = now_ns() };
	__u64 unwalked;
	int err;

	if (r->in_cw) {
		err = closewait_socks__for_each(r->in_cw, tracked_rec, &t);
		if (err)
			p_warn("cannot list the sockets in CLOSE_WAIT: %s",
			       strerror(-err));
	} else if (r->socks) {
		err = sockets__for_each(r->socks, tracked_rec, &t);
		if (err == -ENOENT)
			p_warn("no process is in the --netns namespace and no "
			       "/run/netns entry names it: its sockets cannot "
			       "be walked");
		else if (err)
			p_warn("cannot list the sockets in CLOSE_WAIT: %s",
			       strerror(-err));
		unwalked = netns_count_unwalked(&r->cw_netns, &t.found, walked,
						r->socks);
		if (unwalked)
			p_warn("%llu socket%s seen entering CLOSE_WAIT, in "
			       "network namespaces iter/tcp could not walk%s, "
			       "not listed",
			       (unsigned long long)unwalked,
			       unwalked == 1 ? "" : "s",
			       r->cw_netns.oom || t.found.oom ?
				       " (or where memory ran out counting)" :
				       "");
	}
	netns_count_free(&t.found);
}

/* who holds each socket still in CLOSE_WAIT now: ss -p's answer */
static void find_holders(struct cw_run *r, struct cw_open **v, size_t n)
{
	struct who_key *k = calloc(n + 1, sizeof(*k));
	struct who *w = calloc(n + 1, sizeof(*w));

	if (k && w) {
		for (size_t i = 0; i < n; i++) {
			who_key_set(&k[i], v[i]->ino, v[i]->netns, v[i]->family,
				    v[i]->laddr, v[i]->lport, v[i]->raddr,
				    v[i]->rport);
		}
		if (!who_holds__find(r->who, k, n, w))
			for (size_t i = 0; i < n; i++)
				v[i]->now = w[i];
	}
	free(w);
	free(k);
}

/* at exit: per service port, and the sockets still in CLOSE_WAIT */
static void summary(struct cw_run *r, __u64 now)
{
	struct cw_summary sum = {
		.episodes = r->episodes,
		.predating = r->predating,
		.untimed = r->untimed,
		.ended = r->ended,
		.nended = r->nended,
		.dropped = r->dropped,
		.now = now,
	};
	struct port_summary *ps = NULL;
	struct cw_open **v = NULL;
	struct cw_oldest list;

	cw_oldest_init(&list, r->env->list_max);
	tracked_open(r, &list);
	idmap__for_each(r->open, offer_kept, &list);
	if (list.oom)
		p_warn("out of memory: not every socket in CLOSE_WAIT is "
		       "listed");
	cw_oldest_sort(&list);
	v = calloc(list.n + 1, sizeof(*v));
	if (!v)
		goto out;
	for (size_t i = 0; i < list.n; i++)
		v[i] = &list.v[i];
	find_holders(r, v, list.n);
	sum.nports = portstats__summarise(r->stats, &ps);
	sum.ports = ps;
	sum.open = v;
	sum.nopen = list.n;
	sum.not_listed = list.not_listed;
	sum.not_listed_estimated = list.not_listed_estimated;
	sum.not_listed_oom = list.oom;
	r->rep->summary(&r->fc, &sum);
	for (size_t i = 0; i < list.n; i++)
		who_free(&list.v[i].now, 1);
out:
	free(ps);
	free(v);
	cw_oldest_free(&list);
}

int do_closewait(int argc, char **argv)
{
	static struct cw_env env;
	struct cw_run r = { .env = &env };
	struct stream s;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &env);
	if (err)
		return TT_EXIT_USAGE;
	if (env.filter.states)
		return usage_err("--state does not apply: closewait watches "
				 "close_wait");
	if (env.interval_set && !env.live)
		return usage_err("--interval is the --live refresh interval");
	if (env.min_ns && env.live)
		return usage_err("--min does not apply to --live: the table "
				 "shows every socket in CLOSE_WAIT");
	if (env.list_max_set && env.live)
		return usage_err("--list-max does not apply to --live: it "
				 "bounds the list at exit");
	env.filter.states = 1U << TCP_CLOSE_WAIT;
	r.svc.key = env.key;
	ephemeral_range(&r.svc.eph_lo, &r.svc.eph_hi);
	r.open = idmap__new(env.max_open, sizeof(struct cw_open));
	r.stats = portstats__new(MAX_SAMPLES);
	if (!r.open || !r.stats) {
		p_err("out of memory");
		err = TT_EXIT_FAILURE;
		goto out;
	}
	err = stream_open(&s, &env.lo, &env.filter,
			  env.live ? &cw_live_ops : &cw_ops, &r);
	if (err)
		goto cleanup;
	fmt_ctx_init(&r.fc, &s.out, env.out.wall, env.out.wide);
	r.fc.cg = cgroup_fmt_new(env.out.json && !env.live);
	r.rep = env.out.json ? &cw_report_json : &cw_report_text;
	r.socks = sockets__open(&s.tracer, &env.lo, 1U << TCP_CLOSE_WAIT,
				env.filter.netns, env.filter.cgroup);
	if (!r.socks)
		p_warn("iter/tcp refused (%s): sockets already in CLOSE_WAIT "
		       "are not listed%s",
		       strerror(errno),
		       env.live ? "; --live shows those seen entering it, "
				  "without their queues" :
				  "");
	r.filter = &env.filter;
	r.in_cw = closewait_socks__open(&s.tracer, &env.lo, env.filter.cgroup);
	/* iter/tcp lists them at exit instead, in every namespace it walks */
	if (!r.in_cw && !r.socks)
		p_warn("iterator over the tracer's table refused (%s): the "
		       "sockets now in CLOSE_WAIT are kept here, up to "
		       "--max-open (%llu; more are counted as dropped)",
		       strerror(errno), (unsigned long long)env.max_open);
	/* iter/tcp refused: said above; the inodes the kernel gave serve */
	r.who = who_holds__open(&s.tracer, &env.lo, env.filter.netns);
	cw_adopt_existing(&r);
	if (!env.live)
		r.rep->header(&r.fc);
	err = stream_run(&s, env.out.duration_ns);
	if (s.stop != STOP_OUTPUT && !env.live) {
		summary(&r, now_ns());
		out_flush(&s.out);
	}
	if (stream_summary(&s, "event") && !err)
		err = TT_EXIT_FAILURE;
	if (r.dropped)
		p_warn("%llu socket%s entered CLOSE_WAIT while %llu were "
		       "tracked already: not followed (raise --max-open)",
		       (unsigned long long)r.dropped, r.dropped == 1 ? "" : "s",
		       (unsigned long long)env.max_open);
cleanup:
	closewait_socks__close(r.in_cw);
	who_holds__close(r.who);
	sockets__close(r.socks);
	stream_close(&s);
	cgroup_fmt_free(r.fc.cg);
out:
	idmap__free(r.open);
	portstats__free(r.stats);
	netns_count_free(&r.cw_netns);
	return err;
}
