// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/common.h"
#include "model/portstats.h"

struct port_samples {
	__u64 *v;
	size_t n;
	size_t cap;
	__u64 count; /* including those not sampled */
	__u64 max;
};

struct portstats {
	struct port_samples *ports[65536];
	size_t samples;
	size_t max_samples;
};

struct portstats *portstats__new(size_t max_samples)
{
	struct portstats *ps = calloc(1, sizeof(*ps));

	if (ps)
		ps->max_samples = max_samples;
	return ps;
}

void portstats__free(struct portstats *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(ps->ports); i++) {
		if (ps->ports[i])
			free(ps->ports[i]->v);
		free(ps->ports[i]);
	}
	free(ps);
}

void portstats__add(struct portstats *ps, __u16 port, __u64 ns)
{
	struct port_samples *p = ps->ports[port];

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return;
		ps->ports[port] = p;
	}
	p->count++;
	if (ns > p->max)
		p->max = ns;
	if (ps->samples >= ps->max_samples)
		return;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		__u64 *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = ns;
	ps->samples++;
}

/* nearest-rank percentile (0 < q <= 100) of n sorted values */
static __u64 percentile(const __u64 *sorted, size_t n, unsigned int q)
{
	size_t rank;

	if (!n)
		return 0;
	/* nearest rank: the smallest value with at least q% at or below it */
	rank = ((__u64)q * n + 99) / 100;
	return sorted[rank ? rank - 1 : 0];
}

size_t portstats__summarise(struct portstats *ps, struct port_summary **out)
{
	size_t n = 0, i;

	for (i = 0; i < ARRAY_SIZE(ps->ports); i++)
		n += ps->ports[i] != NULL;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return 0;
	n = 0;
	for (i = 0; i < ARRAY_SIZE(ps->ports); i++) {
		struct port_samples *p = ps->ports[i];
		struct port_summary *s = &(*out)[n];

		if (!p)
			continue;
		if (p->n)
			qsort(p->v, p->n, sizeof(*p->v), cmp_u64);
		s->port = i;
		s->count = p->count;
		s->sampled = p->n;
		s->p50_ns = percentile(p->v, p->n, 50);
		s->p99_ns = percentile(p->v, p->n, 99);
		s->max_ns = p->max;
		n++;
	}
	return n;
}
