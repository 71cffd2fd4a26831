// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "model/cw_oldest.h"

void cw_oldest_init(struct cw_oldest *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max ? max : 1;
}

static void swap(struct cw_oldest_key *a, struct cw_oldest_key *b)
{
	struct cw_oldest_key t = *a;

	*a = *b;
	*b = t;
}

/* the younger (larger since_ns) above */
static void sift_up(struct cw_oldest_key *h, size_t i)
{
	while (i && h[(i - 1) / 2].since_ns < h[i].since_ns) {
		swap(&h[(i - 1) / 2], &h[i]);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct cw_oldest_key *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;

		if (l < n && h[l].since_ns > h[top].since_ns)
			top = l;
		if (r < n && h[r].since_ns > h[top].since_ns)
			top = r;
		if (top == i)
			return;
		swap(&h[top], &h[i]);
		i = top;
	}
}

static bool grow(struct cw_oldest *o)
{
	size_t cap = o->cap ? 2 * o->cap : 64;
	struct cw_oldest_key *h;
	struct cw_open *v;

	if (cap > o->max)
		cap = o->max;
	v = realloc(o->v, cap * sizeof(*v));
	if (v)
		o->v = v;
	h = v ? realloc(o->heap, cap * sizeof(*h)) : NULL;
	if (!h)
		return false;
	o->heap = h;
	o->cap = cap;
	return true;
}

bool cw_oldest_add(struct cw_oldest *o, const struct cw_open *c)
{
	struct cw_oldest_key *top = o->heap;

	if (o->n == o->max) {
		/* full: it takes the youngest one's place, or is not listed */
		o->not_listed++;
		if (c->since_ns < top->since_ns) {
			o->not_listed_estimated += o->v[top->slot].estimated;
			o->v[top->slot] = *c;
			top->since_ns = c->since_ns;
			sift_down(o->heap, o->n, 0);
		} else {
			o->not_listed_estimated += c->estimated;
		}
		return true;
	}
	if (o->n == o->cap && !grow(o)) {
		o->oom = true;
		o->not_listed++;
		o->not_listed_estimated += c->estimated;
		return false;
	}
	o->v[o->n] = *c;
	o->heap[o->n].since_ns = c->since_ns;
	o->heap[o->n].slot = o->n;
	sift_up(o->heap, o->n++);
	return true;
}

static int by_age(const void *a, const void *b)
{
	const struct cw_open *x = a, *y = b;

	return x->since_ns < y->since_ns ? -1 : x->since_ns > y->since_ns;
}

void cw_oldest_sort(struct cw_oldest *o)
{
	free(o->heap);
	o->heap = NULL;
	if (o->n)
		qsort(o->v, o->n, sizeof(*o->v), by_age);
}

void cw_oldest_free(struct cw_oldest *o)
{
	free(o->v);
	free(o->heap);
	memset(o, 0, sizeof(*o));
}
