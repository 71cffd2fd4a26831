// SPDX-License-Identifier: GPL-2.0
/*
 * timeline's text line, written in place, against the line as it was
 * composed before (below, as it was, from the column helpers of
 * textfmt.h, which test_sink_ref.c and the fuzz targets check on their
 * own): random connections of every shape, byte for byte the same.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "unit.h"
#include "model/conn.h"
#include "model/tcp_state.h"
#include "output/textfmt.h"
#include "output/timeline_report.h"

static const char *ref_opened(const struct tl_conn *c)
{
	if (c->listener)
		return "listen";
	if (c->flags & TT_F_ACTIVE)
		return "active";
	if (c->flags & TT_F_PASSIVE)
		return "passive";
	return "unknown";
}

static const char *const ref_closer[] = { "unknown", "local", "peer", "reset" };

static const char *ref_note(const struct tl_conn *c, int i)
{
	bool last = i + 1 == tl_nsteps(c);

	if (tl_step(c, i).state != TCP_FIN_WAIT2)
		return NULL;
	if (last && c->fin_timeout)
		return "fin_timeout";
	if (last && c->fin_cut_short)
		return "cut_short";
	if (c->fin_inferred &&
	    (last ? c->state == TCP_TIME_WAIT :
		    tl_step(c, i + 1).state == TCP_TIME_WAIT))
		return "inferred";
	return NULL;
}

static void ref_conn(struct fmt_ctx *fc, const struct tl_conn *c, __u64 now,
		     bool open)
{
	__u64 life = now > c->first_ns ? now - c->first_ns : 0;
	struct out *o = fc->o;
	const char *note;
	size_t start;

	assert_true(out_reserve(o, 2 * TT_LINE_MAX));
	text_time(fc, now);
	text_who(o, c->pid, c->comm);
	text_endpoint(fc, c->family, c->laddr, c->lport);
	text_endpoint(fc, c->family, c->raddr, c->rport);
	text_col(o, ref_opened(c), strlen(ref_opened(c)), 7);
	text_col(o, ref_closer[c->closer], strlen(ref_closer[c->closer]), 7);
	start = o->len;
	if (c->partial || tl_truncated(c))
		out_lit(o, ">=");
	out_human(o, life);
	text_rpad_from(o, start, 10);
	for (int i = 0; i < tl_nsteps(c); i++) {
		struct tl_step s = tl_step(c, i);

		out_str(o, tcp_state_str(s.state));
		out_char(o, ' ');
		if (s.ns == TT_DELTA_UNKNOWN)
			out_char(o, '?');
		else
			out_human(o, s.ns);
		if (s.state == TCP_TIME_WAIT && !c->tw_exact)
			out_lit(o, " (inferred)");
		note = ref_note(c, i);
		if (note) {
			out_lit(o, " (");
			out_str(o, note);
			out_char(o, ')');
		}
		out_lit(o, " -> ");
		if (tt_path_gap_after(c->nsteps, i))
			out_lit(o, "... -> ");
	}
	out_str(o, tcp_state_str(c->state));
	if (c->state == TCP_TIME_WAIT)
		out_lit(o, " (inferred)");
	if (open) {
		out_char(o, ' ');
		out_human(o, now - c->since_ns);
		out_lit(o, " (open)");
	}
	out_end_line(o);
}

static __u64 rnd64(void)
{
	return (__u64)random() << 42 ^ (__u64)random() << 21 ^ random();
}

/* a duration of any magnitude: each of out_human()'s forms */
static __u64 rnd_ns(void)
{
	return random() % 8 ? rnd64() >> (random() % 64) : TT_DELTA_UNKNOWN;
}

static void rnd_conn(struct tl_conn *c)
{
	static const char *const names[] = { "curl", "", "\x1b[31m\\",
					     "0123456789abcdef" };
	const char *name;

	memset(c, 0, sizeof(*c));
	c->first_ns = rnd64() >> (random() % 64);
	c->since_ns = rnd64() >> (random() % 64);
	c->pid = random() % 4 ? random() % 100000 : 0;
	name = names[random() % 4];
	memcpy(c->comm, name, strnlen(name, TT_COMM_LEN));
	c->family = random() % 2 ? AF_INET : random() % 2 ? AF_INET6 : 0;
	for (int i = 0; i < TT_ADDR_LEN; i++) {
		c->laddr[i] = random() % 2 ? random() : 0;
		c->raddr[i] = random() % 2 ? random() : 0;
	}
	c->lport = random();
	c->rport = random();
	c->flags = random() & (TT_F_ACTIVE | TT_F_PASSIVE);
	c->listener = random() % 4 == 0;
	c->closer = random() % 4;
	c->partial = random() % 2;
	c->tw_exact = random() % 2;
	c->fin_timeout = random() % 2;
	c->fin_cut_short = random() % 2;
	c->fin_inferred = random() % 2;
	c->reopened = random() % 4 == 0;
	/* paths up to well past TT_PATH_STEPS: the middle dropped */
	c->nsteps = random() % (3 * TT_PATH_STEPS);
	if (c->reopened && !c->nsteps)
		c->nsteps = 1;
	for (int i = 0; i < TT_PATH_STEPS; i++) {
		/* FIN_WAIT2 and TIME_WAIT often, for the notes */
		c->states[i] = random() % 3 ? TCP_FIN_WAIT2 + random() % 2 :
					      random() % 16;
		c->steps_ns[i] = rnd_ns();
	}
	c->state = random() % 3 ? TCP_TIME_WAIT : random() % 16;
}

static void test_text_lines(void **state)
{
	struct out got, want;
	struct fmt_ctx fg, fw;
	struct tl_conn c;

	(void)state;
	srandom(23);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(out_init(&got, -1, 16), 0);
	assert_int_equal(out_init(&want, -1, 16), 0);
	for (int i = 0; i < 20000; i++) {
		bool wall = random() % 2, wide = random() % 2,
		     open = random() % 2;
		__u64 now = rnd64() >> (random() % 8);

		fmt_ctx_init(&fg, &got, wall, wide);
		fmt_ctx_init(&fw, &want, wall, wide);
		fg.start_ns = fw.start_ns = rnd64() >> 2;
		fw.mono_to_real = fg.mono_to_real;
		rnd_conn(&c);
		out_clear(&got);
		out_clear(&want);
		tl_report_text.conn(&fg, &c, now, open);
		ref_conn(&fw, &c, now, open);
		if (got.len != want.len || memcmp(got.buf, want.buf, want.len))
			fail_msg("connection %d:\n got: %.*s\nwant: %.*s", i,
				 (int)got.len, got.buf, (int)want.len,
				 want.buf);
	}
	out_free(&got);
	out_free(&want);
}

UNIT_GROUP(timeline_ref)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_lines),
	};

	return cmocka_run_group_tests_name("timeline_ref", tests, NULL, NULL);
}
