// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "model/label_sets.h"

struct label_sets {
	struct cg_labels *v; /* [0], [1]: LS_NONE, LS_OTHER, unused */
	size_t n, cap;
	/* open addressing over v's indexes, 0 for an empty slot */
	__u32 *slots;
	size_t mask;
};

struct label_sets *label_sets_new(size_t max)
{
	struct label_sets *ls = calloc(1, sizeof(*ls));
	size_t nslots = 4;

	if (!ls)
		return NULL;
	ls->cap = max + 2;
	while (nslots < ls->cap * 2)
		nslots *= 2;
	ls->v = calloc(ls->cap, sizeof(*ls->v));
	ls->slots = calloc(nslots, sizeof(*ls->slots));
	if (!ls->v || !ls->slots) {
		label_sets_free(ls);
		return NULL;
	}
	ls->mask = nslots - 1;
	ls->n = 2;
	return ls;
}

void label_sets_free(struct label_sets *ls)
{
	if (!ls)
		return;
	free(ls->v);
	free(ls->slots);
	free(ls);
}

/* FNV-1a over what the labels say */
static size_t hash(const struct cg_labels *l)
{
	__u64 h = 0xcbf29ce484222325ULL;
	const char *parts[] = { l->container_id, l->pod_uid };

	for (size_t i = 0; i < 2; i++)
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h = (h ^ l->qos) * 0x100000001b3ULL;
	return h;
}

static bool same(const struct cg_labels *a, const struct cg_labels *b)
{
	return a->qos == b->qos && !strcmp(a->container_id, b->container_id) &&
	       !strcmp(a->pod_uid, b->pod_uid);
}

__u32 label_sets_intern(struct label_sets *ls, const struct cg_labels *l)
{
	size_t i;

	if (!l->container_id[0] && !l->pod_uid[0])
		return LS_NONE;
	for (i = hash(l) & ls->mask; ls->slots[i]; i = (i + 1) & ls->mask)
		if (same(&ls->v[ls->slots[i]], l))
			return ls->slots[i];
	if (ls->n == ls->cap)
		return LS_OTHER;
	ls->v[ls->n] = *l;
	ls->slots[i] = ls->n;
	return ls->n++;
}

size_t label_sets_count(const struct label_sets *ls)
{
	return ls->n;
}

const char *label_sets_container(const struct label_sets *ls, __u32 n)
{
	return n == LS_OTHER ? "other" : ls->v[n].container_id;
}

const char *label_sets_pod(const struct label_sets *ls, __u32 n)
{
	return n == LS_OTHER ? "other" : ls->v[n].pod_uid;
}

const char *label_sets_qos(const struct label_sets *ls, __u32 n)
{
	const char *q;

	if (n == LS_OTHER)
		return "other";
	q = cg_qos_str(ls->v[n].qos);
	return q ? q : "";
}

struct ranked {
	__u32 set;
	__u64 weight;
};

static int heaviest_first(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return a->set < b->set ? -1 : a->set > b->set;
}

long label_sets_fold(const __u64 *weight, size_t count, size_t keep, __u32 *map)
{
	struct ranked *r = calloc(count + 1, sizeof(*r));
	size_t n = 0;
	long folded = 0;

	for (size_t i = 0; i < count; i++)
		map[i] = i;
	if (!r)
		return -1;
	for (size_t i = 0; i < count; i++)
		if (i != LS_NONE && i != LS_OTHER && weight[i])
			r[n++] = (struct ranked){ i, weight[i] };
	qsort(r, n, sizeof(*r), heaviest_first);
	for (size_t i = keep; i < n; i++) {
		map[r[i].set] = LS_OTHER;
		folded++;
	}
	free(r);
	return folded;
}
