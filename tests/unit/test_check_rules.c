// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "unit.h"
#include "model/check_rules.h"
#include "model/tcp_state.h"
#include "output/check_report.h"

#define NS_A 4026532000U
#define NS_B 4026532001U

static bool walked_b(void *ctx, __u32 netns)
{
	(void)ctx;
	return netns == NS_B;
}

/* seen: the state the kernel last saw it enter (tt_event.seen_state) */
static void step_seen(struct ck_state *s, __u64 id, __u32 netns, __u8 seen,
		      __u8 from, __u8 to, __u64 delta)
{
	struct tt_event e;

	memset(&e, 0, sizeof(e));
	e.type = TT_REC_EVENT;
	e.sock_id = id;
	e.netns = netns;
	e.family = 2; /* AF_INET */
	e.sport = 8080;
	e.dport = 40000 + id;
	e.oldstate = from;
	e.newstate = to;
	e.seen_state = seen;
	e.delta_ns = delta;
	e.ts_ns = 1000000000ULL + id;
	e.flags = TT_F_PASSIVE;
	ck_event(s, &e);
}

/* a step after one seen, or the kernel's first sight (delta unknown) */
static void step(struct ck_state *s, __u64 id, __u32 netns, __u8 from, __u8 to,
		 __u64 delta)
{
	step_seen(s, id, netns, delta == TT_DELTA_UNKNOWN ? 0 : from, from, to,
		  delta);
}

static void kernel_rec(struct tt_sock_rec *r, __u64 id, __u32 netns, __u8 state)
{
	memset(r, 0, sizeof(*r));
	r->sock_id = id;
	r->netns = netns;
	r->family = 2;
	r->sport = 8080;
	r->dport = 40000 + id;
	r->state = state;
	r->since_ns = 1000000000ULL + id;
	r->flags = TT_F_PASSIVE;
}

/*
 * A socket in CLOSE_WAIT since before tcptrail leaves it: it was never
 * counted in, so it must not cancel a leak that was, in a namespace the
 * walk does not reach.
 */
static void test_predating_does_not_hide_a_leak(void **state)
{
	struct ck_rules rules = { .max_closewait_ns = 0 };
	struct ck_state s;

	(void)state;
	assert_int_equal(ck_init(&s, &rules, 64, CK_ENDS_KERNEL), 0);
	step(&s, 1, NS_A, TCP_CLOSE_WAIT, TCP_LAST_ACK, TT_DELTA_UNKNOWN);
	step(&s, 2, NS_A, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 5000);
	/* nothing kept per socket: the kernel lists the end */
	assert_int_equal(idmap__count(s.conns), 0);
	ck_finish(&s, 3000000000ULL, walked_b, NULL);
	assert_int_equal(s.leaks_not_found, 1);
	assert_int_equal(s.broken[CK_LEAK], 1);
	assert_int_equal(s.nv, 0);
	ck_free(&s);
}

/* found by a walk that then failed in that namespace: named, not twice */
static void test_found_before_a_failed_walk_counts_once(void **state)
{
	struct ck_rules rules = { .max_closewait_ns = 0 };
	struct tt_sock_rec r;
	struct ck_state s;

	(void)state;
	assert_int_equal(ck_init(&s, &rules, 64, CK_ENDS_KERNEL), 0);
	step(&s, 2, NS_A, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 5000);
	step(&s, 3, NS_A, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 5000);
	step(&s, 4, NS_B, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 5000);
	kernel_rec(&r, 2, NS_A, TCP_CLOSE_WAIT);
	ck_finish_sock(&s, &r, 3000000000ULL);
	kernel_rec(&r, 4, NS_B, TCP_CLOSE_WAIT);
	ck_finish_sock(&s, &r, 3000000000ULL);
	ck_finish(&s, 3000000000ULL, walked_b, NULL);
	assert_int_equal(s.nv, 2);
	assert_int_equal(s.v[0].rule, CK_LEAK);
	assert_int_equal(s.v[0].lport, 8080);
	assert_int_equal(s.v[0].rport, 40002);
	assert_int_equal(s.v[0].ns, 2000000000ULL - 2);
	assert_false(s.v[0].at_least);
	assert_int_equal(s.leaks_not_found, 1);
	assert_int_equal(s.broken[CK_LEAK], 3);
	ck_free(&s);
}

/* --fail-on-open: open sockets are counted per namespace the same way */
static void test_open_counted_per_namespace(void **state)
{
	struct ck_rules rules = { .fail_on_open = true };
	struct ck_state s;

	(void)state;
	assert_int_equal(ck_init(&s, &rules, 64, CK_ENDS_KERNEL), 0);
	/* a connection that closes: counted in, then out */
	step(&s, 5, NS_A, TCP_CLOSE, TCP_SYN_SENT, TT_DELTA_UNKNOWN);
	step(&s, 5, NS_A, TCP_SYN_SENT, TCP_ESTABLISHED, 100);
	step(&s, 5, NS_A, TCP_ESTABLISHED, TCP_FIN_WAIT1, 100);
	step(&s, 5, NS_A, TCP_FIN_WAIT1, TCP_FIN_WAIT2, 100);
	step(&s, 5, NS_A, TCP_FIN_WAIT2, TCP_CLOSE, 100);
	/* one seen first mid-life, still open */
	step(&s, 6, NS_A, TCP_ESTABLISHED, TCP_FIN_WAIT1, TT_DELTA_UNKNOWN);
	/* one that goes to CLOSE_WAIT: a leak, not also open */
	step(&s, 7, NS_A, TCP_LISTEN, TCP_SYN_RECV, TT_DELTA_UNKNOWN);
	step(&s, 7, NS_A, TCP_SYN_RECV, TCP_ESTABLISHED, 100);
	step(&s, 7, NS_A, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 100);
	/* a listener is not open */
	step(&s, 8, NS_A, TCP_CLOSE, TCP_LISTEN, TT_DELTA_UNKNOWN);
	ck_finish(&s, 3000000000ULL, walked_b, NULL);
	assert_int_equal(s.open_not_found, 1);
	assert_int_equal(s.leaks_not_found, 1);
	assert_int_equal(s.broken[CK_OPEN], 1);
	assert_int_equal(s.broken[CK_LEAK], 1);
	ck_free(&s);
}

