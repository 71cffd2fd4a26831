/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What crosses the kernel/user boundary: the ring-buffer event and the
 * layout of the counter maps. Included by bpf/ (after vmlinux.h) and by user/.
 */
#ifndef __TCPTRAIL_H
#define __TCPTRAIL_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define TT_COMM_LEN 16
#define TT_ADDR_LEN 16

/*
 * delta_ns when the socket was first seen at this transition, or after a
 * transition that went unseen (tt_event.seen_state != oldstate)
 */
#define TT_DELTA_UNKNOWN (~0ULL)

/* tt_event.flags */
enum tt_event_flags {
	/* the socket lock was held: current task is the socket's user */
	TT_F_PROCESS_CTX = 1 << 0,
	/* owner_* fields are valid */
	TT_F_OWNER_KNOWN = 1 << 1,
	/* owner was inherited from the listening socket */
	TT_F_OWNER_LISTENER = 1 << 2,
	/* this connection was opened by connect() on this host */
	TT_F_ACTIVE = 1 << 3,
	/* this connection was accepted from a listener on this host */
	TT_F_PASSIVE = 1 << 4,
	/* owner is the process that accept()ed the socket */
	TT_F_OWNER_ACCEPT = 1 << 5,
	/*
	 * FIN_WAIT2 or CLOSING -> CLOSE without an error on the socket: the
	 * kernel handed the connection to a time-wait socket, and TIME_WAIT
	 * starts rather than the connection ending (inferred).
	 */
	TT_F_TIME_WAIT = 1 << 6,
	/*
	 * TIME_WAIT -> CLOSE of a time-wait socket, seen where fentry
	 * loads (bpf/tw_fentry.bpf.c); sock_id 0, the tuple names it.
	 */
	TT_F_TIME_WAIT_END = 1 << 7,
};

#define TT_F_OPENER (TT_F_ACTIVE | TT_F_PASSIVE)

/*
 * What the transition program does, one of four (set before load, so
 * the verifier drops the code of the others).
 */
enum tt_mode {
	/* an event per transition: trace, closewait, check; timeline on
	 * the classic tracepoint */
	TT_MODE_EVENTS,
	/* timeline on tp_btf: a path per connection (struct tt_path) */
	TT_MODE_PATHS,
	/* hist, export: histograms in maps, per-socket state kept (the
	 * classic tracepoint, or --pid, which needs owners) */
	TT_MODE_AGGREGATE,
	/* hist, export on tp_btf: only the sockets in a timed state are
	 * kept (no owners, the opener guessed) */
	TT_MODE_AGGREGATE_STATELESS,
};

/* what the attached program reads its state from, for --verbose */
enum tt_attach_kind {
	TT_ATTACH_TP_BTF = 1,
	TT_ATTACH_TRACEPOINT = 2,
};

/* per-CPU counters, index into the 'counters' map value */
enum tt_counter {
	TT_CNT_LOST, /* ring buffer full: event dropped */
	TT_CNT_UNTRACKED, /* no room for per-socket state: delta unknown */
	/*
	 * left a histogrammed state it entered before tcptrail started, or
	 * whose entry went unseen (a gap)
	 */
	TT_CNT_UNTIMED,
	/* skipped by the busy transition program, taken by its relief */
	TT_CNT_RELIEVED,
	/* the relief could not find the program's run counter: idle */
	TT_CNT_RELIEF_BLIND,
	/*
	 * a socket left a state it was not seen entering: a transition
	 * between went unseen (counted as missed, or one the kernel ran no
	 * BPF program for, which nothing else counts)
	 */
	TT_CNT_GAP,
	TT_CNT_MAX,
};

struct tt_counters {
	__u64 c[TT_CNT_MAX];
};

/*
 * In-kernel histograms (hist, export): time spent in a state, per port.
 * Slot s counts times t with 2^(s-1) < t <= 2^s units (slot 0: t <= 1),
 * t rounded up to whole units, so that 2^s is an exact upper bound; the
 * last slot counts everything longer.
 */
#define TT_HIST_SLOTS 40
/* the key for ports that did not fit in the map */
#define TT_PORT_OTHER 0x10000u
/* transitions[from * TT_NSTATES + to]; to TCP_TIME_WAIT when inferred */
#define TT_NSTATES 16

