/* SPDX-License-Identifier: GPL-2.0 */
/*
 * export --labels container: the socket's container id, pod UID and QoS
 * class as labels of the per-port series, from its cgroup; bounded by
 * --max-containers.
 */
#ifndef __TT_EXPORT_LABELS_H
#define __TT_EXPORT_LABELS_H

#include <argp.h>
#include <stdbool.h>
#include "kernel/histmap.h"
#include "model/idmap.h"
#include "model/label_sets.h"
#include "output/prom.h"
#include "sys/cgroup_names.h"

#define EXPORT_MAX_CONTAINERS_DEFAULT 64

struct export_labels {
	bool on; /* --labels container */
	__u32 max_sets; /* --max-containers */
	bool max_set; /* given */
	struct cgroup_names *cn;
	struct label_sets *sets;
	struct idmap *set_of; /* cgroup id -> its set, where known */
};

/* argp child for --labels and --max-containers: input export_labels */
extern const struct argp export_labels_argp;

/* once parsed: prints its own error; 0 or TT_EXIT_FAILURE */
int export_labels_open(struct export_labels *l);
void export_labels_close(struct export_labels *l);
/* the set of a socket in cgroup id (LS_NONE: none, or unknown) */
__u32 export_labels_set(struct export_labels *l, __u64 cgroup_id);
/*
 * Before rendering: the histograms' cgroup ids become sets, the sets past
 * --max-containers (by traffic: timed transitions plus sockets now) are
 * folded into LS_OTHER, entries that now share a key are merged, and in
 * is told the sets. socks' sets come from export_labels_set().
 */
void export_labels_apply(struct export_labels *l, struct hist_entry *h,
			 size_t *nh, struct prom_sockets *socks, size_t *ns,
			 struct prom_input *in);

#endif /* __TT_EXPORT_LABELS_H */
