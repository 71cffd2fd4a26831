// SPDX-License-Identifier: GPL-2.0
/*
 * TCP state names (--state close_wait,last-ack) and the number -> name
 * tables the outputs use.
 *
 * Input: a mode byte, then the string (exactly sized, NUL-terminated).
 * The reference is this file's own table of names and ss's aliases,
 * matched after ASCII lower-casing and '-' -> '_'. A list must parse to
 * the union of its names, or fail pointing at its first bad element
 * (pointer and length inside the string).
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "model/tcp_state.h"

static const struct {
	const char *name;
	int state;
} names[] = {
	{ "established", 1 },
	{ "syn_sent", 2 },
	{ "syn_recv", 3 },
	{ "fin_wait1", 4 },
	{ "fin_wait2", 5 },
	{ "time_wait", 6 },
	{ "close", 7 },
	{ "close_wait", 8 },
	{ "last_ack", 9 },
	{ "listen", 10 },
	{ "closing", 11 },
	{ "new_syn_recv", 12 },
	{ "bound_inactive", 13 },
	/* ss's spellings */
	{ "estab", 1 },
	{ "syn_rcv", 3 },
	{ "closed", 7 },
	{ "fin_wait_1", 4 },
	{ "fin_wait_2", 5 },
};

static int ref_state(const char *s, size_t len)
{
	char norm[32];

	if (!len || len >= sizeof(norm))
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		norm[i] = c == '-' ? '_' : c;
	}
	norm[len] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(norm, names[i].name))
			return names[i].state;
	return -1;
}

static void check_tables(unsigned int st)
{
	const char *str = tcp_state_str(st), *label = tcp_state_label(st);
	size_t n = strlen(str);

	FUZZ_CHECK(str && label && n == strlen(label) && n < 32,
		   "state %u: '%s' / '%s'", st, str, label);
	for (size_t i = 0; i < n; i++) {
		char lower = str[i] >= 'A' && str[i] <= 'Z' ?
				     str[i] + ('a' - 'A') :
				     str[i];

		FUZZ_CHECK(label[i] == lower, "state %u: '%s' vs '%s'", st, str,
			   label);
		FUZZ_CHECK((str[i] >= 'A' && str[i] <= 'Z') ||
				   (str[i] >= '0' && str[i] <= '9') ||
				   str[i] == '_',
			   "state %u: '%s' needs escaping", st, str);
	}
	if (st == 0 || st >= TT_TCP_STATE_MAX)
		FUZZ_CHECK(!strcmp(str, "UNKNOWN"), "state %u is '%s'", st,
			   str);
	else
		FUZZ_CHECK(ref_state(label, n) == (int)st,
			   "state %u: '%s' does not parse back", st, label);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	__u8 mode = fuzz_u8(&in);
	char *s = fuzz_str(&in, true);
	const char *bad = NULL, *p;
	__u32 mask = 0xdeadbeef, want = 0;
	int bad_len = -1, ret;

	/* a list: one name is a list of one */
	ret = tcp_state_parse_list(s, &mask, &bad, &bad_len);
	for (p = s;; p++) {
		size_t len = strcspn(p, ",");
		int r = ref_state(p, len);

		if (r < 0) {
			FUZZ_CHECK(ret == -1 && bad == p && bad_len == (int)len,
				   "'%s': bad element at %td/%zu, got %d at "
				   "%td/%d",
				   s, p - s, len, ret, bad ? bad - s : -1,
				   bad_len);
			FUZZ_CHECK(mask == 0xdeadbeef,
				   "'%s': mask written on failure", s);
			break;
		}
		want |= 1U << r;
		p += len;
		if (!*p) {
			FUZZ_CHECK(ret == 0 && mask == want,
				   "'%s': %d, mask %#x, want %#x", s, ret, mask,
				   want);
			break;
		}
	}

	/* the tables, for the number the mode byte gives */
	check_tables(mode);
	check_tables(mode | (unsigned int)size << 8);
	free(s);
	return 0;
}
