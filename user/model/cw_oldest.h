/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The oldest sockets in CLOSE_WAIT, at most max of them, of any number
 * offered: closewait's list at exit, in memory bounded whatever the
 * number of sockets left there.
 */
#ifndef __TT_MODEL_CW_OLDEST_H
#define __TT_MODEL_CW_OLDEST_H

#include <stdbool.h>
#include <stddef.h>
#include "model/closewait.h"

struct cw_oldest_key {
	__u64 since_ns;
	size_t slot; /* in v */
};

struct cw_oldest {
	struct cw_open *v; /* the ones kept, in no order until sorted */
	/* a heap on since_ns over v: heap[0] is the youngest one kept */
	struct cw_oldest_key *heap;
	size_t n, cap, max;
	__u64 not_listed; /* offered and not kept: younger, or no memory */
	__u64 not_listed_estimated; /* of those, the ones estimated */
	bool oom;
};

void cw_oldest_init(struct cw_oldest *o, size_t max);
/* false when out of memory: the socket is counted in not_listed */
bool cw_oldest_add(struct cw_oldest *o, const struct cw_open *c);
/* v[0..n) oldest first; nothing may be added after */
void cw_oldest_sort(struct cw_oldest *o);
void cw_oldest_free(struct cw_oldest *o);

#endif /* __TT_MODEL_CW_OLDEST_H */