enum tt_key_mode { TT_KEY_SERVICE, TT_KEY_LPORT, TT_KEY_RPORT };

struct tt_hist_key {
	__u32 port; /* or TT_PORT_OTHER */
	__u32 state; /* the state the time was spent in */
	/*
	 * the socket's cgroup v2 id where asked for (export --labels), else
	 * 0; 0 under TT_PORT_OTHER
	 */
	__u64 cgroup_id;
};

struct tt_hist {
	__u64 slots[TT_HIST_SLOTS];
	__u64 count; /* the sum of the slots: filled in by user space */
	__u64 sum_ns;
	__u64 max_ns;
};

/*
 * The first byte of every record in the ring buffer (or perf buffer):
 * what follows is a struct tt_event or a struct tt_path.
 */
enum tt_record_type {
	TT_REC_EVENT = 1,
	TT_REC_PATH = 2,
};

struct tt_event {
	__u8 type; /* TT_REC_EVENT */
	__u8 oldstate;
	__u8 newstate;
	__u8 flags; /* enum tt_event_flags */
	__u16 family; /* AF_INET or AF_INET6 */
	__u16 sport; /* local port, host order */
	__u16 dport; /* remote port, host order */
	/*
	 * TT_F_TIME_WAIT: the time-wait socket's substate at the hand-off,
	 * TCP_FIN_WAIT2 while the peer has not closed (an orphaned
	 * FIN_WAIT2), else TCP_TIME_WAIT. TT_F_TIME_WAIT_END: the substate
	 * it ended in (FIN_WAIT2: by tcp_fin_timeout, the peer never
	 * closed). 0 otherwise.
	 */
	__u8 tw_substate;
	/*
	 * The state the tracer last saw the socket enter: oldstate, unless
	 * a transition between went unseen (counted as a gap; delta_ns is
	 * then unknown). 0 at the tracer's first sight of the socket, and
	 * for a new connection.
	 */
	__u8 seen_state;
	__u8 __pad[4];
	__u64 ts_ns; /* CLOCK_MONOTONIC */
	__u64 sock_id; /* tcptrail's own id: never reused */
	__u64 delta_ns; /* time in oldstate, or TT_DELTA_UNKNOWN */
	__u32 pid; /* current task: thread id */
	__u32 tgid; /* current task: process id */
	__u32 owner_tgid;
	__u32 netns; /* network namespace inode */
	__u8 saddr[TT_ADDR_LEN]; /* local; IPv4 in the first 4 bytes */
	__u8 daddr[TT_ADDR_LEN]; /* remote */
	char comm[TT_COMM_LEN];
	char owner_comm[TT_COMM_LEN];
	/*
	 * the socket's cgroup v2 id (kernfs node id: the inode of its
	 * directory): where the socket was created, an accepted one's
	 * listener; 0 if none is known (before 5.15 while cgroup v1's
	 * net_prio or net_cls is in use; a time-wait socket)
	 */
	__u64 cgroup_id;
};

_Static_assert(sizeof(struct tt_event) == 128, "tt_event layout changed");

/* timeline's closer, in struct tt_path */
enum tt_closer {
	TT_CLOSER_UNKNOWN,
	TT_CLOSER_LOCAL,
	TT_CLOSER_PEER,
	TT_CLOSER_RESET,
};

/*
 * The life of a connection, kept by the kernel in its per-socket table
 * (sk_paths) and sent once, when it ends (timeline on tp_btf): one record per connection, not
 * one per transition. Steps past TT_PATH_STEPS keep the first half and a
 * ring of the latest: step n >= TT_PATH_STEPS lives at
 * TT_PATH_STEPS / 2 + n % (TT_PATH_STEPS / 2) (path.h).
 */
#define TT_PATH_STEPS 16

