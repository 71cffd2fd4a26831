/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracer's per-socket tables, shared by the BPF objects; their values
 * are in tcptrail.h, for user space too.
 */
#ifndef __TT_SK_STATE_BPF_H
#define __TT_SK_STATE_BPF_H

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

/* timeline on tp_btf: in place of sk_states_hash, and kept the same way */
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

/* what an iterator's record takes from the tracer's entry for a socket */
static __always_inline void rec_from_state(struct tt_sock_rec *r,
					   const struct sk_state *st)
{
	r->sock_id = st->id;
	r->since_ns = st->ts_ns;
	r->flags = st->flags;
	if (st->flags & TT_F_OWNER_KNOWN) {
		r->owner_tgid = st->owner_tgid;
		__builtin_memcpy(r->owner_comm, st->owner_comm,
				 sizeof(r->owner_comm));
	}
}

#endif /* __TT_SK_STATE_BPF_H */
