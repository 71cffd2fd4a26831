// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "model/idmap.h"

/* no padding: every byte is data, so a short copy or clear would show */
struct rec {
	__u64 id;
	__u64 counter;
	unsigned char tag[16];
};

static bool rec_is_zero(const struct rec *r)
{
	static const struct rec zero;

	return !memcmp(r, &zero, sizeof(*r));
}

static void rec_fill(struct rec *r, __u64 id, __u64 counter)
{
	r->id = id;
	r->counter = counter;
	for (size_t i = 0; i < sizeof(r->tag); i++)
		r->tag[i] = (unsigned char)(id * 31 + counter * 7 + i);
}

/* splitmix64: deterministic, no state outside the caller's */
static __u64 rnd(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void test_basics(void **state)
{
	struct idmap *m = idmap__new(8, sizeof(struct rec));
	struct rec *a, *b;

	(void)state;
	assert_non_null(m);
	assert_int_equal(idmap__count(m), 0);
	assert_null(idmap__lookup(m, 42));

	a = idmap__insert(m, 42);
	assert_non_null(a);
	assert_true(rec_is_zero(a));
	rec_fill(a, 42, 1);
	assert_int_equal(idmap__count(m), 1);
	assert_ptr_equal(idmap__lookup(m, 42), a);
	assert_null(idmap__lookup(m, 43));

	b = idmap__insert(m, 43);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_true(rec_is_zero(b));
	rec_fill(b, 43, 2);
	assert_int_equal(idmap__count(m), 2);

	a = idmap__lookup(m, 42);
	assert_non_null(a);
	assert_int_equal(a->id, 42);
	assert_int_equal(a->counter, 1);

	idmap__delete(m, 42);
	assert_int_equal(idmap__count(m), 1);
	assert_null(idmap__lookup(m, 42));
	b = idmap__lookup(m, 43);
	assert_non_null(b);
	assert_int_equal(b->id, 43);
	assert_int_equal(b->counter, 2);

	/* deleting an absent id changes nothing */
	idmap__delete(m, 42);
	idmap__delete(m, 1000);
	assert_int_equal(idmap__count(m), 1);

	/* a re-inserted id gets a fresh, zeroed record */
	a = idmap__insert(m, 42);
	assert_non_null(a);
	assert_true(rec_is_zero(a));
	assert_int_equal(idmap__count(m), 2);

	idmap__delete(m, 42);
	idmap__delete(m, 43);
	assert_int_equal(idmap__count(m), 0);
	assert_null(idmap__lookup(m, 43));
	idmap__free(m);
	idmap__free(NULL);
}

static void test_large_ids(void **state)
{
	static const __u64 ids[] = { 1,
				     ~0ULL,
				     1ULL << 63,
				     0xffffffffULL,
				     0x100000000ULL,
				     0x8000000000000001ULL };
	struct idmap *m = idmap__new(ARRAY_SIZE(ids), sizeof(struct rec));
	size_t i;

	(void)state;
	assert_non_null(m);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct rec *r = idmap__insert(m, ids[i]);

		assert_non_null(r);
		rec_fill(r, ids[i], i);
	}
	assert_int_equal(idmap__count(m), ARRAY_SIZE(ids));
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct rec *r = idmap__lookup(m, ids[i]);
		struct rec want;

		assert_non_null(r);
		memset(&want, 0, sizeof(want)); /* padding too */
		rec_fill(&want, ids[i], i);
		assert_memory_equal(r, &want, sizeof(want));
	}
	idmap__free(m);
}

static void test_id_zero_insert_lookup(void **state)
{
	struct idmap *m = idmap__new(4, sizeof(struct rec));

	(void)state;
	assert_non_null(m);
	assert_null(idmap__insert(m, 0));
	assert_int_equal(idmap__count(m), 0);
	assert_null(idmap__lookup(m, 0));

	/* and still refused, never found, among other ids */
	for (__u64 id = 1; id <= 3; id++)
		assert_non_null(idmap__insert(m, id));
	assert_null(idmap__insert(m, 0));
	assert_null(idmap__lookup(m, 0));
	assert_int_equal(idmap__count(m), 3);
	idmap__free(m);
}

/* id 0 is never stored, so deleting it must change nothing */
static void test_id_zero_delete(void **state)
{
	struct idmap *m = idmap__new(4, sizeof(struct rec));

	(void)state;
	assert_non_null(m);
	idmap__delete(m, 0);
	assert_int_equal(idmap__count(m), 0);

	for (__u64 id = 1; id <= 3; id++)
		assert_non_null(idmap__insert(m, id));
	idmap__delete(m, 0);
	assert_int_equal(idmap__count(m), 3);
	for (__u64 id = 1; id <= 3; id++)
		assert_non_null(idmap__lookup(m, id));
	idmap__free(m);
}

