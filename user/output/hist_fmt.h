/* SPDX-License-Identifier: GPL-2.0 */
/* A snapshot of the kernel's histograms, as text bars or one JSON line. */
#ifndef __TT_HIST_FMT_H
#define __TT_HIST_FMT_H

#include "kernel/histmap.h"
#include "model/label_sets.h"
#include "output/out.h"

struct hist_view {
	const struct hist_entry *e;
	size_t n;
	__u64 unit_ns; /* 1000 or 1000000 */
	enum tt_key_mode key;
	__u64 untimed; /* left a state entered before tcptrail started */
	__u64 lost; /* kernel counters: dropped transitions */
	__u64 missed; /* transitions no program ran for (busy on the CPU) */
	__u64 gaps; /* sockets seen leaving a state they were not seen entering */
	__u64 elapsed_ns;
	/* --labels container: entries' key.cgroup_id is a set of these */
	const struct label_sets *sets;
	__u64 folded; /* sets summed under "other" */
};

void hist_print_text(struct out *o, const struct hist_view *v);
void hist_print_json(struct out *o, const struct hist_view *v);

#endif /* __TT_HIST_FMT_H */
