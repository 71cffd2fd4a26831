// SPDX-License-Identifier: GPL-2.0
/* tcptrail timeline: the life of each connection, one entry when it ends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/args.h"
#include "cmd/cmds.h"
#include "util/common.h"
#include "model/event.h"
#include "model/idmap.h"
#include "cli/outopts.h"
#include "output/cgroup_fmt.h"
#include "kernel/iters.h"
#include "cmd/stream.h"
#include "model/tcp_state.h"
#include "cmd/timeline.h"

#define MAX_CONNS_DEFAULT 65536

static const char doc[] =
	"Print the life of each TCP connection when it ends: its owner,\n"
	"endpoints, who opened it (active: connect here; passive: accepted\n"
	"here), who closed first (local, peer, or reset), its lifetime, and\n"
	"the path of states with the time spent in each.\n"
	"\n"
	"A connection first seen mid-life (it predates tcptrail) has a path\n"
	"that starts with '?' and a lifetime marked '>='.\n"
	"\n"
	"TIME_WAIT: the tracepoint reports the hand-off to a time-wait socket\n"
	"as FIN_WAIT2 (or CLOSING) -> CLOSE; tcptrail tells it from a reset by\n"
	"the socket's error (none at a hand-off). Where fentry programs load,\n"
	"the kernel also reports the time-wait socket's end (inet_twsk_kill):\n"
	"TIME_WAIT then has an exact length, in every network namespace.\n"
	"Elsewhere tcptrail looks the time-wait socket up once a second, marks\n"
	"TIME_WAIT inferred, and prints the entry when it is gone, about 60 s\n"
	"later; in other network namespaces, where it cannot look, TIME_WAIT\n"
	"ends the path, its length unknown.\n"
	"At exit the ones still in TIME_WAIT are printed as open.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcptrail timeline --port 443\n"
	"  tcptrail timeline -j --open -d 30s > conns.json\n"
	"\v"
	"Exit status: 0 ok, 1 runtime failure, 2 bad usage.";

enum { OPT_OPEN = 0x400, OPT_MAX_CONNS };

static const struct argp_option options[] = {
	{ "open", OPT_OPEN, NULL, 0, "at exit, also the connections still open",
	  1 },
	{ "max-conns", OPT_MAX_CONNS, "N", 0,
	  "connections followed at once in user space (default 65536): with "
	  "tp_btf the kernel keeps the paths, and only TIME_WAIT is followed "
	  "here",
	  1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tl_env *env = state->input;
	const char *why;

	switch (key) {
	case ARGP_KEY_INIT:
		stream_argp_inputs(state, &env->filter, &env->lo, &env->out);
		env->max_conns = MAX_CONNS_DEFAULT;
		break;
	case OPT_OPEN:
		env->open = true;
		break;
	case OPT_MAX_CONNS:
		if (parse_u64(arg, 1, 1 << 24, &env->max_conns, &why))
			exit(usage_err("invalid --max-conns '%s': %s", arg,
				       why));
		break;
	default:
		return cli_no_args(key, arg);
	}
	return 0;
}

CLI_ARGP(stream_argp_children);

static void update_endpoints(struct tl_conn *c, const struct tt_event *e)
{
	const char *comm;
	__u32 pid = tt_event_who(e, &comm);

	if (pid) {
		c->pid = pid;
		memcpy(c->comm, comm, TT_COMM_LEN);
	}
	/* a connecting socket has no local port yet at SYN_SENT */
	if (e->sport || !c->lport) {
		c->lport = e->sport;
		memcpy(c->laddr, e->saddr, TT_ADDR_LEN);
	}
	if (e->dport || !c->rport) {
		c->rport = e->dport;
		memcpy(c->raddr, e->daddr, TT_ADDR_LEN);
	}
	c->family = e->family;
	c->netns = e->netns;
	/* none for the end of TIME_WAIT: the socket's own stays */
	if (e->cgroup_id)
		c->cgroup_id = e->cgroup_id;
	c->flags |= e->flags & TT_F_OPENER;
}

static void note_closer(struct tl_conn *c, __u8 old, __u8 new)
{
	if (c->closer != CLOSER_UNKNOWN)
		return;
	if (new == TCP_FIN_WAIT1)
		c->closer = CLOSER_LOCAL;
	else if (new == TCP_CLOSE_WAIT)
		c->closer = CLOSER_PEER;
	else if (new == TCP_CLOSE &&
		 (old == TCP_ESTABLISHED || old == TCP_SYN_SENT ||
		  old == TCP_SYN_RECV))
		c->closer = CLOSER_RESET;
}

