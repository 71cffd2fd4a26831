// SPDX-License-Identifier: GPL-2.0
/*
 * prom_render with a struct prom_last (user/output/prom.c), and
 * tt_filter_exclude_port (user/model/filter.c): what export keeps out of
 * its gauges and what it leaves out of its measurements.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "model/filter.h"
#include "output/prom.h"
#include "model/tcp_state.h"

static const __u64 no_transitions[TT_NSTATES * TT_NSTATES];

static char *render(const struct prom_sockets *socks, size_t n,
		    struct prom_last *last)
{
	struct prom_input in = {
		.transitions = no_transitions,
		.socks = socks,
		.nsocks = n,
		.sock_states = 1U << TCP_CLOSE_WAIT,
		.max_ports = 1,
		.last = last,
	};
	struct out o;

	assert_int_equal(out_init(&o, -1, 64), 0);
	prom_render(&o, &in);
	assert_int_equal(o.err, 0);
	out_cstr(&o);
	return o.buf;
}

#define CW_8080 "tcptrail_sockets{state=\"close_wait\",port=\"8080\"} "
#define CW_OTHER "tcptrail_sockets{state=\"close_wait\",port=\"other\"} "
#define OLD_8080 "tcptrail_closewait_oldest_seconds{port=\"8080\"} "

/* a series whose sockets are gone shows 0 once, then goes */
static void test_gone_series_shows_zero_once(void **state)
{
	struct prom_sockets s[] = {
		{ 8080, TCP_CLOSE_WAIT, 2, 1500000000, LS_NONE },
		{ 9090, TCP_CLOSE_WAIT, 1, 0, LS_NONE },
	};
	struct prom_last last = {};
	char *t;

	(void)state;
	t = render(s, 2, &last); /* 8080 keeps its label, 9090 is other */
	assert_non_null(strstr(t, CW_8080 "2\n"));
	assert_non_null(strstr(t, CW_OTHER "1\n"));
	assert_non_null(strstr(t, OLD_8080 "1.500000\n"));
	free(t);
	t = render(NULL, 0, &last);
	assert_non_null(strstr(t, CW_8080 "0\n"));
	assert_non_null(strstr(t, CW_OTHER "0\n"));
	assert_non_null(strstr(t, OLD_8080 "0.000000\n"));
	free(t);
	t = render(NULL, 0, &last);
	assert_null(strstr(t, CW_8080));
	assert_null(strstr(t, CW_OTHER));
	assert_null(strstr(t, OLD_8080));
	free(t);
	/* back again: a new series, zeroed once more when it goes */
	t = render(s, 1, &last);
	assert_non_null(strstr(t, CW_8080 "2\n"));
	free(t);
	t = render(NULL, 0, &last);
	assert_non_null(strstr(t, CW_8080 "0\n"));
	free(t);
	prom_last_free(&last);
	assert_null(last.v);
}

/* without a prom_last, series come and go with their sockets */
static void test_no_memory(void **state)
{
	struct prom_sockets s = { 8080, TCP_CLOSE_WAIT, 2, 0, LS_NONE };
	char *t;

	(void)state;
	free(render(&s, 1, NULL));
	t = render(NULL, 0, NULL);
	assert_null(strstr(t, CW_8080));
	free(t);
}

static void test_exclude_port(void **state)
{
	struct tt_filter f = {};
	const char *why;

	(void)state;
	assert_false(tt_filter_names_port(&f, 9976));
	tt_filter_exclude_port(&f, 9976);
	assert_false(tt_filter_match(&f, AF_INET, 9976, 40000, 0, 0));
	assert_false(tt_filter_match(&f, AF_INET, 40000, 9976, 0, 0));
	assert_true(tt_filter_match(&f, AF_INET, 9975, 9977, 0, 0));
	assert_true(tt_filter_match(&f, AF_INET, 0, 65535, 0, 0));

	/* a user's own port set stays as it was, less the port */
	memset(&f, 0, sizeof(f));
	assert_int_equal(parse_port_set("80,9976", f.ports[PORTS_LOCAL], &why),
			 0);
	f.port_on[PORTS_LOCAL] = true;
	assert_true(tt_filter_names_port(&f, 9976));
	assert_false(tt_filter_names_port(&f, 9977));
	tt_filter_exclude_port(&f, 9976);
	assert_true(tt_filter_match(&f, AF_INET, 80, 40000, 0, 0));
	assert_false(tt_filter_match(&f, AF_INET, 81, 40000, 0, 0));
	assert_false(tt_filter_match(&f, AF_INET, 9976, 40000, 0, 0));
	assert_false(tt_filter_match(&f, AF_INET, 80, 9976, 0, 0));
}

UNIT_GROUP(prom_last)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gone_series_shows_zero_once),
		cmocka_unit_test(test_no_memory),
		cmocka_unit_test(test_exclude_port),
	};

	return cmocka_run_group_tests_name("prom_last", tests, NULL, NULL);
}
