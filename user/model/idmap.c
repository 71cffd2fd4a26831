// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/common.h"
#include "model/idmap.h"

/*
 * The slots grow by doubling as records come, up to the first power of
 * two >= 2 * max: memory follows the most records held at once, not the
 * bound. A host that opens millions of short connections, few at a time,
 * keeps a small table that stays in cache, rather than a bound-sized one
 * whose pages fill in one by one as ids hash all over it.
 *
 * The records themselves lie dense, in the order they came, apart from
 * the slots, which hold only an id and an index (12 bytes): the half-empty
 * slots then cost 12 to 24 bytes a record rather than a record or two, and
 * growing rehashes those 12 bytes without moving a record, so that a burst
 * of inserts never stalls the reader for long.
 */
#define IDMAP_MIN_SLOTS 64

struct idmap {
	size_t mask; /* slots - 1; slots a power of two */
	size_t max_slots; /* the first power of two >= 2 * max */
	size_t max;
	size_t count;
	size_t cap; /* records allocated */
	size_t value_size;
	__u64 *ids; /* per slot, 0: empty slot */
	__u32 *idx; /* per slot, its record's index */
	__u64 *rec_ids; /* per record, its id */
	char *values; /* per record */
};

static size_t slot_of(const struct idmap *m, __u64 id)
{
	/*
	 * ids hold the CPU in their low bits and a sequence above, tuple
	 * keys their top bit: mix every bit into every bit (splitmix64's
	 * finaliser) before taking the low ones
	 */
	id ^= id >> 30;
	id *= 0xbf58476d1ce4e5b9ULL;
	id ^= id >> 27;
	id *= 0x94d049bb133111ebULL;
	id ^= id >> 31;
	return id & m->mask;
}

struct idmap *idmap__new(size_t max_entries, size_t value_size)
{
	struct idmap *m = calloc(1, sizeof(*m));
	size_t slots = 2;

	if (!m)
		return NULL;
	while (slots < 2 * max_entries)
		slots *= 2;
	m->max_slots = slots;
	if (slots > IDMAP_MIN_SLOTS)
		slots = IDMAP_MIN_SLOTS;
	m->mask = slots - 1;
	m->max = max_entries;
	m->value_size = value_size;
	m->ids = calloc(slots, sizeof(*m->ids));
	m->idx = calloc(slots, sizeof(*m->idx));
	if (!m->ids || !m->idx) {
		idmap__free(m);
		return NULL;
	}
	return m;
}

void idmap__free(struct idmap *m)
{
	if (!m)
		return;
	free(m->ids);
	free(m->idx);
	free(m->rec_ids);
	free(m->values);
	free(m);
}

static void *value_at(const struct idmap *m, size_t rec)
{
	return m->values + rec * m->value_size;
}

/* the slot of id, or of the empty slot where it would go */
static size_t find(const struct idmap *m, __u64 id)
{
	size_t i;

	for (i = slot_of(m, id); m->ids[i] && m->ids[i] != id;
	     i = (i + 1) & m->mask)
		;
	return i;
}

/* 0 when the slots are twice as many; -1 (nothing changed) without memory */
static int grow(struct idmap *m)
{
	size_t slots = (m->mask + 1) * 2, old_mask = m->mask;
	__u64 *old_ids = m->ids, *ids = calloc(slots, sizeof(*ids));
	__u32 *old_idx = m->idx, *idx = calloc(slots, sizeof(*idx));

	if (!ids || !idx) {
		free(ids);
		free(idx);
		return -1;
	}
	m->ids = ids;
	m->idx = idx;
	m->mask = slots - 1;
	for (size_t j = 0; j <= old_mask; j++) {
		size_t i;

		if (!old_ids[j])
			continue;
		i = find(m, old_ids[j]);
		m->ids[i] = old_ids[j];
		m->idx[i] = old_idx[j];
	}
	free(old_ids);
	free(old_idx);
	return 0;
}

/* room for one more record: 0, or -1 without memory */
static int reserve(struct idmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : IDMAP_MIN_SLOTS / 2;
	__u64 *rec_ids;
	char *values;

	if (m->count < m->cap)
		return 0;
	if (cap > m->max)
		cap = m->max;
	rec_ids = realloc(m->rec_ids, cap * sizeof(*rec_ids));
	if (!rec_ids)
		return -1;
	m->rec_ids = rec_ids;
	values = realloc(m->values, cap * m->value_size);
	if (!values)
		return -1;
	m->values = values;
	m->cap = cap;
	return 0;
}

void *idmap__lookup(const struct idmap *m, __u64 id)
{
	size_t i;

	if (!id)
		return NULL;
	i = find(m, id);
	return m->ids[i] ? value_at(m, m->idx[i]) : NULL;
}

void *idmap__insert(struct idmap *m, __u64 id)
{
	size_t i;
	void *v;

	if (!id)
		return NULL;
	i = find(m, id);
	if (m->ids[i])
		return value_at(m, m->idx[i]);
	if (m->count >= m->max || reserve(m))
		return NULL;
	/* past half full: twice the slots, or, without memory, fuller */
	if (2 * (m->count + 1) > m->mask + 1 && m->mask + 1 < m->max_slots &&
	    !grow(m))
		i = find(m, id);
	if (m->count + 1 > m->mask)
		return NULL; /* one slot stays empty: probes end */
	m->ids[i] = id;
	m->idx[i] = m->count;
	m->rec_ids[m->count] = id;
	v = value_at(m, m->count++);
	memset(v, 0, m->value_size);
	return v;
}

/*
 * Backward-shift deletion in the slots (no tombstones, lookups stay
 * short); the last record moves into the hole its record leaves.
 */
void idmap__delete(struct idmap *m, __u64 id)
{
	size_t i, j, rec, last;

	if (!id)
		return;
	i = find(m, id);
	if (!m->ids[i])
		return;
	rec = m->idx[i];
	for (j = (i + 1) & m->mask; m->ids[j]; j = (j + 1) & m->mask) {
		size_t home = slot_of(m, m->ids[j]);

		/* move j into the hole at i unless its home lies in (i, j] */
		if (((j - home) & m->mask) < ((j - i) & m->mask))
			continue;
		m->ids[i] = m->ids[j];
		m->idx[i] = m->idx[j];
		i = j;
	}
	m->ids[i] = 0;
	last = --m->count;
	if (rec != last) {
		memcpy(value_at(m, rec), value_at(m, last), m->value_size);
		m->rec_ids[rec] = m->rec_ids[last];
		m->idx[find(m, m->rec_ids[rec])] = rec;
	}
}

size_t idmap__count(const struct idmap *m)
{
	return m->count;
}

size_t idmap__slots(const struct idmap *m)
{
	return m->mask + 1;
}

void idmap__for_each(const struct idmap *m,
		     void (*fn)(void *ctx, __u64 id, void *value), void *ctx)
{
	for (size_t r = 0; r < m->count; r++)
		fn(ctx, m->rec_ids[r], value_at(m, r));
}
