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

/*
 * One per test_*.c, in place of a function header: UNIT_GROUP(parse) {
 * ... return cmocka_run_group_tests(...); } registers the group itself
 * (before main()), so no list of groups is kept anywhere else.
 */
typedef int (*unit_group_fn)(void);
void unit_register(const char *name, unit_group_fn run);
#define UNIT_GROUP(name)                                               \
	static int run_##name##_tests(void);                           \
	__attribute__((constructor)) static void register_##name(void) \
	{                                                              \
		unit_register(#name, run_##name##_tests);              \
	}                                                              \
	static int run_##name##_tests(void)

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
/* cmocka setup and teardown: *state is a struct out, 16 bytes, growing */
int unit_out_setup(void **state);
int unit_out_teardown(void **state);

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
