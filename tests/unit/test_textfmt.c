// SPDX-License-Identifier: GPL-2.0
/*
 * Right-aligned columns and counted words (user/output/textfmt.c), and
 * the frame of closewait --live (user/output/live_frame.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "output/live_frame.h"
#include "output/textfmt.h"

static void test_count(void **state)
{
	struct out *o = *state;

	out_count(o, 0, "socket", "sockets");
	out_char(o, '|');
	out_count(o, 1, "socket", "sockets");
	out_char(o, '|');
	out_count(o, 2, "connection", "connections");
	out_char(o, '|');
	out_count(o, 11, "episode", "episodes");
	assert_string_equal(out_cstr(o),
			    "0 sockets|1 socket|2 connections|11 episodes");
}

static void test_rpad(void **state)
{
	struct out *o = *state;
	size_t start;

	out_lit(o, "x ");
	start = o->len;
	out_u64(o, 42);
	text_rpad_from(o, start, 8);
	assert_string_equal(out_cstr(o), "x       42 ");
	/* too long: as it is, one space after */
	out_clear(o);
	start = o->len;
	out_u64(o, 123456789);
	text_rpad_from(o, start, 5);
	assert_string_equal(out_cstr(o), "123456789 ");
	/* exactly the width */
	out_clear(o);
	start = o->len;
	out_lit(o, "12345");
	text_rpad_from(o, start, 5);
	assert_string_equal(out_cstr(o), "12345 ");
}

/* a title and its numbers end in the same column */
static void test_rcol_aligns_with_numbers(void **state)
{
	static const __u64 v[] = { 7, 1234, 99999999 };
	struct out *o = *state;
	char head[64];
	size_t start;

	text_lit(o, "PORT", 6);
	text_rlit(o, "EPISODES", 10);
	text_rlit(o, "MAX", 8);
	out_trim(o);
	snprintf(head, sizeof(head), "%s", out_cstr(o));
	assert_string_equal(head, "PORT     EPISODES      MAX");
	for (size_t i = 0; i < 3; i++) {
		const char *s;

		out_clear(o);
		text_lit(o, "80", 6);
		start = o->len;
		out_u64(o, v[i]);
		text_rpad_from(o, start, 10);
		start = o->len;
		out_fixed(o, v[i], 1000000, 3);
		text_rpad_from(o, start, 8);
		out_trim(o);
		s = out_cstr(o);
		/* the last digit of each number under the last letter */
		assert_int_equal(strlen(s), strlen(head));
		assert_true(s[strlen("PORT     EPISODES") - 1] != ' ');
		assert_int_equal(s[strlen("PORT     EPISODES")], ' ');
	}
	/* a title wider than its column still leaves one space */
	out_clear(o);
	text_rlit(o, "LONGTITLE", 4);
	assert_string_equal(out_cstr(o), "LONGTITLE ");
}

static void test_trim(void **state)
{
	struct out *o = *state;

	out_lit(o, "a b   ");
	out_trim(o);
	assert_string_equal(out_cstr(o), "a b");
	out_clear(o);
	out_lit(o, "   ");
	out_trim(o);
	assert_int_equal(o->len, 0);
}

static void test_cut_escaped(void **state)
{
	static const char esc[] = "ab\\x1bcd"; /* a\x1bcd, escaped */
	size_t n = strlen(esc);

	(void)state;
	assert_int_equal(live_cut_escaped(esc, n, n), n);
	assert_int_equal(live_cut_escaped(esc, n, 20), n);
	/* room for "ab" and '~': the escape is not cut in two */
	assert_int_equal(live_cut_escaped(esc, n, 3), 2);
	assert_int_equal(live_cut_escaped(esc, n, 6), 2);
	assert_int_equal(live_cut_escaped(esc, n, 7), 6);
	assert_int_equal(live_cut_escaped(esc, n, 1), 0);
}

#define NROWS 30

struct frame_fix {
	struct out o;
	struct fmt_ctx c;
	struct tt_sock_rec rec[NROWS];
	struct live_row row[NROWS];
};

static int frame_setup(void **state)
{
	struct frame_fix *f = calloc(1, sizeof(*f));

	if (!f || out_init(&f->o, -1, 256)) {
		free(f);
		return -1;
	}
	fmt_ctx_init(&f->c, &f->o, false, false);
	for (int i = 0; i < NROWS; i++) {
		struct tt_sock_rec *s = &f->rec[i];
		struct live_row *r = &f->row[i];

		s->family = 2; /* AF_INET */
		memcpy(s->saddr, "\x0a\x00\x00\x01", 4);
		memcpy(s->daddr, "\xc0\xa8\x64\xc8", 4);
		s->sport = 8080;
		s->dport = 40000 + i;
		s->rx_queue = i * 1000;
		r->rec = s;
		r->age_ns = (NROWS - i) * 1500000000ULL;
		r->estimated = i < 3;
		r->pid = 100000 + i;
		/* a name that would clear a screen if written raw */
		memcpy(r->comm, "\033[2Jserver-pool", 15);
		r->service = 8080;
	}
	*state = f;
	return 0;
}

static int frame_teardown(void **state)
{
	struct frame_fix *f = *state;

	out_free(&f->o);
	free(f);
	return 0;
}

