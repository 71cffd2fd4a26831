// SPDX-License-Identifier: GPL-2.0
/* Kernel side of tcptrail: every TCP state transition, filtered here. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "tcptrail.h"
#include "sock.bpf.h"
#include "filter.bpf.h"

/* Knobs, set by user space before load. Zero means "no filter". */
const volatile __u32 filter_tgid;
const volatile __u32 filter_states; /* bit n: TCP state n */
const volatile __u8 mode; /* enum tt_mode */
#define emit_events (mode == TT_MODE_EVENTS)
#define emit_paths (mode == TT_MODE_PATHS)
#define aggregate (mode == TT_MODE_AGGREGATE)
#define agg_stateless (mode == TT_MODE_AGGREGATE_STATELESS)
/* owners: not needed by hist and export unless --pid filters on them */
#define track_owner (mode < TT_MODE_AGGREGATE || filter_tgid)
const volatile __u32 hist_states; /* bit n: time in state n */
/* stateless: the states whose entry time is kept (for export's socket
 * ages, CLOSE_WAIT as well) */
const volatile __u32 entered_states;
const volatile __u8 hist_key; /* enum tt_key_mode */
const volatile bool hist_by_cgroup; /* the socket's cgroup in the key */
const volatile __u64 hist_unit_ns = 1000;
/* a socket of unknown direction: its service port is not ephemeral */
const volatile __u16 eph_lo = 32768;
const volatile __u16 eph_hi = 60999;

#include "events.bpf.h"

#include "sk_state.bpf.h"

/*
 * Socket ids without an atomic fetch-and-add (BPF_FETCH arrived in 5.12:
 * 5.10 refuses the whole object): per-CPU sequences, the CPU in the low
 * 16 bits. The transition program can be interrupted on its CPU by
 * another socket's transition (a softirq over process context), and
 * before 6.1 nothing holds a tp_btf program off then: each nesting level
 * has a sequence of its own, and its number in the id. The level is
 * counted around each run of a transition program; an interrupting run
 * ends before the one it interrupted goes on, so the plain increments and
 * decrements stay right. Perf buffers build records per level too.
 */
#define TT_ID_CPU_BITS 16
#define TT_LEVELS 4 /* process, softirq and then some */
struct nesting {
	__u64 depth;
	__u64 seq[TT_LEVELS];
	/* the relief's: this CPU's instance of tt_state_btf's run counter */
	__u64 first_active;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nesting);
} nesting SEC(".maps");

static __always_inline struct nesting *this_cpu_nesting(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&nesting, &zero);
}

/* this run's level on its CPU, 0 for the outermost */
static __always_inline __u32 nest_level(void)
{
	struct nesting *n = this_cpu_nesting();

	return n && n->depth ? (n->depth - 1) & (TT_LEVELS - 1) : 0;
}

static __always_inline __u64 new_sock_id(void)
{
	struct nesting *n = this_cpu_nesting();
	__u32 lvl;

	if (!n)
		return 0;
	lvl = n->depth ? (n->depth - 1) & (TT_LEVELS - 1) : 0;
	return ++n->seq[lvl] << (TT_ID_CPU_BITS + 2) |
	       (__u64)lvl << TT_ID_CPU_BITS | bpf_get_smp_processor_id();
}

#include "accept.bpf.h"
#include "listeners.bpf.h"

/* what both attach points read from the socket, the same way */
struct tuple {
	__u16 family;
	__u16 sport;
	__u16 dport;
	bool owned; /* socket lock held: process context, current is the user */
	bool time_wait; /* see TT_F_TIME_WAIT */
	__u8 tw_substate; /* with time_wait: see tt_event.tw_substate */
	__u32 netns;
	__u8 saddr[TT_ADDR_LEN];
	__u8 daddr[TT_ADDR_LEN];
};

/*
 * Filters on the transition and the socket's ports, not on its tracked
 * state; sock_ruled_out() and cgroup_rules_out() have passed it, which
 * leaves the ports still 0 there and the states. A transition after an
 * unseen one also matches the state the socket was last seen entering
 * (seen, 0 at its first sight): it is how it is seen to have left it.
 */
