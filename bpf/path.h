/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A connection's path: its states, each with the time spent in it, kept in
 * TT_PATH_STEPS slots (states[], steps_ns[]) and a count of every step
 * ever added (nsteps). Past TT_PATH_STEPS the first half stays and the
 * second half is a ring of the latest: step n >= TT_PATH_STEPS lives at
 * TT_PATH_STEPS / 2 + n % (TT_PATH_STEPS / 2), and the steps between the
 * halves are dropped.
 *
 * Plain C, no BPF helper: the kernel keeps its paths this way (struct
 * tt_path, path.bpf.h) and so does user space (struct tl_conn), and the
 * unit tests test this very code. Included after vmlinux.h in bpf/, after
 * <linux/types.h> in user/.
 */
#ifndef __TT_PATH_H
#define __TT_PATH_H

#ifndef __bpf__
#include <stdbool.h>
#endif
#include "tcptrail.h"

#ifdef __bpf__
#define TT_PATH_INLINE static __always_inline
#else
#define TT_PATH_INLINE static inline
#endif

#define TT_PATH_HALF (TT_PATH_STEPS / 2)

/* the slot of step n, counting every step ever added from 0 */
TT_PATH_INLINE __u32 tt_path_slot(__u32 n)
{
	__u32 i = n < TT_PATH_STEPS ? n : TT_PATH_HALF + n % TT_PATH_HALF;

	/* a bound the verifier sees */
	return i & (TT_PATH_STEPS - 1);
}

/* how many of n steps are kept */
TT_PATH_INLINE __u32 tt_path_kept(__u32 n)
{
	return n < TT_PATH_STEPS ? n : TT_PATH_STEPS;
}

/* some of n steps were dropped: those between the two halves */
TT_PATH_INLINE bool tt_path_dropped(__u32 n)
{
	return n > TT_PATH_STEPS;
}

/* the steps dropped of n were between kept steps i and i + 1 */
TT_PATH_INLINE bool tt_path_gap_after(__u32 n, __u32 i)
{
	return tt_path_dropped(n) && i == TT_PATH_HALF - 1;
}

/* the slot of kept step i of n, in order: i < tt_path_kept(n) */
TT_PATH_INLINE __u32 tt_path_at(__u32 n, __u32 i)
{
	if (i < TT_PATH_HALF || n <= TT_PATH_STEPS)
		return i & (TT_PATH_STEPS - 1);
	/* the ring, from its oldest step: n - TT_PATH_HALF */
	return tt_path_slot(n - TT_PATH_STEPS + i);
}

/*
 * step *nsteps: 'state', left after ns. A state left for itself (FIN_WAIT2
 * -> FIN_WAIT2: shutdown(SHUT_WR), then close()) is no new step: its
 * time goes to the last one.
 */
TT_PATH_INLINE void tt_path_add(__u8 *states, __u64 *steps_ns, __u32 *nsteps,
				__u8 state, __u64 ns)
{
	__u32 n = *nsteps, i = tt_path_slot(n), last;

	if (n) {
		last = tt_path_slot(n - 1);
		if (states[last] == state) {
			if (ns == TT_DELTA_UNKNOWN ||
			    steps_ns[last] == TT_DELTA_UNKNOWN)
				steps_ns[last] = TT_DELTA_UNKNOWN;
			else
				steps_ns[last] += ns;
			return;
		}
	}
	states[i] = state;
	steps_ns[i] = ns;
	*nsteps = n + 1;
}

/*
 * The last of n steps becomes this one: a step removed and added again.
 * Removing a step is not possible once the ring has wrapped (the slot
 * freed held a step now lost), so replacing one is how it is done.
 */
TT_PATH_INLINE void tt_path_set_last(__u8 *states, __u64 *steps_ns, __u32 n,
				     __u8 state, __u64 ns)
{
	__u32 i;

	if (!n)
		return;
	i = tt_path_slot(n - 1);
	states[i] = state;
	steps_ns[i] = ns;
}

#endif /* __TT_PATH_H */