/* where the records name the end, nothing is counted per namespace */
static void test_records_name_every_one(void **state)
{
	struct ck_rules rules = { .fail_on_open = true };
	struct ck_state s;

	(void)state;
	assert_int_equal(ck_init(&s, &rules, 64, CK_ENDS_RECORDS), 0);
	step(&s, 2, NS_A, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 5000);
	step(&s, 6, NS_A, TCP_ESTABLISHED, TCP_FIN_WAIT1, TT_DELTA_UNKNOWN);
	assert_int_equal(idmap__count(s.conns), 2);
	ck_finish(&s, 3000000000ULL, NULL, NULL);
	assert_int_equal(s.nv, 2);
	assert_int_equal(s.leaks_not_found + s.open_not_found, 0);
	assert_int_equal(s.broken[CK_OPEN], 1);
	assert_int_equal(s.broken[CK_LEAK], 1);
	ck_free(&s);
}

/*
 * A step unseen out of CLOSE_WAIT: the socket left it all the same, so
 * it is no leak in a namespace not walked; and one unseen into it has no
 * time to break --max-closewait with (the time since the last step seen
 * spans states that cannot be told apart).
 */
static void test_steps_unseen_around_close_wait(void **state)
{
	struct ck_rules rules = { .max_closewait_ns = 1 };
	int modes[] = { CK_ENDS_KERNEL, CK_ENDS_RECORDS };

	(void)state;
	for (size_t m = 0; m < 2; m++) {
		struct ck_state s;

		assert_int_equal(ck_init(&s, &rules, 64, modes[m]), 0);
		/* ESTABLISHED -> CLOSE_WAIT seen, CLOSE_WAIT -> LAST_ACK not */
		step(&s, 2, NS_A, TCP_ESTABLISHED, TCP_CLOSE_WAIT, 5000);
		step_seen(&s, 2, NS_A, TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_CLOSE,
			  TT_DELTA_UNKNOWN);
		/* ESTABLISHED -> CLOSE_WAIT unseen */
		step(&s, 3, NS_A, TCP_SYN_RECV, TCP_ESTABLISHED, 100);
		step_seen(&s, 3, NS_A, TCP_ESTABLISHED, TCP_CLOSE_WAIT,
			  TCP_LAST_ACK, TT_DELTA_UNKNOWN);
		assert_int_equal(idmap__count(s.conns), 0);
		ck_finish(&s, 3000000000ULL, walked_b, NULL);
		assert_int_equal(s.episodes, 2);
		assert_int_equal(s.predating, 0);
		assert_int_equal(s.untimed, 2);
		assert_int_equal(s.leaks_not_found, 0);
		assert_int_equal(s.broken[CK_LEAK], 0);
		assert_int_equal(s.broken[CK_MAX_CLOSEWAIT], 0);
		assert_int_equal(s.nv, 0);
		ck_free(&s);
	}
}

/* a namespace that could not be counted: assumed, and said why */
static void test_out_of_memory_counting_is_said(void **state)
{
	struct ck_rules rules = { .max_closewait_ns = 0 };
	struct ck_report r = { .watch = "host", .cmd_status = -1 };
	struct out *o = *state;
	struct ck_state s;

	assert_int_equal(ck_init(&s, &rules, 64, CK_ENDS_KERNEL), 0);
	s.cw_netns.oom = true;
	ck_finish(&s, 3000000000ULL, walked_b, NULL);
	assert_int_equal(s.leaks_not_found, 1);
	assert_true(s.leaks_not_found_oom);
	r.s = &s;
	ck_report_text(o, &r);
	assert_non_null(strstr(out_cstr(o),
			       "in no network namespace walked (or where "
			       "memory ran out counting): counted as leaks"));
	out_clear(o);
	ck_report_junit(o, &r);
	assert_non_null(strstr(out_cstr(o), "(or where memory ran out "
					    "counting)\"/>"));
	ck_free(&s);
}

UNIT_GROUP(check_rules)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_predating_does_not_hide_a_leak),
		cmocka_unit_test(test_found_before_a_failed_walk_counts_once),
		cmocka_unit_test(test_open_counted_per_namespace),
		cmocka_unit_test(test_records_name_every_one),
		cmocka_unit_test(test_steps_unseen_around_close_wait),
		cmocka_unit_test_setup_teardown(
			test_out_of_memory_counting_is_said, unit_out_setup,
			unit_out_teardown),
	};

	return cmocka_run_group_tests_name("check_rules", tests, NULL, NULL);
}
