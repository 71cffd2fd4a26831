/* SPDX-License-Identifier: GPL-2.0 */
/* Durations per service port, for the exit summaries: count, p50/p99/max. */
#ifndef __TT_PORTSTATS_H
#define __TT_PORTSTATS_H

#include <stddef.h>
#include <linux/types.h>

struct portstats;

struct port_summary {
	__u16 port;
	__u64 count;
	__u64 sampled; /* p50 and p99 (nearest rank) are of these; 0: unknown */
	__u64 p50_ns;
	__u64 p99_ns;
	__u64 max_ns;
};

/*
 * keeps at most max_samples durations in all; past that, counts only:
 * counts and max stay exact, count - sampled did not fit
 */
struct portstats *portstats__new(size_t max_samples);
void portstats__free(struct portstats *ps);
void portstats__add(struct portstats *ps, __u16 port, __u64 ns);
/* one summary per port with samples, by port; caller frees *out */
size_t portstats__summarise(struct portstats *ps, struct port_summary **out);

#endif /* __TT_PORTSTATS_H */
