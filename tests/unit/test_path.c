// SPDX-License-Identifier: GPL-2.0
/* A kernel path (struct tt_path) as timeline's connection (model/conn.c). */
#include <string.h>
#include "unit.h"
#include "model/tcp_state.h"
#include "model/conn.h"

/* the kernel's path_add() (bpf/path.bpf.h), step for step */
static void kernel_add(struct tt_path *p, __u8 state, __u64 ns)
{
	__u32 n = p->nsteps, i;

	i = n < TT_PATH_STEPS ? n : TT_PATH_STEPS / 2 + n % (TT_PATH_STEPS / 2);
	i &= TT_PATH_STEPS - 1;
	p->states[i] = state;
	p->steps_ns[i] = ns;
	p->nsteps = n + 1;
}

/* any number of steps: the same as user space following the events */
static void test_steps_match_user_space(void **state)
{
	(void)state;
	for (int n = 0; n <= 5 * TT_PATH_STEPS; n++) {
		struct tt_path p = { .sock_id = 7, .state = TCP_CLOSE };
		struct tl_conn got, want = { .nsteps = 0 };

		for (int i = 0; i < n; i++) {
			__u8 st = 1 + i % 11;
			__u64 ns = i * 1000ULL + 7;

			kernel_add(&p, st, ns);
			tl_add_step(&want, st, ns);
		}
		tl_conn_from_path(&got, &p);
		assert_int_equal(got.nsteps, want.nsteps);
		assert_int_equal(got.truncated, want.truncated);
		assert_int_equal(got.truncated, n > TT_PATH_STEPS);
		for (int i = 0; i < want.nsteps; i++) {
			assert_int_equal(got.steps[i].state,
					 want.steps[i].state);
			assert_int_equal(got.steps[i].ns, want.steps[i].ns);
		}
	}
}

static void test_fields(void **state)
{
	struct tt_path p = {
		.sock_id = 42,
		.first_ns = 1000,
		.ts_ns = 5000,
		.owner_tgid = 99,
		.netns = 4026531840u,
		.sport = 8080,
		.dport = 40000,
		.family = 10,
		.state = TCP_TIME_WAIT,
		.flags = TT_F_PASSIVE | TT_F_OWNER_KNOWN | TT_F_TIME_WAIT,
		.closer = TT_CLOSER_PEER,
		.partial = 1,
		.saddr = { 0xfe, 0x80, [15] = 1 },
		.daddr = { [15] = 1 },
		.owner_comm = "srv\033]",
	};
	struct tl_conn c;

	(void)state;
	tl_conn_from_path(&c, &p);
	assert_int_equal(c.id, 42);
	assert_int_equal(c.first_ns, 1000);
	assert_int_equal(c.since_ns, 5000);
	assert_int_equal(c.pid, 99);
	assert_memory_equal(c.comm, p.owner_comm, TT_COMM_LEN);
	assert_int_equal(c.lport, 8080);
	assert_int_equal(c.rport, 40000);
	assert_memory_equal(c.laddr, p.saddr, TT_ADDR_LEN);
	assert_memory_equal(c.raddr, p.daddr, TT_ADDR_LEN);
	assert_int_equal(c.family, 10);
	assert_int_equal(c.flags, TT_F_PASSIVE);
	assert_int_equal(c.state, TCP_TIME_WAIT);
	assert_int_equal(c.closer, CLOSER_PEER);
	assert_true(c.partial);
	assert_false(c.listener);
	assert_false(c.time_wait); /* set when user space follows it */
	assert_int_equal(c.netns, 4026531840u);

	/* an owner the kernel never learned is nobody, not pid 0's name */
	p.flags &= ~TT_F_OWNER_KNOWN;
	tl_conn_from_path(&c, &p);
	assert_int_equal(c.pid, 0);
	assert_int_equal(c.comm[0], 0);
	/* a closer out of range (a newer kernel side) reads as unknown */
	p.closer = 200;
	tl_conn_from_path(&c, &p);
	assert_int_equal(c.closer, CLOSER_UNKNOWN);
}

UNIT_GROUP(path)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_match_user_space),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