static __always_inline bool socket_matches(const struct tuple *t, int seen,
					   int oldstate, int newstate)
{
	if (filter_states &&
	    !(filter_states & ((1U << (seen & 31)) | (1U << (oldstate & 31)) |
			       (1U << (newstate & 31)))))
		return false;
	if (filter_lport && !port_in(0, t->sport))
		return false;
	if (filter_rport && !port_in(1, t->dport))
		return false;
	return !filter_anyport || port_in(2, t->sport) || port_in(2, t->dport);
}

/*
 * An entry made while a port was still 0, which the filters refused once
 * it was known: a connecting socket's local port, an accepted one's remote
 * port, a listener's own when listen() bound it.
 */
static __always_inline bool made_before_ports(const struct tuple *t,
					      int oldstate, int newstate)
{
	if (oldstate == TCP_SYN_SENT)
		return !sock_ruled_out(t->family, 0, t->dport, t->netns);
	if (oldstate == TCP_SYN_RECV)
		return !sock_ruled_out(t->family, t->sport, 0, t->netns);
	if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE)
		return !sock_ruled_out(t->family, 0, 0, t->netns);
	return false;
}

#include "hist.bpf.h"
#include "path.bpf.h"

/*
 * Per-socket bookkeeping common to both attach points: time in the old
 * state, a fresh id for each new connection, and the owner, taken when
 * the socket lock is held (process context: the current task uses it).
 * *seen is the state the socket was last seen entering (tt_event.seen_state).
 */
static __always_inline __u64 track(struct sk_state *st, const struct sock *sk,
				   int oldstate, int newstate, __u64 now,
				   bool process_ctx, __u64 pid_tgid, __u8 *seen)
{
	__u64 delta = now - st->ts_ns;

	*seen = st->id ? st->state : 0;
	/*
	 * Leaving another state than the one it was seen entering: a
	 * transition between went unseen, and the time since then spans
	 * states that cannot be told apart. An entry left by an unseen
	 * CLOSE, found by the next socket at that address, is one too.
	 */
	if (st->id && st->state != oldstate) {
		count(TT_CNT_GAP);
		delta = TT_DELTA_UNKNOWN;
	}
	/*
	 * A new entry (zeroed: no id yet), a socket leaving CLOSE, or an
	 * accepted one's first transition: a new connection, even at a
	 * reused address or on a reused socket, never continues an old one
	 * (nor an entry left by a skipped CLOSE). An accepted socket's
	 * owner comes later, from its listener (listener_update()).
	 */
	if (!st->id || oldstate == TCP_CLOSE ||
	    (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV)) {
		st->id = new_sock_id();
		st->flags &= ~(TT_F_OWNER_KNOWN | TT_F_OWNER_LISTENER |
			       TT_F_OWNER_ACCEPT | TT_F_OPENER);
		st->owner_tgid = 0;
		delta = TT_DELTA_UNKNOWN;
		*seen = 0;
	}
	if (newstate == TCP_SYN_SENT)
		st->flags |= TT_F_ACTIVE;
	else if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV)
		st->flags |= TT_F_PASSIVE;
	st->ts_ns = now;
	st->state = newstate;
	if (process_ctx) {
		__u32 tgid = pid_tgid >> 32;

		/* the same owner again (the usual case): keep its name */
		if (tgid != st->owner_tgid || !(st->flags & TT_F_OWNER_KNOWN))
			bpf_get_current_comm(st->owner_comm,
					     sizeof(st->owner_comm));
		st->owner_tgid = tgid;
		st->flags = (st->flags & ~TT_F_OWNER_LISTENER) |
			    TT_F_OWNER_KNOWN;
	}
	return delta;
}

/*
 * Taken once per accepted socket, so the table does not fill; the owner
 * is applied unless the process holding the socket lock just set it.
 */
static __always_inline void take_accept_owner(struct sk_state *st,
					      const struct sock *sk,
					      const struct tuple *t, bool apply)
{
	__u64 key = (__u64)sk;
	struct accept_owner *a = bpf_map_lookup_elem(&accepted, &key);

	if (!a)
		return;
	if (a->sport == t->sport && a->dport == t->dport) {
		if (apply) {
			st->owner_tgid = a->tgid;
			__builtin_memcpy(st->owner_comm, a->comm,
					 sizeof(a->comm));
			st->flags = (st->flags & ~TT_F_OWNER_LISTENER) |
				    TT_F_OWNER_KNOWN;
		}
		st->flags |= TT_F_OWNER_ACCEPT;
	}
	bpf_map_delete_elem(&accepted, &key);
}

