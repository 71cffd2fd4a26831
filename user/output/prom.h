/* SPDX-License-Identifier: GPL-2.0 */
/* The Prometheus text exposition of tcptrail's aggregates (version 0.0.4). */
#ifndef __TT_PROM_H
#define __TT_PROM_H

#include "kernel/histmap.h"
#include "model/label_sets.h"
#include "output/out.h"

/* sockets now in a state, from the iterator */
struct prom_sockets {
	__u32 port; /* service port, or TT_PORT_OTHER */
	__u32 state;
	__u64 count;
	__u64 oldest_ns; /* time in the state of the oldest, if known */
	__u32 set; /* with container labels: their set, else LS_NONE */
};

/*
 * The socket gauge series of the last rendering with a socket in them:
 * one that has none now is shown once more, at 0, rather than vanishing.
 */
struct prom_last {
	struct prom_sockets *v;
	size_t n;
};

struct prom_input {
	const struct hist_entry *hists; /* unit: 1 us */
	size_t nhists;
	const __u64 *transitions; /* TT_NSTATES * TT_NSTATES */
	const struct prom_sockets *socks;
	size_t nsocks;
	__u32 sock_states; /* bit n: the gauge covers state n */
	__u32 max_ports; /* port label values, beyond that "other" */
	__u64 lost, untimed, untracked, missed, gaps;
	const char *attach; /* "tp_btf" or "tracepoint", for build_info */
	struct prom_last *last; /* read and updated; NULL: none */
	/*
	 * export --labels container: each per-port series has the labels of
	 * its set (hist_entry.key.cgroup_id and prom_sockets.set hold set
	 * numbers); NULL: none
	 */
	const struct label_sets *sets;
	__u64 folded; /* with sets: how many were summed under "other" */
};

/*
 * Sort v by state, port and set, and merge entries of the same (counts
 * summed, the oldest kept): O(n log n) at any number of ports. Returns the
 * new length.
 */
size_t prom_sockets_merge(struct prom_sockets *v, size_t n);

/*
 * Everything, to o. Port labels are bounded: the max_ports ports with the
 * most traffic (timed transitions plus sockets now open) keep their own,
 * the rest are merged under port="other".
 */
void prom_render(struct out *o, const struct prom_input *in);
void prom_last_free(struct prom_last *l);

#endif /* __TT_PROM_H */
