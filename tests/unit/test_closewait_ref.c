// SPDX-License-Identifier: GPL-2.0
/*
 * closewait's episode line, written in place, against the line as it was
 * composed before (below, from the column helpers of textfmt.h, which
 * test_sink_ref.c and the fuzz targets check on their own): random
 * episodes, byte for byte the same.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "unit.h"
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/closewait_report.h"
#include "output/textfmt.h"

static void ref_episode(struct fmt_ctx *c, const struct tt_event *e,
			__u16 service, __u64 ns, bool known)
{
	struct out *o = c->o;
	const char *comm, *next;
	__u32 pid = tt_event_who(e, &comm);
	size_t start;

	assert_true(out_reserve(o, TT_LINE_MAX));
	text_time(c, e->ts_ns);
	text_who(o, pid, comm);
	text_endpoint(c, e->family, e->saddr, e->sport);
	text_endpoint(c, e->family, e->daddr, e->dport);
	start = o->len;
	out_u64(o, service);
	text_rpad_from(o, start, 7);
	next = tcp_state_str(e->newstate);
	text_col(o, next, strlen(next), W_STATE);
	start = o->len;
	if (!known)
		out_lit(o, ">=");
	out_fixed(o, ns, 1000000ULL, 3);
	text_rpad_from(o, start, 10);
	out_trim(o);
	out_end_line(o);
}

static __u64 rnd64(void)
{
	return (__u64)random() << 42 ^ (__u64)random() << 21 ^ random();
}

static void rnd_event(struct tt_event *e)
{
	static const char *const names[] = { "curl", "", "\x1b[31m\\",
					     "0123456789abcdef" };
	const char *name;

	memset(e, 0, sizeof(*e));
	e->family = random() % 2 ? AF_INET : random() % 2 ? AF_INET6 : 0;
	for (int i = 0; i < TT_ADDR_LEN; i++) {
		e->saddr[i] = random() % 2 ? random() : 0;
		e->daddr[i] = random() % 2 ? random() : 0;
	}
	e->sport = random();
	e->dport = random();
	e->newstate = random() % 16;
	e->flags = random();
	e->ts_ns = rnd64() >> (random() % 64);
	e->tgid = random() % 4 ? random() % 100000 : 0;
	e->owner_tgid = random() % 100000;
	name = names[random() % 4];
	memcpy(e->comm, name, strnlen(name, TT_COMM_LEN));
	name = names[random() % 4];
	memcpy(e->owner_comm, name, strnlen(name, TT_COMM_LEN));
}

static void test_text_lines(void **state)
{
	struct out got, want;
	struct fmt_ctx fg, fw;
	struct tt_event e;

	(void)state;
	srandom(29);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(out_init(&got, -1, 16), 0);
	assert_int_equal(out_init(&want, -1, 16), 0);
	for (int i = 0; i < 20000; i++) {
		bool wall = random() % 2, wide = random() % 2,
		     known = random() % 2;
		__u64 ns = rnd64() >> (random() % 64);
		__u16 service = random() % 4 ? random() : random() % 10;

		fmt_ctx_init(&fg, &got, wall, wide);
		fmt_ctx_init(&fw, &want, wall, wide);
		fg.start_ns = fw.start_ns = rnd64() >> 2;
		fw.mono_to_real = fg.mono_to_real;
		rnd_event(&e);
		out_clear(&got);
		out_clear(&want);
		cw_report_text.episode(&fg, &e, service, ns, known);
		ref_episode(&fw, &e, service, ns, known);
		if (got.len != want.len || memcmp(got.buf, want.buf, want.len))
			fail_msg("episode %d:\n got: %.*s\nwant: %.*s", i,
				 (int)got.len, got.buf, (int)want.len,
				 want.buf);
	}
	out_free(&got);
	out_free(&want);
}

UNIT_GROUP(closewait_ref)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_lines),
	};

	return cmocka_run_group_tests_name("closewait_ref", tests, NULL, NULL);
}
