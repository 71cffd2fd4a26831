// SPDX-License-Identifier: GPL-2.0
/*
 * Small files read from /proc: the parent PID from /proc/PID/stat
 * (user/sys/proctree.c, compiled into this file for its static parser,
 * a function of the text) and the ephemeral port range from
 * /proc/sys/net/ipv4/ip_local_port_range (user/util/common.c, compiled
 * into this file with fopen redirected to a memory stream: nothing real
 * is opened).
 *
 * Input: a mode byte, then either raw file contents or fields from which
 * a file is laid out as the kernel writes it: for stat, "PID (COMM) S
 * PPID ..." with COMM any 0-15 bytes but NUL (')', ' ', newlines
 * included), cut at 511 bytes as the reader does; for the range,
 * "LO\tHI\n" with any numbers.
 *
 * Checked: the parent read from a kernel-shaped line is its PPID; from
 * raw text, whatever is returned follows ") S " after the last ')'; the
 * range is the file's when it is a valid range, else the default, and
 * always lo <= hi.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
/* proctree_parse_ppid() is static: only proctree_has() opens files */
#include "sys/proctree.c"

static const char *range_text; /* NULL: cannot be opened */
static size_t range_len;

static FILE *fake_fopen(const char *path, const char *mode)
{
	FUZZ_CHECK(!strcmp(path, "/proc/sys/net/ipv4/ip_local_port_range") &&
			   !strcmp(mode, "r"),
		   "fopen(%s, %s)", path, mode);
	if (!range_text) {
		errno = ENOENT;
		return NULL;
	}
	return fmemopen((void *)range_text, range_len, "r");
}

#define fopen(p, m) fake_fopen(p, m)
#include "util/common.c"
#undef fopen

#define STAT_BUF 512 /* proctree.c's parent_of() */

static void fuzz_stat(struct fuzz_in *in, bool shaped)
{
	char *text, comm[16];
	__u32 want = 0, got;
	size_t len;

	if (shaped) {
		static const char states[] = "RSDZTtWXxKPI";
		__u32 pid = fuzz_u32(in);
		size_t clen = fuzz_bytes(in, comm, fuzz_u8(in) % 16);
		char state = states[fuzz_u8(in) % (sizeof(states) - 1)];
		char *rest;
		int n;

		want = fuzz_u32(in);
		for (size_t i = 0; i < clen; i++)
			if (!comm[i])
				comm[i] = ')';
		rest = fuzz_str(in, true);
		/* the numbers that follow: no ')' among them */
		for (char *r = rest; *r; r++)
			if (*r == ')' || *r == '(')
				*r = ' ';
		n = asprintf(&text, "%u (%.*s) %c %u %s\n", pid, (int)clen,
			     comm, state, want, rest);
		FUZZ_CHECK(n > 0, "asprintf");
		free(rest);
		len = n < STAT_BUF ? n : STAT_BUF - 1;
		text[len] = '\0';
		/* a cut inside the PPID leaves a shorter number */
		if (strlen(text) - strlen(strrchr(text, ')')) + 4 >= len)
			want = 0;
	} else {
		text = fuzz_str(in, true);
		len = strlen(text);
	}
	got = proctree_parse_ppid(text, len);
	if (shaped) {
		char digits[16];
		size_t p = strrchr(text, ')') - text + 4;

		/* cut short: the digits that remain */
		if (want &&
		    p + snprintf(digits, sizeof(digits), "%u", want) > len)
			want = strtoul(text + p, NULL, 10);
		FUZZ_CHECK(got == want, "ppid %u, want %u from '%s'", got, want,
			   text);
	} else if (got) {
		const char *close = strrchr(text, ')');

		FUZZ_CHECK(close && close[1] == ' ' && close[2] &&
				   close[3] == ' ' &&
				   strtoul(close + 4, NULL, 10) == got,
			   "ppid %u from '%s'", got, text);
	}
	free(text);
}

static void fuzz_range(struct fuzz_in *in, __u8 mode)
{
	unsigned int l = 0, h = 0;
	char *text = NULL;
	__u16 lo = 1, hi = 0;
	bool valid = false;

	if (mode & 2) {
		l = fuzz_u8(in) & 1 ? fuzz_u16(in) : fuzz_u32(in);
		h = fuzz_u8(in) & 1 ? fuzz_u16(in) : fuzz_u32(in);
		if (asprintf(&text, "%u\t%u\n", l, h) < 0)
			abort();
		valid = l <= h && h <= 65535;
	} else {
		text = fuzz_str(in, true);
	}
	range_text = mode & 4 ? NULL : text;
	range_len = text ? strlen(text) : 0;
	ephemeral_range(&lo, &hi);
	FUZZ_CHECK(lo <= hi, "range %u-%u from '%s'", lo, hi,
		   range_text ? range_text : "(none)");
	if (mode & 4 || ((mode & 2) && !valid))
		FUZZ_CHECK(lo == 32768 && hi == 60999,
			   "range %u-%u, not the default", lo, hi);
	else if (mode & 2)
		FUZZ_CHECK(lo == l && hi == h, "range %u-%u, want %u-%u", lo,
			   hi, l, h);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	__u8 mode = fuzz_u8(&in);

	if (mode & 1)
		fuzz_range(&in, mode);
	else
		fuzz_stat(&in, mode & 2);
	return 0;
}
