// SPDX-License-Identifier: GPL-2.0
/*
 * Which cgroup v2 mount (user/sys/resolve.c): mountinfo lines as a host,
 * a hybrid host and containers show them.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "sys/resolve.h"

static int pick(const char *mountinfo, char *buf, size_t len)
{
	FILE *f = fmemopen((void *)mountinfo, strlen(mountinfo), "r");
	int ret;

	assert_non_null(f);
	ret = cgroup2_root_in(f, buf, len);
	fclose(f);
	return ret;
}

#define V1 " - cgroup cgroup rw,cpu\n"
#define V2 " - cgroup2 cgroup2 rw\n"

static void test_host(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(
		pick("30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
		     "31 30 0:28 / /sys/fs/cgroup/cpu rw" V1
		     "40 30 0:37 / /sys/fs/cgroup/unified rw" V2,
		     buf, sizeof(buf)),
		0);
	assert_string_equal(buf, "/sys/fs/cgroup/unified");
}

/* a pod's own view, then the node's bound beside it: the node's */
static void test_host_bound_into_a_container(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(pick("94 86 0:46 / /sys/fs/cgroup ro" V2
			      "104 83 0:46 /../../.. /host/sys/fs/cgroup ro" V2,
			      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/host/sys/fs/cgroup");
	/* the same, in the other order */
	assert_int_equal(pick("104 83 0:46 /../.. /host/cg ro" V2
			      "94 86 0:46 / /sys/fs/cgroup ro" V2,
			      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/host/cg");
}

/* a subtree sees less than the root; equals: the first */
static void test_subtree_and_equals(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(pick("1 1 0:46 /kubepods /a ro" V2
			      "2 1 0:46 / /b ro" V2 "3 1 0:46 / /c ro" V2,
			      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/b");
	/* "/..x" is a name, not a step up */
	assert_int_equal(pick("1 1 0:46 /..x /a ro" V2 "2 1 0:46 / /b ro" V2,
			      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/b");
}

static void test_escapes_and_limits(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(pick("1 1 0:46 / /my\\040cg ro" V2, buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/my cg");
	/* too long for buf: not cut short, skipped */
	assert_int_equal(pick("1 1 0:46 / /a/very/long/mount/point ro" V2, buf,
			      sizeof(buf)),
			 -1);
	assert_int_equal(pick("31 30 0:28 / /sys/fs/cgroup/cpu rw" V1, buf,
			      sizeof(buf)),
			 -1);
	assert_int_equal(pick("", buf, sizeof(buf)), -1);
	/* a last line that ends with its root field (the fuzzer's find) */
	assert_int_equal(pick("x - cgroup2 /r", buf, sizeof(buf)), -1);
}

UNIT_GROUP(cgroup2_root)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_host_bound_into_a_container),
		cmocka_unit_test(test_subtree_and_equals),
		cmocka_unit_test(test_escapes_and_limits),
	};

	return cmocka_run_group_tests_name("cgroup2_root", tests, NULL, NULL);
}