static __always_inline bool owner_matches(const struct tuple *t, __u8 flags,
					  __u32 owner, __u64 pid_tgid)
{
	if (!filter_tgid)
		return true;
	if (flags & TT_F_OWNER_KNOWN)
		return owner == filter_tgid;
	return t->owned && (pid_tgid >> 32) == filter_tgid;
}

static __always_inline void handle(void *ctx, struct sock *sk,
				   const struct tuple *t, int oldstate,
				   int newstate, struct sk_state *st,
				   struct tt_path *path)
{
	__u64 now = bpf_ktime_get_ns(), delta = TT_DELTA_UNKNOWN;
	__u64 pid_tgid = track_owner ? bpf_get_current_pid_tgid() : 0;
	struct tt_event *e;
	__u32 owner = 0;
	__u8 flags = 0, seen = 0;

	/* state is kept for filtered-out events too: the next may match */
	if (st) {
		delta = track(st, sk, oldstate, newstate, now,
			      track_owner && t->owned, pid_tgid, &seen);
		if (track_owner &&
		    (newstate == TCP_LISTEN || oldstate == TCP_LISTEN))
			listener_update(sk, t->netns, t->sport, st, oldstate,
					newstate);
		/*
		 * An accepted socket looks until accept() has left its mark;
		 * not before it is established, when accept() cannot have run.
		 */
		if (track_owner &&
		    (st->flags & (TT_F_PASSIVE | TT_F_OWNER_ACCEPT)) ==
			    TT_F_PASSIVE &&
		    oldstate != TCP_LISTEN && oldstate != TCP_SYN_RECV)
			take_accept_owner(st, sk, t, !t->owned);
		flags = st->flags;
		owner = st->owner_tgid;
	} else {
		count(TT_CNT_UNTRACKED);
	}
	if (emit_paths) {
		struct tt_path *p = NULL;

		if (st && path)
			p = path_transition(sk, t, st, path, oldstate, newstate,
					    now, delta);
		if (p && socket_matches(t, seen, oldstate, newstate) &&
		    owner_matches(t, flags, owner, pid_tgid))
			path_send(ctx, p);
		return;
	}
	if (!socket_matches(t, seen, oldstate, newstate) ||
	    !owner_matches(t, flags, owner, pid_tgid))
		return;

	if (aggregate)
		aggregate_transition(sk, t, flags, oldstate, newstate, delta);
	if (!emit_events)
		return;
	e = event_reserve(perf_events ? nest_level() : 0);
	if (!e)
		return;
	e->type = TT_REC_EVENT;
	__builtin_memset(e->__pad, 0, sizeof(e->__pad));
	e->ts_ns = now;
	e->sock_id = st ? st->id : 0;
	e->delta_ns = delta;
	e->pid = (__u32)pid_tgid;
	e->tgid = pid_tgid >> 32;
	e->owner_tgid = owner;
	e->netns = t->netns;
	__builtin_memcpy(e->saddr, t->saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, t->daddr, sizeof(e->daddr));
	e->sport = t->sport;
	e->dport = t->dport;
	e->family = t->family;
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->seen_state = seen;
	e->flags = flags | (t->owned ? TT_F_PROCESS_CTX : 0) |
		   (t->time_wait ? TT_F_TIME_WAIT : 0);
	e->tw_substate = t->tw_substate;
	e->cgroup_id = sk_cgroup_id(sk);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (st)
		__builtin_memcpy(e->owner_comm, st->owner_comm,
				 sizeof(e->owner_comm));
	else
		__builtin_memset(e->owner_comm, 0, sizeof(e->owner_comm));
	event_submit(ctx, e);
}

/* new entries' values: a path is too large for the stack */
static const struct sk_state state_zero;
static const struct sk_path_state path_zero;

/*
 * The socket's entry, found or made, dropped at CLOSE: its state in
 * sk_states_hash, or, for timeline, its state and path in sk_paths. A
 * socket the filters rule out has none: no transition of it can match.
 */
