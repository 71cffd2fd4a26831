// SPDX-License-Identifier: GPL-2.0
/*
 * The step ring (bpf/path.h), and a kernel path (struct tt_path) as
 * timeline's connection (model/conn.c).
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "model/tcp_state.h"
#include "path.h"
#include "model/conn.h"
#include "output/timeline_report.h"

/* the kernel's path_add() (bpf/path.bpf.h) */
static void kernel_add(struct tt_path *p, __u8 state, __u64 ns)
{
	tt_path_add(p->states, p->steps_ns, &p->nsteps, state, ns);
}

/* step i of a test: a state and a time, told apart from every other's */
static __u8 step_state(__u32 i)
{
	return 1 + i % 11;
}

static __u64 step_ns(__u32 i)
{
	return i * 1000ULL + 7;
}

/* which step kept step i of n is: the model the ring is tested against */
static __u32 kept_step(__u32 n, __u32 i)
{
	return n > TT_PATH_STEPS && i >= TT_PATH_HALF ? n - TT_PATH_STEPS + i :
							i;
}

/* the slot of kept step i holds step want */
static void check_kept(const struct tt_path *p, __u32 i, __u32 want)
{
	__u32 s = tt_path_at(p->nsteps, i);

	assert_true(s < TT_PATH_STEPS);
	assert_int_equal(p->states[s], step_state(want));
	assert_int_equal(p->steps_ns[s], step_ns(want));
}

/*
 * Of n steps, the first TT_PATH_HALF and the latest TT_PATH_HALF are kept
 * in order past TT_PATH_STEPS, the middle dropped; all of them up to it.
 */
static void test_ring(void **state)
{
	(void)state;
	for (__u32 n = 0; n <= 5 * TT_PATH_STEPS; n++) {
		struct tt_path p = { .nsteps = 0 };
		__u32 kept = n < TT_PATH_STEPS ? n : TT_PATH_STEPS;

		for (__u32 i = 0; i < n; i++)
			kernel_add(&p, step_state(i), step_ns(i));
		assert_int_equal(p.nsteps, n);
		assert_int_equal(tt_path_kept(n), kept);
		assert_int_equal(tt_path_dropped(n), n > TT_PATH_STEPS);
		for (__u32 i = 0; i < kept; i++) {
			check_kept(&p, i, kept_step(n, i));
			assert_int_equal(tt_path_gap_after(n, i),
					 n > TT_PATH_STEPS &&
						 i == TT_PATH_HALF - 1);
		}
		/* every slot is a kept step once */
		for (__u32 i = 0, seen = 0; i < kept; i++) {
			assert_false(seen & 1u << tt_path_at(n, i));
			seen |= 1u << tt_path_at(n, i);
		}
	}
}

