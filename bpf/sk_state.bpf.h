/* SPDX-License-Identifier: GPL-2.0 */
/* Per-socket state in BPF socket storage, shared by the BPF objects. */
#ifndef __TT_SK_STATE_BPF_H
#define __TT_SK_STATE_BPF_H

struct sk_state {
	__u64 id;
	__u64 ts_ns; /* entered the current state */
	__u64 skaddr; /* tells a clone (accepted child) from its listener */
	__u32 owner_tgid;
	__u8 flags; /* TT_F_OWNER_*, TT_F_ACTIVE, TT_F_PASSIVE */
	__u8 state; /* entered at ts_ns */
	char owner_comm[TT_COMM_LEN];
};

/*
 * Keyed by the socket's address, dropped at its transition to CLOSE. A
 * hash, not socket storage: storage allocates for every new socket and
 * copies for every accepted one, which cost 8% of the connection rate
 * under churn (bench/run.sh trace-null: 0.879 against 0.964). A CLOSE the
 * kernel skipped (counted as missed) leaves an entry behind; the next
 * socket at that address starts afresh at its first transition (leaving
 * CLOSE, or LISTEN for an accepted one). Not preallocated: memory follows
 * the sockets seen. A full table is counted (untracked).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1); /* sized by user space */
	__type(key, __u64);
	__type(value, struct sk_state);
} sk_states_hash SEC(".maps");

/*
 * timeline on tp_btf: the state and the path (struct tt_path) in one
 * entry, in place of sk_states_hash, and kept the same way.
 */
struct sk_path_state {
	struct sk_state st;
	struct tt_path path;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1); /* sized by user space */
	__type(key, __u64);
	__type(value, struct sk_path_state);
} sk_paths SEC(".maps");

/*
 * Stateless aggregation: when a socket enters a timed state, the time
 * goes into this hash, keyed by the socket's address; it leaves when the
 * socket leaves the state. Every socket ends with a transition to CLOSE,
 * which is never timed, so nothing stays behind, unless the kernel skipped
 * that transition (counted as missed): the state in the entry keeps such
 * a leftover from timing the next socket at that address, which replaces
 * it. Far cheaper than socket storage, which allocates for every new
 * socket and copies for every accepted one. A full table is counted
 * (untracked), its times untimed.
 */
struct sk_entered {
	__u64 since;
	__u32 state;
	__u32 __pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1); /* sized by user space */
	__type(key, __u64);
	__type(value, struct sk_entered);
} entered SEC(".maps");

#endif /* __TT_SK_STATE_BPF_H */