struct tt_path {
	__u8 type; /* TT_REC_PATH */
	__u8 state; /* where the path ends: CLOSE, or TIME_WAIT (inferred) */
	__u8 flags; /* TT_F_OPENER, TT_F_OWNER_KNOWN, TT_F_TIME_WAIT */
	__u8 closer; /* enum tt_closer */
	__u8 partial; /* first seen mid-life, or a transition was missed */
	__u8 listener;
	__u8 sent; /* the record was sent: the iterator skips it */
	__u8 tw_substate; /* state TIME_WAIT: as tt_event.tw_substate */
	__u64 sock_id;
	__u64 first_ns; /* the first transition seen */
	__u64 ts_ns; /* the last one: entered 'state' */
	__u64 steps_ns[TT_PATH_STEPS]; /* time in states[i], or unknown */
	__u32 nsteps; /* steps ever added */
	__u32 owner_tgid;
	__u32 netns;
	__u16 sport; /* the last non-zero ones seen */
	__u16 dport;
	__u16 family;
	__u8 states[TT_PATH_STEPS];
	__u8 saddr[TT_ADDR_LEN];
	__u8 daddr[TT_ADDR_LEN];
	char owner_comm[TT_COMM_LEN];
	__u8 __pad1[6];
	__u64 cgroup_id; /* as tt_event.cgroup_id, when the path began */
};

/*
 * The values of the tracer's per-socket tables (bpf/sk_state.bpf.h),
 * keyed by the socket's address; user space reads them where the kernel
 * refuses the iterator over a map.
 */
struct sk_state {
	__u64 id;
	__u64 ts_ns; /* entered the current state */
	__u32 owner_tgid;
	__u8 flags; /* TT_F_OWNER_*, TT_F_ACTIVE, TT_F_PASSIVE */
	__u8 state; /* entered at ts_ns */
	char owner_comm[TT_COMM_LEN];
};

/*
 * timeline on tp_btf: the state and the path (struct tt_path) in one
 * entry, in place of sk_states_hash, and kept the same way.
 */
struct sk_path_state {
	struct sk_state st;
	struct tt_path path;
};

_Static_assert(sizeof(struct tt_path) == 256, "tt_path layout changed");

/*
 * A socket as the iter/tcp program sees it (bpf/iter_tcp.bpf.c): written
 * with bpf_seq_write, one record per socket in a wanted state.
 */
struct tt_sock_rec {
	__u64 sock_id; /* from the tracer's table; 0 if it never saw it */
	__u64 since_ns; /* entered its state (exact), or 0 */
	__u64 idle_ns; /* since the last segment: an age estimate */
	__u64 ino; /* socket inode, to find the owner in /proc */
	__u32 owner_tgid; /* from the tracer's table, 0 if unknown */
	__u32 rx_queue; /* Recv-Q: received, not read by the application */
	__u32 tx_queue; /* Send-Q: sent, not acknowledged */
	__u32 netns;
	__u8 saddr[TT_ADDR_LEN];
	__u8 daddr[TT_ADDR_LEN];
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u8 state;
	__u8 flags; /* enum tt_event_flags, from the tracer's table */
	char owner_comm[TT_COMM_LEN];
	__u64 cgroup_id; /* as tt_event.cgroup_id; 0 for time-wait sockets */
};

_Static_assert(sizeof(struct tt_sock_rec) == 112, "tt_sock_rec layout changed");

/*
 * A connection by its tuple, as timeline follows it through TIME_WAIT
 * (bpf/tw_lookup.bpf.c): local address and port first.
 */
struct tt_tuple {
	__u8 saddr[TT_ADDR_LEN]; /* IPv4: the first 4 bytes, the rest 0 */
	__u8 daddr[TT_ADDR_LEN];
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u16 __pad;
};

/*
 * What the tc lookup (bpf/tw_lookup.bpf.c) tells of a time-wait socket it
 * follows, through a queue.
 */
enum tt_tw_news {
	TT_TW_GONE = 1, /* not there any more: its time-wait ended */
	TT_TW_PEER_FIN = 2, /* an orphaned FIN_WAIT2 got the peer's FIN */
};

struct tt_tw_report {
	struct tt_tuple k;
	__u64 at_ns; /* TT_TW_PEER_FIN: when, to a jiffy; 0 if unknown */
	__u8 news; /* enum tt_tw_news */
	__u8 substate; /* TT_TW_GONE: the one it ended in */
	__u8 __pad[6];
};

#endif /* __TCPTRAIL_H */