static void test_insert_existing(void **state)
{
	struct idmap *m = idmap__new(4, sizeof(struct rec));
	struct rec *a;

	(void)state;
	assert_non_null(m);
	a = idmap__insert(m, 7);
	assert_non_null(a);
	rec_fill(a, 7, 99);
	/* the same record, not cleared */
	assert_ptr_equal(idmap__insert(m, 7), a);
	assert_int_equal(a->id, 7);
	assert_int_equal(a->counter, 99);
	assert_int_equal(idmap__count(m), 1);
	idmap__free(m);
}

/* a full map still hands back the record of an id it holds */
static void test_insert_existing_when_full(void **state)
{
	struct idmap *m = idmap__new(2, sizeof(struct rec));
	struct rec *a;

	(void)state;
	assert_non_null(m);
	a = idmap__insert(m, 1);
	assert_non_null(a);
	rec_fill(a, 1, 5);
	assert_non_null(idmap__insert(m, 2));
	assert_int_equal(idmap__count(m), 2);
	assert_null(idmap__insert(m, 3));
	assert_ptr_equal(idmap__insert(m, 1), a);
	assert_int_equal(a->counter, 5);
	assert_int_equal(idmap__count(m), 2);
	idmap__free(m);
}

static void test_full(void **state)
{
	const size_t max = 100;
	struct idmap *m = idmap__new(max, sizeof(struct rec));
	__u64 id;

	(void)state;
	assert_non_null(m);
	for (id = 1; id <= max; id++) {
		struct rec *r = idmap__insert(m, id * 1000);

		assert_non_null(r);
		rec_fill(r, id * 1000, id);
	}
	assert_int_equal(idmap__count(m), max);
	for (id = max + 1; id <= max + 50; id++) {
		assert_null(idmap__insert(m, id * 1000));
		assert_null(idmap__lookup(m, id * 1000));
	}
	assert_int_equal(idmap__count(m), max);

	/* one delete makes room for exactly one more */
	idmap__delete(m, 37 * 1000);
	assert_int_equal(idmap__count(m), max - 1);
	assert_non_null(idmap__insert(m, 5000000));
	assert_int_equal(idmap__count(m), max);
	assert_null(idmap__insert(m, 5000001));
	assert_int_equal(idmap__count(m), max);

	/* nothing else was disturbed */
	for (id = 1; id <= max; id++) {
		struct rec *r = idmap__lookup(m, id * 1000);

		if (id == 37) {
			assert_null(r);
			continue;
		}
		assert_non_null(r);
		assert_int_equal(r->id, id * 1000);
		assert_int_equal(r->counter, id);
	}
	idmap__free(m);
}

static void test_tiny(void **state)
{
	struct idmap *m = idmap__new(0, sizeof(struct rec));

	(void)state;
	assert_non_null(m);
	assert_null(idmap__insert(m, 1));
	assert_null(idmap__lookup(m, 1));
	assert_int_equal(idmap__count(m), 0);
	idmap__free(m);

	m = idmap__new(1, sizeof(struct rec));
	assert_non_null(m);
	assert_non_null(idmap__insert(m, 5));
	assert_null(idmap__insert(m, 6));
	idmap__delete(m, 5);
	assert_null(idmap__lookup(m, 5));
	assert_non_null(idmap__insert(m, 6));
	assert_int_equal(idmap__count(m), 1);
	idmap__free(m);
}

/*
 * The reference: ids base .. base + span - 1, a record and a flag per id,
 * and the live ids in an array (with each one's index) to pick from.
 */
struct model {
	struct idmap *m;
	size_t max;
	__u64 base;
	size_t span;
	struct rec *ref;
	bool *present;
	__u64 *live;
	size_t *pos;
	size_t count;
	__u64 ticks;
};

static void model_init(struct model *md, size_t max, __u64 base, size_t span)
{
	md->m = idmap__new(max, sizeof(struct rec));
	assert_non_null(md->m);
	md->max = max;
	md->base = base;
	md->span = span;
	md->ref = calloc(span, sizeof(*md->ref));
	md->present = calloc(span, sizeof(*md->present));
	md->live = calloc(max + 1, sizeof(*md->live));
	md->pos = calloc(span, sizeof(*md->pos));
	assert_true(md->ref && md->present && md->live && md->pos);
	md->count = 0;
	md->ticks = 0;
}

static void model_free(struct model *md)
{
	idmap__free(md->m);
	free(md->ref);
	free(md->present);
	free(md->live);
	free(md->pos);
}

