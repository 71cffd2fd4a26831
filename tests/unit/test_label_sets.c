// SPDX-License-Identifier: GPL-2.0
/* export's container label sets (user/model/label_sets.c). */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "model/label_sets.h"

static struct cg_labels labels(int container, int pod, enum cg_qos qos)
{
	struct cg_labels l = { .qos = qos };

	if (container)
		snprintf(l.container_id, sizeof(l.container_id), "%064x",
			 container);
	if (pod)
		snprintf(l.pod_uid, sizeof(l.pod_uid),
			 "00000000-0000-0000-0000-%012x", pod);
	return l;
}

static void test_intern(void **state)
{
	struct label_sets *ls = label_sets_new(3);
	struct cg_labels none = labels(0, 0, CG_QOS_NONE);
	struct cg_labels a = labels(1, 7, CG_QOS_BURSTABLE);
	struct cg_labels b = labels(2, 7, CG_QOS_BURSTABLE);
	struct cg_labels pod = labels(0, 7, CG_QOS_BURSTABLE);
	struct cg_labels a_other_qos = labels(1, 7, CG_QOS_BESTEFFORT);
	__u32 na, nb;

	(void)state;
	assert_non_null(ls);
	assert_int_equal(label_sets_count(ls), 2);
	assert_int_equal(label_sets_intern(ls, &none), LS_NONE);
	na = label_sets_intern(ls, &a);
	nb = label_sets_intern(ls, &b);
	assert_int_equal(na, 2);
	assert_int_equal(nb, 3);
	/* the same labels, the same number, however often */
	for (int i = 0; i < 10; i++) {
		struct cg_labels again = labels(1, 7, CG_QOS_BURSTABLE);

		assert_int_equal(label_sets_intern(ls, &again), na);
	}
	assert_int_equal(label_sets_intern(ls, &pod), 4);
	/* full: a new set is "other", the known ones keep their numbers */
	assert_int_equal(label_sets_intern(ls, &a_other_qos), LS_OTHER);
	assert_int_equal(label_sets_intern(ls, &b), nb);
	assert_int_equal(label_sets_count(ls), 5);
	assert_string_equal(label_sets_container(ls, na), a.container_id);
	assert_string_equal(label_sets_pod(ls, na), a.pod_uid);
	assert_string_equal(label_sets_qos(ls, na), "burstable");
	assert_string_equal(label_sets_container(ls, 4), "");
	assert_string_equal(label_sets_qos(ls, 4), "burstable");
	assert_string_equal(label_sets_container(ls, LS_NONE), "");
	assert_string_equal(label_sets_pod(ls, LS_NONE), "");
	assert_string_equal(label_sets_qos(ls, LS_NONE), "");
	assert_string_equal(label_sets_container(ls, LS_OTHER), "other");
	assert_string_equal(label_sets_pod(ls, LS_OTHER), "other");
	assert_string_equal(label_sets_qos(ls, LS_OTHER), "other");
	label_sets_free(ls);
}

static void test_fold(void **state)
{
	/* sets 0 and 1 are LS_NONE and LS_OTHER: never folded, not ranked */
	const __u64 w[] = { 1000, 1000, 5, 50, 0, 50, 7 };
	__u32 map[ARRAY_SIZE(w)];

	(void)state;
	assert_int_equal(label_sets_fold(w, ARRAY_SIZE(w), 2, map), 2);
	assert_int_equal(map[0], LS_NONE);
	assert_int_equal(map[1], LS_OTHER);
	/* 3 and 5 tie at 50: both kept, the rest folded */
	assert_int_equal(map[3], 3);
	assert_int_equal(map[5], 5);
	assert_int_equal(map[2], LS_OTHER);
	assert_int_equal(map[6], LS_OTHER);
	/* no weight: nothing to fold */
	assert_int_equal(map[4], 4);
	/* a tie at the edge: the lower number stays */
	assert_int_equal(label_sets_fold(w, ARRAY_SIZE(w), 1, map), 3);
	assert_int_equal(map[3], 3);
	assert_int_equal(map[5], LS_OTHER);
	/* room for all */
	assert_int_equal(label_sets_fold(w, ARRAY_SIZE(w), 64, map), 0);
	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		assert_int_equal(map[i], i);
	assert_int_equal(label_sets_fold(w, 2, 0, map), 0);
}

UNIT_GROUP(label_sets)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_fold),
	};

	return cmocka_run_group_tests_name("label_sets", tests, NULL, NULL);
}
