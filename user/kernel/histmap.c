// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kernel/histmap.h"

void hist_merge(struct tt_hist *a, const struct tt_hist *b)
{
	for (int s = 0; s < TT_HIST_SLOTS; s++)
		a->slots[s] += b->slots[s];
	a->count += b->count;
	a->sum_ns += b->sum_ns;
	if (b->max_ns > a->max_ns)
		a->max_ns = b->max_ns;
}

__u64 hist_quantile_ns(const struct tt_hist *h, unsigned int q, __u64 unit_ns)
{
	__u64 rank = (h->count * q + 99) / 100, seen = 0;

	if (!h->count)
		return 0;
	if (!rank)
		rank = 1;
	for (int s = 0; s < TT_HIST_SLOTS - 1; s++) {
		seen += h->slots[s];
		if (seen >= rank) {
			__u64 up = hist_slot_upper(s) * unit_ns;

			return up < h->max_ns ? up : h->max_ns;
		}
	}
	return h->max_ns;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct hist_entry *a = pa, *b = pb;

	if (a->key.state != b->key.state)
		return a->key.state < b->key.state ? -1 : 1;
	if (a->key.port != b->key.port)
		return a->key.port < b->key.port ? -1 : 1;
	if (a->key.cgroup_id != b->key.cgroup_id)
		return a->key.cgroup_id < b->key.cgroup_id ? -1 : 1;
	return 0;
}

int histmap_read(int fd, int ncpus, struct hist_entry **out, size_t *n)
{
	struct tt_hist *percpu = calloc(ncpus, sizeof(*percpu));
	struct tt_hist_key key, next, *prev = NULL;
	struct hist_entry *v = NULL;
	size_t len = 0, cap = 0;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (!percpu)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, percpu)) {
			if (errno == ENOENT)
				continue; /* deleted meanwhile */
			err = -errno;
			break;
		}
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct hist_entry *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				err = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		memset(&v[len], 0, sizeof(v[len]));
		v[len].key = key;
		for (int cpu = 0; cpu < ncpus; cpu++)
			hist_merge(&v[len].h, &percpu[cpu]);
		/* the kernel counts only slots: +Inf is _count by construction */
		v[len].h.count = 0;
		for (int s = 0; s < TT_HIST_SLOTS; s++)
			v[len].h.count += v[len].h.slots[s];
		if (v[len].h.count)
			len++;
	}
	free(percpu);
	if (err) {
		free(v);
		return err;
	}
	if (len)
		qsort(v, len, sizeof(*v), cmp_entry);
	*out = v;
	*n = len;
	return 0;
}

int transitions_read(int fd, int ncpus, __u64 out[TT_NSTATES * TT_NSTATES])
{
	__u64 *percpu = calloc(ncpus, sizeof(*percpu));
	int err = 0;

	if (!percpu)
		return -ENOMEM;
	for (__u32 i = 0; i < TT_NSTATES * TT_NSTATES; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, percpu)) {
			err = -errno;
			break;
		}
		for (int cpu = 0; cpu < ncpus; cpu++)
			out[i] += percpu[cpu];
	}
	free(percpu);
	return err;
}