static void model_check_rec(const struct model *md, __u64 id,
			    const struct rec *got)
{
	const struct rec *want = &md->ref[id - md->base];

	assert_non_null(got);
	assert_int_equal(got->id, id);
	assert_memory_equal(got, want, sizeof(*want));
}

static void model_insert(struct model *md, __u64 id)
{
	size_t k = id - md->base;
	struct rec *r;

	if (md->present[k]) {
		/* a full map's answer is test_insert_existing_when_full's */
		if (md->count >= md->max)
			return;
		r = idmap__insert(md->m, id);
		model_check_rec(md, id, r);
		rec_fill(r, id, ++md->ticks);
		memcpy(&md->ref[k], r, sizeof(*r));
	} else if (md->count < md->max) {
		r = idmap__insert(md->m, id);
		assert_non_null(r);
		assert_true(rec_is_zero(r));
		rec_fill(r, id, ++md->ticks);
		memcpy(&md->ref[k], r, sizeof(*r));
		md->present[k] = true;
		md->pos[k] = md->count;
		md->live[md->count++] = id;
	} else {
		assert_null(idmap__insert(md->m, id));
	}
	assert_int_equal(idmap__count(md->m), md->count);
}

static void model_delete(struct model *md, __u64 id)
{
	size_t k = id - md->base;

	idmap__delete(md->m, id);
	if (md->present[k]) {
		size_t i = md->pos[k];
		__u64 last = md->live[--md->count];

		md->live[i] = last;
		md->pos[last - md->base] = i;
		md->present[k] = false;
	}
	assert_null(idmap__lookup(md->m, id));
	assert_int_equal(idmap__count(md->m), md->count);
}

static void model_lookup(struct model *md, __u64 id)
{
	size_t k = id - md->base;
	struct rec *r = idmap__lookup(md->m, id);

	if (!md->present[k]) {
		assert_null(r);
		return;
	}
	model_check_rec(md, id, r);
	/* a write through the pointer sticks */
	rec_fill(r, id, ++md->ticks);
	memcpy(&md->ref[k], r, sizeof(*r));
}

struct visit {
	const struct model *md;
	bool *seen;
	size_t n;
};

static void visit_one(void *ctx, __u64 id, void *value)
{
	struct visit *v = ctx;
	size_t k = id - v->md->base;

	assert_true(id >= v->md->base && k < v->md->span);
	assert_true(v->md->present[k]);
	assert_false(v->seen[k]);
	v->seen[k] = true;
	v->n++;
	model_check_rec(v->md, id, value);
	assert_ptr_equal(idmap__lookup(v->md->m, id), value);
}

/* for_each visits exactly the live ids, once; lookups agree on [lo, hi) */
static void model_check_all(const struct model *md, __u64 lo, __u64 hi)
{
	struct visit v = { .md = md };

	v.seen = calloc(md->span, sizeof(*v.seen));
	assert_non_null(v.seen);
	idmap__for_each(md->m, visit_one, &v);
	assert_int_equal(v.n, md->count);
	assert_int_equal(idmap__count(md->m), md->count);
	free(v.seen);

	for (__u64 id = lo; id < hi; id++) {
		struct rec *r = idmap__lookup(md->m, id);

		if (md->present[id - md->base])
			model_check_rec(md, id, r);
		else
			assert_null(r);
	}
}

/* random ids from 1 .. span, phases that fill the map and drain it */
static void differential_random(size_t max, size_t span, unsigned long ops,
				__u64 seed)
{
	struct model md;
	size_t full_seen = 0, partial_seen = 0;

	model_init(&md, max, 1, span);
	for (unsigned long op = 0; op < ops; op++) {
		bool filling = (op / 20000) % 2 == 0;
		unsigned int r = rnd(&seed) % 100;
		__u64 id = 1 + rnd(&seed) % span;

		if (r < (filling ? 50 : 20))
			model_insert(&md, id);
		else if (r < 70)
			model_delete(&md, id);
		else
			model_lookup(&md, id);
		if (md.count == max)
			full_seen++;
		else
			partial_seen++;
		if (op % 4096 == 0)
			model_check_all(&md, 1, 1 + span);
	}
	model_check_all(&md, 1, 1 + span);
	/* both regimes were exercised */
	assert_true(full_seen > 0);
	assert_true(partial_seen > 0);

	while (md.count) {
		__u64 id = md.live[rnd(&seed) % md.count];

		model_delete(&md, id);
	}
	model_check_all(&md, 1, 1 + span);
	model_free(&md);
}