/* the lines of a frame drawn for a terminal, after its clear-screen */
static size_t tty_lines(struct out *o, char lines[][256], size_t max)
{
	const char *s = out_cstr(o), *p, *nl;
	size_t n = 0;

	assert_memory_equal(s, "\033[H\033[2J", 7);
	for (p = s + 7; n < max; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		assert_true((size_t)(nl - p) < 256);
		memcpy(lines[n], p, nl - p);
		lines[n][nl - p] = '\0';
		n++;
		if (!*nl)
			break;
	}
	/* no other escape: names are escaped */
	assert_null(strchr(s + 7, '\033'));
	return n;
}

static void test_frame_fits(void **state)
{
	static const struct {
		unsigned int cols, rows;
		const char *more;
	} sizes[] = {
		{ 80, 24, "... 11 more" },
		{ 60, 20, "... 15 more" },
		{ 40, 10, "... 25 more" },
		{ 132, 40, NULL },
	};
	struct frame_fix *f = *state;
	char lines[64][256];

	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct live_screen scr = { .tty = true,
					   .cols = sizes[k].cols,
					   .rows = sizes[k].rows };
		size_t n;

		out_clear(&f->o);
		live_frame_draw(&f->c, f->row, NROWS, false, f->c.start_ns,
				&scr);
		n = tty_lines(&f->o, lines, 64);
		if (sizes[k].more) {
			assert_int_equal(n, sizes[k].rows);
			assert_string_equal(lines[n - 1], sizes[k].more);
		} else {
			/* 4 lines of titles, then every socket */
			assert_int_equal(n, 4 + NROWS);
		}
		for (size_t i = 0; i < n; i++)
			if (strlen(lines[i]) > sizes[k].cols)
				fail_msg("%zu columns: '%s'", strlen(lines[i]),
					 lines[i]);
		assert_non_null(strstr(lines[0], "30 sockets in CLOSE_WAIT"));
		assert_non_null(strstr(lines[4], "\\x1b[2J"));
		assert_non_null(strstr(lines[4], "192.168.100.200:40000"));
	}
}

/* the widest frame keeps every column, numbers under their titles */
static void test_frame_columns(void **state)
{
	struct frame_fix *f = *state;
	struct live_screen scr = { .tty = true, .cols = 200, .rows = 50 };
	char lines[64][256];
	const char *pid, *q;

	live_frame_draw(&f->c, f->row, NROWS, false, f->c.start_ns, &scr);
	tty_lines(&f->o, lines, 64);
	assert_string_equal(
		lines[3], "AGE(s)    PID COMM             FD "
			  "LADDR:LPORT   RADDR:RPORT           RECV-Q SEND-Q");
	/* a name too long for COMM: cut, its escape kept whole */
	assert_non_null(strstr(lines[4], " \\x1b[2Jserver-p~ "));
	/* PID's last digit under its D, RECV-Q's under its Q */
	pid = strstr(lines[4], "100000");
	assert_non_null(pid);
	assert_int_equal(pid - lines[4] + 6,
			 strstr(lines[3], "PID") - lines[3] + 3);
	q = strstr(lines[33], " 29000 ");
	assert_non_null(q);
	assert_int_equal(q - lines[33] + 6,
			 strstr(lines[3], "RECV-Q") - lines[3] + 6);
	assert_non_null(strstr(lines[4], ">=45.0"));
}

/* a column dropped early comes back when a later drop left it room */
static void test_frame_column_comes_back(void **state)
{
	struct frame_fix *f = *state;
	struct live_screen scr = { .tty = true, .cols = 64, .rows = 40 };
	char lines[64][256];
	size_t n;

	live_frame_draw(&f->c, f->row, NROWS, false, f->c.start_ns, &scr);
	n = tty_lines(&f->o, lines, 64);
	/* SEND-Q, FD, COMM to 10, RECV-Q: 60 columns; FD fits again */
	assert_string_equal(lines[3], "AGE(s)    PID COMM        FD "
				      "LADDR:LPORT   RADDR:RPORT");
	for (size_t i = 0; i < n; i++)
		assert_true(strlen(lines[i]) <= 64);
}

/* off a terminal: every socket, no escape, a blank line after */
static void test_frame_plain(void **state)
{
	struct frame_fix *f = *state;
	struct live_screen scr = { .tty = false };
	const char *s, *p;
	size_t n = 0;

	live_frame_draw(&f->c, f->row, NROWS, true, f->c.start_ns, &scr);
	s = out_cstr(&f->o);
	assert_null(strchr(s, '\033'));
	assert_int_equal(strncmp(s, "tcptrail closewait --live   ", 28), 0);
	assert_null(strstr(s, "Ctrl-C"));
	assert_null(strstr(s, "more"));
	for (p = s; (p = strchr(p, '\n')); p++)
		n++;
	/* title, ports, column titles, the sockets, a blank line */
	assert_int_equal(n, 3 + NROWS + 1);
	assert_int_equal(strcmp(s + strlen(s) - 2, "\n\n"), 0);
	assert_null(strstr(s, "\n\n\n"));
	/* queues not known: '-' */
	assert_non_null(strstr(s, "   -      -\n"));
}

UNIT_GROUP(textfmt)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_count, unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_rpad, unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_rcol_aligns_with_numbers,
						unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test_setup_teardown(test_trim, unit_out_setup,
						unit_out_teardown),
		cmocka_unit_test(test_cut_escaped),
		cmocka_unit_test_setup_teardown(test_frame_fits, frame_setup,
						frame_teardown),
		cmocka_unit_test_setup_teardown(test_frame_columns, frame_setup,
						frame_teardown),
		cmocka_unit_test_setup_teardown(test_frame_column_comes_back,
						frame_setup, frame_teardown),
		cmocka_unit_test_setup_teardown(test_frame_plain, frame_setup,
						frame_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
