/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the unit tests: group entry points and output checkers. */
#ifndef __TT_UNIT_H
#define __TT_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "output/out.h"

/* one per test_*.c: runs its group, returns the number of failures */
int run_parse_tests(void);
int run_tcp_state_tests(void);
int run_out_tests(void);
int run_json_tests(void);
int run_event_tests(void);
int run_sink_tests(void);
int run_idmap_tests(void);
int run_portstats_tests(void);
int run_histmap_tests(void);
int run_prom_tests(void);
int run_hist_fmt_tests(void);
int run_listen_addr_tests(void);
int run_service_tests(void);
int run_path_tests(void);

/* strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF */
bool utf8_valid(const unsigned char *s, size_t n);
/* s[0..n) is exactly one JSON string: quotes, escapes, UTF-8 */
bool json_string_valid(const char *s, size_t n);
/* s[0..n) is exactly one JSON value (object, array, string, ...) */
bool json_value_valid(const char *s, size_t n);
/*
 * Decode the JSON string s[0..n) (valid per json_string_valid) into buf;
 * returns the decoded length, or -1 if it does not fit or uses a \u
 * escape above U+007F (the formatter under test never needs one).
 */
long json_string_decode(const char *s, size_t n, char *buf, size_t len);

/* the contents of o as a C string; o->len is unchanged */
static inline const char *out_cstr(struct out *o)
{
	assert_true(out_reserve(o, 1));
	o->buf[o->len] = '\0';
	return o->buf;
}

/* reset o to empty, keeping its buffer */
static inline void out_clear(struct out *o)
{
	o->len = 0;
}

#endif /* __TT_UNIT_H */
