/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The container label sets of export's series (container_id, pod_uid,
 * qos), each given a number that stays the same while export runs, and
 * the choice of which sets keep their labels in a scrape.
 */
#ifndef __TT_LABEL_SETS_H
#define __TT_LABEL_SETS_H

#include <stddef.h>
#include <linux/types.h>
#include "model/cgroup_labels.h"

/* every label empty: not in a container, or its cgroup is unknown */
#define LS_NONE 0
/* the sets summed together: every label "other" */
#define LS_OTHER 1

struct label_sets;

/* room for max sets besides LS_NONE and LS_OTHER; NULL if out of memory */
struct label_sets *label_sets_new(size_t max);
void label_sets_free(struct label_sets *ls);
/*
 * The number of l's set, made if new; LS_NONE for no container and no
 * pod, LS_OTHER once the table is full.
 */
__u32 label_sets_intern(struct label_sets *ls, const struct cg_labels *l);
/* sets numbered so far, LS_NONE and LS_OTHER included */
size_t label_sets_count(const struct label_sets *ls);
/* the labels of set n ("other" for LS_OTHER): n < label_sets_count() */
const char *label_sets_container(const struct label_sets *ls, __u32 n);
const char *label_sets_pod(const struct label_sets *ls, __u32 n);
const char *label_sets_qos(const struct label_sets *ls, __u32 n);

/*
 * Which sets keep their labels: weight[n] for every set n < count, the
 * keep heaviest (ties: the lower number) keep theirs, the rest map to
 * LS_OTHER in map[0..count); LS_NONE and LS_OTHER always map to
 * themselves and do not count against keep. Returns how many sets were
 * folded into LS_OTHER, or -1 when out of memory (then every set keeps
 * its labels).
 */
long label_sets_fold(const __u64 *weight, size_t count, size_t keep,
		     __u32 *map);

#endif /* __TT_LABEL_SETS_H */