/* ids handed out in sequence from base, as socket cookies are */
static void differential_sequential(size_t max, __u64 base, unsigned long ops,
				    __u64 seed)
{
	struct model md;
	__u64 next = base;

	model_init(&md, max, base, ops + 1);
	for (unsigned long op = 0; op < ops; op++) {
		bool filling = (op / 20000) % 2 == 0;
		unsigned int r = rnd(&seed) % 100;

		if (r < (filling ? 50 : 25)) {
			model_insert(&md, next++);
		} else if (r < 75) {
			/* mostly live ids, sometimes any id seen so far */
			if (md.count && r % 4)
				model_delete(&md,
					     md.live[rnd(&seed) % md.count]);
			else if (next > base)
				model_delete(&md,
					     base + rnd(&seed) % (next - base));
		} else if (next > base) {
			model_lookup(&md, base + rnd(&seed) % (next - base));
		}
		if (op % 4096 == 0)
			model_check_all(&md,
					next > base + 3000 ? next - 3000 : base,
					next);
	}
	model_check_all(&md, base, next);
	while (md.count)
		model_delete(&md, md.live[rnd(&seed) % md.count]);
	model_check_all(&md, next > base + 3000 ? next - 3000 : base, next);
	model_free(&md);
}

static void test_differential_random(void **state)
{
	(void)state;
	differential_random(1024, 3000, 200000, 1);
}

/* a few slots: long probe runs, wrap-around, every shift case */
static void test_differential_small(void **state)
{
	(void)state;
	differential_random(1, 3, 20000, 2);
	differential_random(4, 24, 50000, 3);
	differential_random(7, 40, 50000, 4);
	differential_random(16, 20, 50000, 5);
	differential_random(33, 200, 50000, 6);
}

static void test_differential_sequential(void **state)
{
	(void)state;
	differential_sequential(1024, 1, 200000, 7);
	differential_sequential(1024, 0x100000000ULL, 200000, 8);
	differential_sequential(5, 1, 50000, 9);
}

struct count_ctx {
	__u64 sum;
	size_t n;
};

static void count_one(void *ctx, __u64 id, void *value)
{
	struct count_ctx *c = ctx;
	struct rec *r = value;

	assert_int_equal(r->id, id);
	c->sum += id;
	c->n++;
}

static void test_for_each(void **state)
{
	struct idmap *m = idmap__new(64, sizeof(struct rec));
	struct count_ctx c = { 0 };
	__u64 want = 0;

	(void)state;
	assert_non_null(m);
	idmap__for_each(m, count_one, &c);
	assert_int_equal(c.n, 0);

	for (__u64 id = 1; id <= 64; id++) {
		struct rec *r = idmap__insert(m, id);

		assert_non_null(r);
		r->id = id;
	}
	for (__u64 id = 2; id <= 64; id += 2)
		idmap__delete(m, id);
	for (__u64 id = 1; id <= 64; id += 2)
		want += id;
	idmap__for_each(m, count_one, &c);
	assert_int_equal(c.n, 32);
	assert_int_equal(c.sum, want);
	idmap__free(m);
}

/*
 * A million-record bound, 400,000 short-lived ids, at most 100 held at
 * once (a host churning connections): the slots follow the records held,
 * not the bound, and every record moved by growing keeps its contents.
 */
static void test_memory_follows_records(void **state)
{
	struct idmap *m = idmap__new(1 << 20, sizeof(struct rec));
	__u64 id = 1;

	(void)state;
	assert_non_null(m);
	assert_int_equal(idmap__slots(m), 64);
	for (int i = 0; i < 400000; i++, id++) {
		struct rec *r = idmap__insert(m, id);

		assert_non_null(r);
		rec_fill(r, id, 0);
		if (id > 100)
			idmap__delete(m, id - 100);
	}
	assert_int_equal(idmap__count(m), 100);
	assert_int_equal(idmap__slots(m), 256);
	/* then many held at once: it grows, and shrinks never */
	for (int i = 0; i < 5000; i++, id++)
		rec_fill(idmap__insert(m, id), id, 0);
	assert_int_equal(idmap__slots(m), 16384);
	for (__u64 k = id - 5100; k < id; k++) {
		struct rec *r = idmap__lookup(m, k);

		assert_non_null(r);
		assert_int_equal(r->id, k);
	}
	idmap__free(m);
}

UNIT_GROUP(idmap)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_large_ids),
		cmocka_unit_test(test_id_zero_insert_lookup),
		cmocka_unit_test(test_id_zero_delete),
		cmocka_unit_test(test_insert_existing),
		cmocka_unit_test(test_insert_existing_when_full),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_for_each),
		cmocka_unit_test(test_memory_follows_records),
		cmocka_unit_test(test_differential_random),
		cmocka_unit_test(test_differential_small),
		cmocka_unit_test(test_differential_sequential),
	};

	return cmocka_run_group_tests_name("idmap", tests, NULL, NULL);
}
