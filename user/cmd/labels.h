/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --labels container (export and hist): the socket's container id, pod
 * UID and QoS class beside its port, from its cgroup; bounded by
 * --max-containers.
 */
#ifndef __TT_LABELS_H
#define __TT_LABELS_H

#include <argp.h>
#include <stdbool.h>
#include "kernel/histmap.h"
#include "model/idmap.h"
#include "model/label_sets.h"
#include "output/prom.h"
#include "sys/cgroup_names.h"

#define LABELS_MAX_CONTAINERS_DEFAULT 64

struct labels_opt {
	bool on; /* --labels container */
	__u32 max_sets; /* --max-containers */
	bool max_set; /* given */
	struct cgroup_names *cn;
	struct label_sets *sets;
	struct idmap *set_of; /* cgroup id -> its set, where known */
};

/* argp child for --labels and --max-containers: input labels_opt */
extern const struct argp labels_argp;

/* once parsed: prints its own error; 0 or TT_EXIT_FAILURE */
int labels_open(struct labels_opt *l);
void labels_close(struct labels_opt *l);
/* the set of a socket in cgroup id (LS_NONE: none, or unknown) */
__u32 labels_set(struct labels_opt *l, __u64 cgroup_id);
/*
 * Before printing: the histograms' cgroup ids become sets, the sets past
 * --max-containers (by traffic: timed transitions plus sockets now) are
 * folded into LS_OTHER and entries that now share a key are merged.
 * socks' sets come from labels_set(); socks may be NULL with *ns 0.
 * Returns how many sets were folded.
 */
__u64 labels_apply(struct labels_opt *l, struct hist_entry *h, size_t *nh,
		   struct prom_sockets *socks, size_t *ns);

#endif /* __TT_LABELS_H */
