// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup members of JSON output (user/output/cgroup_fmt.c), on a
 * directory tree named as kubelet and containerd name cgroups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "unit.h"
#include "util/common.h"
#include "output/cgroup_fmt.h"
#include "output/sink.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "8a3b1f2e-5c6d-4e7f-9a0b-1c2d3e4f5a6b"
#define POD "kubepods-pod8a3b1f2e_5c6d_4e7f_9a0b_1c2d3e4f5a6b.slice"
#define SCOPE "cri-containerd-" ID ".scope"
/* a name that needs escaping in JSON */
#define ODD "odd \"name\"\\"

static const char *const dirs[] = {
	"/kubepods.slice",
	"/kubepods.slice/" POD,
	"/kubepods.slice/" POD "/" SCOPE,
	"/" ODD,
};

struct fix {
	char root[64];
	__u64 ino[ARRAY_SIZE(dirs)];
	struct cgroup_fmt cf;
	struct out o;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct stat st;
	char p[512];

	if (!f || out_init(&f->o, -1, 16))
		return -1;
	strcpy(f->root, "/tmp/tt-cgfmt.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s%s", f->root, dirs[i]);
		if (mkdir(p, 0755) || stat(p, &st))
			return -1;
		f->ino[i] = st.st_ino;
	}
	f->cf.names = cgroup_names_new(f->root, 16);
	*state = f;
	return f->cf.names && !out_init(&f->cf.last, -1, 16) ? 0 : -1;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char p[512];

	for (size_t i = ARRAY_SIZE(dirs); i-- > 0;) {
		snprintf(p, sizeof(p), "%s%s", f->root, dirs[i]);
		rmdir(p);
	}
	rmdir(f->root);
	cgroup_names_free(f->cf.names);
	out_free(&f->cf.last);
	out_free(&f->o);
	free(f);
	return 0;
}

/* the members in an object of their own, as a string */
static const char *members(struct fix *f, struct cgroup_fmt *cf, __u64 id)
{
	struct json_writer j;

	f->o.len = 0;
	json_init(&j, &f->o);
	json_obj_start(&j);
	json_u64_field(&j, "first", 1);
	json_cgroup(&j, cf, id);
	json_obj_end(&j);
	out_char(&f->o, '\0');
	if (!json_value_valid(f->o.buf, f->o.len - 1))
		fail_msg("not valid JSON: %s", f->o.buf);
	return f->o.buf;
}

static void test_container(void **state)
{
	struct fix *f = *state;
	char want[512];

	snprintf(want, sizeof(want),
		 "{\"first\":1,\"cgroup_id\":%llu,\"cgroup\":"
		 "\"/kubepods.slice/" POD "/" SCOPE "\",\"container_id\":\"" ID
		 "\",\"pod_uid\":\"" UID "\",\"qos\":\"guaranteed\"}",
		 (unsigned long long)f->ino[2]);
	assert_string_equal(members(f, &f->cf, f->ino[2]), want);
	/* the pod's own cgroup: no container_id */
	snprintf(want, sizeof(want),
		 "{\"first\":1,\"cgroup_id\":%llu,\"cgroup\":"
		 "\"/kubepods.slice/" POD "\",\"pod_uid\":\"" UID
		 "\",\"qos\":\"guaranteed\"}",
		 (unsigned long long)f->ino[1]);
	assert_string_equal(members(f, &f->cf, f->ino[1]), want);
}

static void test_unknowns(void **state)
{
	struct fix *f = *state;
	char want[256];

	/* no id from the kernel */
	assert_string_equal(members(f, &f->cf, 0),
			    "{\"first\":1,\"cgroup_id\":null,\"cgroup\":null}");
	/* an id not found, and paths not looked up */
	assert_string_equal(
		members(f, &f->cf, 0xfffffffffULL),
		"{\"first\":1,\"cgroup_id\":68719476735,\"cgroup\":null}");
	snprintf(want, sizeof(want),
		 "{\"first\":1,\"cgroup_id\":%llu,\"cgroup\":null}",
		 (unsigned long long)f->ino[2]);
	assert_string_equal(members(f, NULL, f->ino[2]), want);
	/* a plain cgroup: the path alone, escaped */
	snprintf(want, sizeof(want),
		 "{\"first\":1,\"cgroup_id\":%llu,\"cgroup\":"
		 "\"/odd \\\"name\\\"\\\\\"}",
		 (unsigned long long)f->ino[3]);
	assert_string_equal(members(f, &f->cf, f->ino[3]), want);
}

/* trace -j's line, written without the writer, has them last */
static void test_sink_line(void **state)
{
	struct fix *f = *state;
	struct tt_event e = { .family = 2, .oldstate = 1, .newstate = 8 };
	struct fmt_ctx c;
	char want[512];

	fmt_ctx_init(&c, &f->o, false, false);
	c.cg = &f->cf;
	e.cgroup_id = f->ino[2];
	f->o.len = 0;
	sink_json.event(&c, &e);
	out_char(&f->o, '\0');
	assert_true(json_value_valid(f->o.buf, f->o.len - 2));
	snprintf(want, sizeof(want),
		 ",\"netns\":0,\"cgroup_id\":%llu,\"cgroup\":"
		 "\"/kubepods.slice/" POD "/" SCOPE "\",\"container_id\":\"" ID
		 "\",\"pod_uid\":\"" UID "\",\"qos\":\"guaranteed\"}\n",
		 (unsigned long long)f->ino[2]);
	assert_non_null(strstr(f->o.buf, want));
}

/* the memo: the same members again, and never an unknown kept */
static void test_memo(void **state)
{
	struct fix *f = *state;
	char first[512];

	strcpy(first, members(f, &f->cf, f->ino[2]));
	assert_true(f->cf.memo);
	assert_string_equal(members(f, &f->cf, f->ino[2]), first);
	members(f, &f->cf, 0);
	assert_true(f->cf.memo); /* no id: final */
	assert_string_equal(members(f, &f->cf, f->ino[2]), first);
	/* not found: looked up again at the next event */
	assert_non_null(
		strstr(members(f, &f->cf, 0xfffffffffULL), "\"cgroup\":null"));
	assert_false(f->cf.memo);
	assert_string_equal(members(f, &f->cf, f->ino[2]), first);
}

UNIT_GROUP(cgroup_fmt)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container),
		cmocka_unit_test(test_unknowns),
		cmocka_unit_test(test_sink_line),
		cmocka_unit_test(test_memo),
	};

	return cmocka_run_group_tests_name("cgroup_fmt", tests, setup,
					   teardown);
}
