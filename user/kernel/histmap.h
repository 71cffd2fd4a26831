/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's aggregates, summed over CPUs: histograms and transitions. */
#ifndef __TT_HISTMAP_H
#define __TT_HISTMAP_H

#include <stddef.h>
#include "tcptrail.h"

struct hist_entry {
	struct tt_hist_key key;
	struct tt_hist h;
};

/*
 * Every key of the per-CPU 'hists' map with a count, sorted by state, then
 * port (TT_PORT_OTHER last), then cgroup. Caller frees *out. 0 or -errno.
 */
int histmap_read(int fd, int ncpus, struct hist_entry **out, size_t *n);
/* transitions[from * TT_NSTATES + to], summed over CPUs */
int transitions_read(int fd, int ncpus, __u64 out[TT_NSTATES * TT_NSTATES]);

/* upper bound of slot s, in units; the last slot has none */
static inline __u64 hist_slot_upper(unsigned int s)
{
	return 1ULL << s;
}

/*
 * Nearest-rank quantile (0 < q <= 100): the upper bound of the slot that
 * holds it, in ns, but never above the exact max. 0 when empty.
 */
__u64 hist_quantile_ns(const struct tt_hist *h, unsigned int q, __u64 unit_ns);
/* merge b into a */
void hist_merge(struct tt_hist *a, const struct tt_hist *b);

#endif /* __TT_HISTMAP_H */