static __always_inline void handle_sock(void *ctx, struct sock *sk,
					const struct tuple *t, int oldstate,
					int newstate)
{
	struct sk_path_state *ps = NULL;
	__u64 key = (__u64)sk;
	struct sk_state *st;

	if (sock_ruled_out(t->family, t->sport, t->dport, t->netns)) {
		if (!made_before_ports(t, oldstate, newstate))
			return;
		if (emit_paths)
			bpf_map_delete_elem(&sk_paths, &key);
		else
			bpf_map_delete_elem(&sk_states_hash, &key);
		return;
	}
	if (cgroup_rules_out(sk))
		return;
	if (emit_paths) {
		ps = lookup_or_init(&sk_paths, &key, &path_zero);
		st = ps ? &ps->st : NULL;
	} else {
		st = lookup_or_init(&sk_states_hash, &key, &state_zero);
	}
	handle(ctx, sk, t, oldstate, newstate, st, ps ? &ps->path : NULL);
	if (newstate == TCP_CLOSE && st) {
		if (emit_paths)
			bpf_map_delete_elem(&sk_paths, &key);
		else
			bpf_map_delete_elem(&sk_states_hash, &key);
	}
}

/* BTF pointers are read directly: no helper call per field */
static __always_inline void on_btf(void *ctx, struct sock *sk, int oldstate,
				   int newstate)
{
	struct tuple t = {};

	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	if (agg_stateless) {
		agg_btf(sk, oldstate, newstate);
		return;
	}
	t.family = sk->__sk_common.skc_family;
	/* inet_sport lies past struct sock: the verifier wants a probe read */
	t.sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	t.dport = bpf_ntohs(sk->__sk_common.skc_dport);
	t.owned = sk->sk_lock.owned;
	t.netns = sk->__sk_common.skc_net.net->ns.inum;
	/*
	 * From FIN_WAIT2 or CLOSING, CLOSE is either tcp_time_wait() handing
	 * the connection to a time-wait socket, or a reset (tcp_reset() sets
	 * sk_err first). Inferred: a time-wait table overflow looks the same.
	 */
	if (newstate == TCP_CLOSE &&
	    (oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING))
		t.time_wait = !sk->sk_err;
	if (t.time_wait)
		t.tw_substate = tw_substate_at_handoff(sk, oldstate);
	skc_addrs(&sk->__sk_common, t.family, t.saddr, t.daddr);
	handle_sock(ctx, sk, &t, oldstate, newstate);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_state_btf, struct sock *sk, int oldstate, int newstate)
{
	struct nesting *n = this_cpu_nesting();

	if (n)
		n->depth++;
	on_btf(ctx, sk, oldstate, newstate);
	if (n)
		n->depth--;
	return 0;
}

#include "relief.bpf.h"

SEC("tracepoint/sock/inet_sock_set_state")
int tt_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct nesting *n = this_cpu_nesting();
	struct sock *sk = (struct sock *)ctx->skaddr;
	struct tuple t = {};

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	t.family = ctx->family;
	t.sport = ctx->sport;
	t.dport = ctx->dport;
	t.owned = BPF_CORE_READ(sk, sk_lock.owned);
	t.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (ctx->newstate == TCP_CLOSE &&
	    (ctx->oldstate == TCP_FIN_WAIT2 || ctx->oldstate == TCP_CLOSING))
		t.time_wait = !BPF_CORE_READ(sk, sk_err);
	if (t.time_wait)
		t.tw_substate = tw_substate_at_handoff(sk, ctx->oldstate);
	/* the verifier refuses variable-offset context reads */
	if (t.family == AF_INET) {
		bpf_probe_read_kernel(t.saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(t.daddr, 4, ctx->daddr);
	} else {
		bpf_probe_read_kernel(t.saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(t.daddr, 16, ctx->daddr_v6);
	}
	if (n)
		n->depth++;
	handle_sock(ctx, sk, &t, ctx->oldstate, ctx->newstate);
	if (n)
		n->depth--;
	return 0;
}

/* the new socket, from the fd accept() returned, in the task's file table */
static __always_inline int on_accept(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds, *f;
	struct socket *sock;

	if (fd < 0)
		return 0;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (!fds || bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	note_accept(BPF_CORE_READ(sock, sk));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int tt_accept4_exit(struct syscall_trace_exit *ctx)
{
	return on_accept(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tt_accept_exit(struct syscall_trace_exit *ctx)
{
	return on_accept(ctx->ret);
}

char LICENSE[] SEC("license") = "GPL";