static bool on_event(void *ctx, const struct tt_event *e)
{
	struct tl_run *r = ctx;
	struct tl_conn *c;

	if (e->flags & TT_F_TIME_WAIT_END) {
		tl_tw_end(r, e);
		return true;
	}
	c = idmap__lookup(r->conns, e->sock_id);
	if (!c) {
		c = idmap__insert(r->conns, e->sock_id);
		if (!c) {
			/* id 0: no per-socket state, counted by the kernel */
			r->dropped += e->sock_id != 0;
			return true;
		}
		c->id = e->sock_id;
		c->first_ns = e->ts_ns;
		c->listener = e->newstate == TCP_LISTEN;
		/*
		 * Born while we watch: connect or listen leaves CLOSE, an
		 * accepted socket is cloned from its listener. Anything else
		 * was already alive: its first state has an unknown length.
		 */
		if (e->oldstate != TCP_CLOSE &&
		    !(e->oldstate == TCP_LISTEN && (e->flags & TT_F_PASSIVE))) {
			c->partial = true;
			tl_add_step(c, e->oldstate, TT_DELTA_UNKNOWN);
		}
	} else if (e->oldstate != c->state) {
		/*
		 * The kernel skipped a transition (the program was busy on
		 * that CPU, or the ring buffer was full): the time since the
		 * last one seen spans states we cannot tell apart.
		 */
		tl_add_step(c, c->state, TT_DELTA_UNKNOWN);
		tl_add_step(c, e->oldstate, TT_DELTA_UNKNOWN);
		c->partial = true;
	} else {
		tl_add_step(c, e->oldstate, e->delta_ns);
	}
	update_endpoints(c, e);
	note_closer(c, e->oldstate, e->newstate);
	c->state = e->newstate;
	c->since_ns = e->ts_ns;
	if (e->newstate == TCP_CLOSE && (e->flags & TT_F_TIME_WAIT)) {
		tl_tw_taken(r,
			    tt_tuple_key(c->family, c->laddr, c->lport,
					 c->raddr, c->rport),
			    c->first_ns);
		c = idmap__lookup(r->conns, e->sock_id);
		/* the connection lives on as a time-wait socket */
		c->state = TCP_TIME_WAIT;
		c->tw_substate = e->tw_substate;
		if (tl_tw_enter(r, c))
			return true;
	}
	if (e->newstate == TCP_CLOSE) {
		r->rep->conn(&r->fc, c, e->ts_ns, false);
		r->printed++;
		idmap__delete(r->conns, e->sock_id);
	}
	return true;
}

static void on_lost(void *ctx, __u64 n)
{
	struct tl_run *r = ctx;

	r->rep->lost(&r->fc, n);
}

static const struct stream_ops tl_ops = {
	.event = on_event,
	.path = tl_on_path,
	.lost = on_lost,
	.tick = tl_tick,
};

struct open_ctx {
	struct tl_run *r;
	__u64 now;
};

static void print_open(void *ctx, __u64 id, void *value)
{
	struct open_ctx *oc = ctx;
	struct tl_conn *c = value;

	(void)id;
	/* handed to a time-wait socket: closed here, but not yet gone */
	if (c->time_wait || oc->r->env->open)
		oc->r->rep->conn(&oc->r->fc, c, oc->now, true);
}

int do_timeline(int argc, char **argv)
{
	static struct tl_env env;
	struct tl_run r = { .env = &env };
	struct stream s;
	__u64 kept;
	struct stat st;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &env);
	if (err)
		return TT_EXIT_USAGE;
	if (env.filter.states)
		return usage_err("--state does not apply: a timeline needs "
				 "every state");
	env.lo.tw_end = true;
	env.lo.paths = true;
	err = stream_open(&s, &env.lo, &env.filter, &tl_ops, &r);
	if (err)
		goto cleanup;
	r.paths = s.tracer.mode == TT_MODE_PATHS;
	/* with paths in the kernel, only those in TIME_WAIT are kept here */
	kept = r.paths ? env.max_conns / 4 : env.max_conns;
	r.conns = idmap__new(kept ? kept : 1, sizeof(struct tl_conn));
	if (!r.conns) {
		p_err("out of memory");
		err = TT_EXIT_FAILURE;
		goto cleanup;
	}
	if (r.paths && env.open) {
		err = tl_paths_open(&r, &s, &env.lo, &env.filter);
		if (err) {
			p_err("cannot list open connections (iterator over the "
			      "table of paths: %s)",
			      strerror(-err));
			err = TT_EXIT_FAILURE;
			goto cleanup;
		}
	}
	fmt_ctx_init(&r.fc, &s.out, env.out.wall, env.out.wide);
	r.fc.cg = cgroup_fmt_new(env.out.json);
	r.rep = env.out.json ? &tl_report_json : &tl_report_text;
	if (!stat("/proc/self/ns/net", &st))
		r.netns = st.st_ino;
	tl_tw_open(&r, &s, &env.lo);
	r.rep->header(&r.fc);
	err = stream_run(&s, env.out.duration_ns);
	if ((env.open || r.in_time_wait) && s.stop != STOP_OUTPUT) {
		struct open_ctx oc = { .r = &r, .now = now_ns() };

		if (r.paths && env.open) {
			int e = tl_paths_print_open(&r, oc.now);

			if (e)
				p_warn("cannot list open connections: %s",
				       strerror(-e));
		}
		idmap__for_each(r.conns, print_open, &oc);
		out_flush(&s.out);
	}
	if (stream_summary(&s, "event") && !err)
		err = TT_EXIT_FAILURE;
	if (r.tw_unfollowed)
		p_warn("%llu connection%s entered TIME_WAIT while a quarter "
		       "of --max-conns (%llu) were there already: their "
		       "TIME_WAIT was not followed",
		       (unsigned long long)r.tw_unfollowed,
		       r.tw_unfollowed == 1 ? "" : "s",
		       (unsigned long long)env.max_conns / 4);
	if (r.dropped)
		p_warn("%llu transition%s of connections beyond --max-conns "
		       "(%llu) %s not followed",
		       (unsigned long long)r.dropped, r.dropped == 1 ? "" : "s",
		       (unsigned long long)env.max_conns,
		       r.dropped == 1 ? "was" : "were");
cleanup:
	tl_paths_close(&r);
	tl_tw_close(&r);
	stream_close(&s);
	cgroup_fmt_free(r.fc.cg);
	idmap__free(r.conns);
	return err;
}
