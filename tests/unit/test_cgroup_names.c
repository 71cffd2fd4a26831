// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup ids to paths (user/sys/cgroup_names.c), on a directory tree
 * made here: the walk reads inode numbers, as it does on cgroupfs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "unit.h"
#include "util/common.h"
#include "sys/cgroup_names.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD "kubepods-besteffort-pod8a3b1f2e_5c6d_4e7f_9a0b_1c2d3e4f5a6b.slice"

static const char *const dirs[] = {
	"/kubepods.slice",
	"/kubepods.slice/kubepods-besteffort.slice",
	"/kubepods.slice/kubepods-besteffort.slice/" POD,
	"/kubepods.slice/kubepods-besteffort.slice/" POD "/cri-containerd-" ID
	".scope",
	"/system.slice",
	"/system.slice/sshd.service",
};

struct tree {
	char root[64];
	__u64 ino[ARRAY_SIZE(dirs)];
};

static __u64 ino_of(const char *root, const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	if (stat(p, &st))
		return 0;
	return st.st_ino;
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char p[512];

	if (!t)
		return -1;
	strcpy(t->root, "/tmp/tt-cgnames.XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s%s", t->root, dirs[i]);
		if (mkdir(p, 0755))
			return -1;
		t->ino[i] = ino_of(t->root, dirs[i]);
	}
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char p[512];

	for (size_t i = ARRAY_SIZE(dirs); i-- > 0;) {
		snprintf(p, sizeof(p), "%s%s", t->root, dirs[i]);
		rmdir(p);
	}
	rmdir(t->root);
	free(t);
	return 0;
}

static void test_finds_every_dir(void **state)
{
	struct tree *t = *state;
	struct cgroup_names *cn = cgroup_names_new(t->root, 64);
	const struct cg_info *ci;

	assert_non_null(cn);
	assert_null(cgroup_names_get(cn, 0));
	ci = cgroup_names_get(cn, ino_of(t->root, ""));
	assert_non_null(ci);
	assert_string_equal(ci->path, "/");
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		ci = cgroup_names_get(cn, t->ino[i]);
		assert_non_null(ci);
		assert_non_null(ci->path);
		assert_string_equal(ci->path, dirs[i]);
	}
	/* one walk learnt them all */
	assert_int_equal(cgroup_names_walks(cn), 1);
	ci = cgroup_names_get(cn, t->ino[3]);
	assert_string_equal(ci->labels.container_id, ID);
	assert_string_equal(ci->labels.pod_uid,
			    "8a3b1f2e-5c6d-4e7f-9a0b-1c2d3e4f5a6b");
	assert_int_equal(ci->labels.qos, CG_QOS_BESTEFFORT);
	ci = cgroup_names_get(cn, t->ino[5]);
	assert_string_equal(ci->labels.container_id, "");
	assert_int_equal(ci->labels.qos, CG_QOS_NONE);
	cgroup_names_free(cn);
}

/* an id not there: unknown, looked for again only after a while */
static void test_unknown_backs_off(void **state)
{
	struct tree *t = *state;
	struct cgroup_names *cn = cgroup_names_new(t->root, 64);
	const struct cg_info *ci;
	char p[512];
	__u64 ino;

	assert_non_null(cn);
	ci = cgroup_names_get(cn, 0xdeadbeefULL);
	assert_non_null(ci);
	assert_null(ci->path);
	assert_string_equal(ci->labels.container_id, "");
	assert_int_equal(cgroup_names_walks(cn), 1);
	usleep(CG_WALK_GAP_NS / 1000 + 20000);
	ci = cgroup_names_get(cn, 0xdeadbeefULL);
	assert_null(ci->path);
	assert_int_equal(cgroup_names_walks(cn), 1); /* backing off */
	/* a new cgroup is found by the next walk the gap allows */
	snprintf(p, sizeof(p), "%s/system.slice/new.service", t->root);
	assert_int_equal(mkdir(p, 0755), 0);
	ino = ino_of(t->root, "/system.slice/new.service");
	ci = cgroup_names_get(cn, ino);
	assert_int_equal(cgroup_names_walks(cn), 2);
	assert_non_null(ci->path);
	assert_string_equal(ci->path, "/system.slice/new.service");
	/* removed: what was learnt stays */
	assert_int_equal(rmdir(p), 0);
	ci = cgroup_names_get(cn, ino);
	assert_string_equal(ci->path, "/system.slice/new.service");
	cgroup_names_free(cn);
}

/* a cache smaller than the tree still answers what is asked */
static void test_bounded(void **state)
{
	struct tree *t = *state;
	struct cgroup_names *cn = cgroup_names_new(t->root, 2);
	const struct cg_info *ci;

	assert_non_null(cn);
	for (size_t round = 0; round < 2; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
			usleep(CG_WALK_GAP_NS / 1000 + 1000);
			ci = cgroup_names_get(cn, t->ino[i]);
			assert_non_null(ci->path);
			assert_string_equal(ci->path, dirs[i]);
		}
	}
	cgroup_names_free(cn);
}

/* a mount that is not there: everything unknown, nothing breaks */
static void test_no_root(void **state)
{
	struct cgroup_names *cn = cgroup_names_new("/nonexistent/cgroup", 8);
	const struct cg_info *ci;

	(void)state;
	assert_non_null(cn);
	ci = cgroup_names_get(cn, 1);
	assert_non_null(ci);
	assert_null(ci->path);
	cgroup_names_free(cn);
}

UNIT_GROUP(cgroup_names)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_every_dir),
		cmocka_unit_test(test_unknown_backs_off),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_no_root),
	};

	return cmocka_run_group_tests_name("cgroup_names", tests, tree_setup,
					   tree_teardown);
}
