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
 */
#define IDMAP_MIN_SLOTS 64

struct idmap {
	size_t mask; /* slots - 1; slots a power of two */
	size_t max_slots; /* the first power of two >= 2 * max */
	size_t max;
	size_t count;
	size_t value_size;
	__u64 *ids; /* 0: empty slot */
	char *values;
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
	m->values = calloc(slots, value_size);
	if (!m->ids || !m->values) {
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
	free(m->values);
	free(m);
}

static void *value_at(const struct idmap *m, size_t slot)
{
	return m->values + slot * m->value_size;
}

/* 0 when the records are in twice the slots; -1 (none moved) without memory */
static int grow(struct idmap *m)
{
	struct idmap old = *m;
	size_t slots = (m->mask + 1) * 2;

	m->ids = calloc(slots, sizeof(*m->ids));
	m->values = calloc(slots, m->value_size);
	if (!m->ids || !m->values) {
		free(m->ids);
		free(m->values);
		*m = old;
		return -1;
	}
	m->mask = slots - 1;
	for (size_t j = 0; j <= old.mask; j++) {
		size_t i;

		if (!old.ids[j])
			continue;
		for (i = slot_of(m, old.ids[j]); m->ids[i];
		     i = (i + 1) & m->mask)
			;
		m->ids[i] = old.ids[j];
		memcpy(value_at(m, i), value_at(&old, j), m->value_size);
	}
	free(old.ids);
	free(old.values);
	return 0;
}

void *idmap__lookup(const struct idmap *m, __u64 id)
{
	for (size_t i = slot_of(m, id);; i = (i + 1) & m->mask) {
		if (m->ids[i] == id && id)
			return value_at(m, i);
		if (!m->ids[i])
			return NULL;
	}
}

void *idmap__insert(struct idmap *m, __u64 id)
{
	size_t i;

	if (!id)
		return NULL;
	for (i = slot_of(m, id); m->ids[i]; i = (i + 1) & m->mask)
		if (m->ids[i] == id)
			return value_at(m, i);
	if (m->count >= m->max)
		return NULL;
	/* past half full: twice the slots, or, without memory, fuller */
	if (2 * (m->count + 1) > m->mask + 1 && m->mask + 1 < m->max_slots &&
	    !grow(m))
		for (i = slot_of(m, id); m->ids[i]; i = (i + 1) & m->mask)
			;
	if (m->count + 1 > m->mask)
		return NULL; /* one slot stays empty: probes end */
	m->ids[i] = id;
	m->count++;
	memset(value_at(m, i), 0, m->value_size);
	return value_at(m, i);
}

/* backward-shift deletion: no tombstones, lookups stay short */
void idmap__delete(struct idmap *m, __u64 id)
{
	size_t i = slot_of(m, id), j;

	if (!id)
		return;
	while (m->ids[i] != id) {
		if (!m->ids[i])
			return;
		i = (i + 1) & m->mask;
	}
	m->count--;
	for (j = (i + 1) & m->mask; m->ids[j]; j = (j + 1) & m->mask) {
		size_t home = slot_of(m, m->ids[j]);

		/* move j into the hole at i unless its home lies in (i, j] */
		if (((j - home) & m->mask) < ((j - i) & m->mask))
			continue;
		m->ids[i] = m->ids[j];
		memcpy(value_at(m, i), value_at(m, j), m->value_size);
		i = j;
	}
	m->ids[i] = 0;
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
	for (size_t i = 0; i <= m->mask; i++)
		if (m->ids[i])
			fn(ctx, m->ids[i], value_at(m, i));
}