/* replacing the last step: the others unchanged, wrapped or not */
static void test_set_last(void **state)
{
	(void)state;
	for (__u32 n = 0; n <= 3 * TT_PATH_STEPS; n++) {
		struct tt_path p = { .nsteps = 0 }, q;

		for (__u32 i = 0; i < n; i++)
			kernel_add(&p, step_state(i), step_ns(i));
		q = p;
		tt_path_set_last(q.states, q.steps_ns, n, 200, 12345);
		assert_int_equal(q.nsteps, n);
		if (!n) {
			assert_memory_equal(&p, &q, sizeof(p));
			continue;
		}
		for (__u32 i = 0; i < tt_path_kept(n); i++) {
			__u32 s = tt_path_at(n, i);
			bool last = i + 1 == tt_path_kept(n);

			assert_int_equal(q.states[s], last ? 200 : p.states[s]);
			assert_int_equal(q.steps_ns[s],
					 last ? 12345 : p.steps_ns[s]);
		}
		/* and the next step goes on from there */
		kernel_add(&q, step_state(n), step_ns(n));
		kernel_add(&p, step_state(n), step_ns(n));
		for (__u32 i = 0; i < tt_path_kept(n + 1); i++) {
			__u32 s = tt_path_at(n + 1, i);
			bool replaced = kept_step(n + 1, i) == n - 1;

			assert_int_equal(q.states[s],
					 replaced ? 200 : p.states[s]);
		}
	}
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
		assert_int_equal(got.nsteps, n);
		assert_int_equal(tl_nsteps(&got), tl_nsteps(&want));
		assert_int_equal(tl_nsteps(&got), tt_path_kept(n));
		assert_int_equal(tl_truncated(&got), tl_truncated(&want));
		assert_int_equal(tl_truncated(&got), n > TT_PATH_STEPS);
		for (int i = 0; i < tl_nsteps(&want); i++) {
			assert_int_equal(tl_step(&got, i).state,
					 tl_step(&want, i).state);
			assert_int_equal(tl_step(&got, i).ns,
					 tl_step(&want, i).ns);
			assert_int_equal(tl_step(&got, i).ns,
					 step_ns(kept_step(n, i)));
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

/*
 * What timeline prints of a path, modelled as a list: the kept steps,
 * the first half of them before the dropped middle if any.
 */
struct model {
	__u8 states[TT_PATH_STEPS];
	int n;
	bool dropped;
};

static void model_add(struct model *m, __u8 state)
{
	if (m->n == TT_PATH_STEPS) {
		for (int i = TT_PATH_STEPS / 2; i < m->n - 1; i++)
			m->states[i] = m->states[i + 1];
		m->n--;
		m->dropped = true;
	}
	m->states[m->n++] = state;
}

/* its PATH column, with every time unknown, ending in CLOSE */
static void model_text(const struct model *m, char *buf, size_t len)
{
	size_t at = 0;

	for (int i = 0; i < m->n; i++) {
		at += snprintf(buf + at, len - at, "%s ? -> ",
			       tcp_state_str(m->states[i]));
		if (m->dropped && i == TT_PATH_STEPS / 2 - 1)
			at += snprintf(buf + at, len - at, "... -> ");
	}
	snprintf(buf + at, len - at, "CLOSE\n");
}

/* c's text line ends with m's path; its JSON has as many steps, plus one */
static void check_printed(struct out *o, const struct tl_conn *c,
			  const struct model *m)
{
	struct fmt_ctx fc;
	char want[1024];
	const char *got, *p;
	size_t len;
	int steps = 0;

	fmt_ctx_init(&fc, o, false, false);
	model_text(m, want, sizeof(want));
	out_clear(o);
	tl_report_text.conn(&fc, c, 1000000000ULL, false);
	got = out_cstr(o);
	len = strlen(got);
	assert_true(len >= strlen(want));
	assert_string_equal(got + len - strlen(want), want);
	/* exactly m's steps: what precedes them is the LIFETIME column */
	assert_true(got[len - strlen(want) - 1] == ' ');
	assert_true(got[len - strlen(want) - 2] != '>');
	out_clear(o);
	tl_report_json.conn(&fc, c, 1000000000ULL, false);
	for (p = out_cstr(o); (p = strstr(p, "\"state\"")); p++)
		steps++;
	assert_int_equal(steps, m->n + 1);
	assert_int_equal(tl_truncated(c), m->dropped);
}

/* step i of a test path: every state, in turn */
static __u8 nth_state(int i)
{
	return TCP_ESTABLISHED + i % (TCP_CLOSING - TCP_ESTABLISHED + 1);
}

/*
 * Paths of any length print the same whether user space followed them
 * or the kernel kept them: past TT_PATH_STEPS the first half, "...",
 * the latest half; with the last step reopened, one fewer of the latest
 * until the next step replaces it.
 */
static void test_printed_path(void **state)
{
	struct out o;

	(void)state;
	assert_int_equal(out_init(&o, -1, 64), 0);
	for (int n = 0; n <= 40; n++) {
		struct tt_path p = { .sock_id = 7, .state = TCP_CLOSE };
		struct tl_conn k, u = { .id = 7, .state = TCP_CLOSE };
		struct model m = { .n = 0 };

		u.tw_exact = true;
		for (int i = 0; i < n; i++) {
			kernel_add(&p, nth_state(i), TT_DELTA_UNKNOWN);
			tl_add_step(&u, nth_state(i), TT_DELTA_UNKNOWN);
			model_add(&m, nth_state(i));
		}
		tl_conn_from_path(&k, &p);
		k.tw_exact = true;
		check_printed(&o, &u, &m);
		check_printed(&o, &k, &m);
		if (!n)
			continue;
		tl_reopen_last(&u);
		tl_reopen_last(&k);
		m.n--;
		check_printed(&o, &u, &m);
		check_printed(&o, &k, &m);
		tl_add_step(&u, TCP_FIN_WAIT2, TT_DELTA_UNKNOWN);
		tl_add_step(&k, TCP_FIN_WAIT2, TT_DELTA_UNKNOWN);
		model_add(&m, TCP_FIN_WAIT2);
		check_printed(&o, &u, &m);
		check_printed(&o, &k, &m);
		tl_add_step(&u, TCP_TIME_WAIT, TT_DELTA_UNKNOWN);
		tl_add_step(&k, TCP_TIME_WAIT, TT_DELTA_UNKNOWN);
		model_add(&m, TCP_TIME_WAIT);
		check_printed(&o, &u, &m);
		check_printed(&o, &k, &m);
	}
	out_free(&o);
}

/* FIN_WAIT2 -> FIN_WAIT2 (shutdown, then close) adds to the step */
static void test_same_state_is_one_step(void **state)
{
	__u8 states[TT_PATH_STEPS] = {};
	__u64 ns[TT_PATH_STEPS] = {};
	__u32 n = 0;

	(void)state;
	tt_path_add(states, ns, &n, TCP_FIN_WAIT1, 10);
	tt_path_add(states, ns, &n, TCP_FIN_WAIT2, 20);
	tt_path_add(states, ns, &n, TCP_FIN_WAIT2, 30);
	assert_int_equal(n, 2);
	assert_int_equal(states[1], TCP_FIN_WAIT2);
	assert_int_equal(ns[1], 50);
	tt_path_add(states, ns, &n, TCP_FIN_WAIT2, TT_DELTA_UNKNOWN);
	assert_int_equal(n, 2);
	assert_true(ns[1] == TT_DELTA_UNKNOWN);
	tt_path_add(states, ns, &n, TCP_TIME_WAIT, 40);
	assert_int_equal(n, 3);
}

/*
 * An orphan's FIN_WAIT2 reopened (timeline_tw.c) and ended again: its
 * time is from when it began, in place of the step, wrapped or not.
 */
static void test_reopen_ends(void **state)
{
	(void)state;
	for (__u32 n = 1; n <= 3 * TT_PATH_STEPS; n++) {
		struct tl_conn c = { .nsteps = 0 };
		struct tl_step last;

		/* no FIN_WAIT2 before the last: it would be the same step */
		for (__u32 i = 0; i + 1 < n; i++)
			tl_add_step(&c,
				    step_state(i) == TCP_FIN_WAIT2 ?
					    TCP_CLOSING :
					    step_state(i),
				    step_ns(i));
		tl_add_step(&c, TCP_FIN_WAIT2, 5000);
		c.state = TCP_CLOSE;
		c.since_ns = 100000;
		/* orphan_go_on(): FIN_WAIT2 since 95000 again */
		tl_reopen_last(&c);
		c.state = TCP_FIN_WAIT2;
		c.since_ns -= 5000;
		assert_int_equal(tl_nsteps(&c), tt_path_kept(n) - 1);
		tl_reopen_last(&c); /* once only */
		assert_int_equal(tl_nsteps(&c), tt_path_kept(n) - 1);
		tl_end_state(&c, TCP_TIME_WAIT, 195000);
		assert_int_equal(c.nsteps, n);
		assert_int_equal(tl_nsteps(&c), tt_path_kept(n));
		last = tl_step(&c, tl_nsteps(&c) - 1);
		assert_int_equal(last.state, TCP_FIN_WAIT2);
		assert_int_equal(last.ns, 100000);
		for (int i = 0; i + 1 < tl_nsteps(&c); i++)
			assert_int_equal(tl_step(&c, i).ns,
					 step_ns(kept_step(n, i)));
		assert_int_equal(c.state, TCP_TIME_WAIT);
	}
}

UNIT_GROUP(path)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_set_last),
		cmocka_unit_test(test_steps_match_user_space),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_printed_path),
		cmocka_unit_test(test_same_state_is_one_step),
		cmocka_unit_test(test_reopen_ends),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
