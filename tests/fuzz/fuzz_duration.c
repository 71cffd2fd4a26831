// SPDX-License-Identifier: GPL-2.0
/*
 * Durations (--duration, --min, --interval: "500us", "1.5s", bare
 * seconds) and sizes (--ringbuf-size: "64K", "1.5MiB").
 *
 * Input: a mode byte (bit 0: parse_size rather than parse_duration_ns),
 * then the string.
 *
 * The reference reads ^[0-9]+(\.[0-9]+)?UNIT?$ by hand, keeps the
 * number exactly as digits (the fraction to nine places, as documented
 * by the parser's truncation) and computes floor(number * unit) in 128
 * bits: the parser must accept exactly when that fits in 64 bits, and
 * return exactly that value.
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "util/parse.h"

typedef unsigned __int128 u128;

struct unit {
	const char *name;
	__u64 mult;
};

static const struct unit dur_units[] = {
	{ "ns", 1ULL },
	{ "us", 1000ULL },
	{ "ms", 1000000ULL },
	{ "s", 1000000000ULL },
	{ "m", 60000000000ULL },
	{ "h", 3600000000000ULL },
	{ NULL, 0 },
};

static const struct unit size_units[] = {
	{ "K", 1ULL << 10 },   { "k", 1ULL << 10 },   { "KiB", 1ULL << 10 },
	{ "M", 1ULL << 20 },   { "MiB", 1ULL << 20 }, { "G", 1ULL << 30 },
	{ "GiB", 1ULL << 30 }, { NULL, 0 },
};

#define U128_MAX (~(u128)0)
#define BILLION 1000000000ULL

/* true and *v if s is valid and fits; false if invalid or too large */
static bool ref_scaled(const char *s, const struct unit *units, __u64 bare_mult,
		       __u64 *v)
{
	u128 ip = 0, frac = 0, n, r;
	int fdigits = 0;
	__u64 mult = 0;
	bool sat = false;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		/* saturate: anything this large is too large anyway */
		if (ip > (U128_MAX - 9) / 10)
			sat = true;
		else
			ip = ip * 10 + (*s - '0');
	}
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		for (; *s >= '0' && *s <= '9'; s++)
			if (fdigits < 9) {
				frac = frac * 10 + (*s - '0');
				fdigits++;
			}
		for (; fdigits < 9; fdigits++)
			frac *= 10;
	}
	if (!*s) {
		mult = bare_mult;
	} else {
		for (const struct unit *u = units; u->name; u++)
			if (!strcmp(s, u->name))
				mult = u->mult;
	}
	if (!mult || sat)
		return false;
	/* n = number * 10^9, exact; then floor(n * mult / 10^9) */
	if (ip > (U128_MAX - frac) / BILLION)
		return false;
	n = ip * BILLION + frac;
	if (n > U128_MAX / mult)
		return false;
	r = n * mult / BILLION;
	if (r > ~0ULL)
		return false;
	*v = r;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	__u8 mode = fuzz_u8(&in);
	bool size_mode = mode & 1;
	char *s = fuzz_str(&in, true);
	const char *why = NULL;
	__u64 got = 0xdeadbeef, want = 0;
	bool ok, ref;

	if (size_mode) {
		ok = !parse_size(s, &got, &why);
		ref = ref_scaled(s, size_units, 1, &want);
	} else {
		ok = !parse_duration_ns(s, &got, &why);
		ref = ref_scaled(s, dur_units, BILLION, &want);
	}
	FUZZ_CHECK(ok == ref, "'%s' (mode %u): parser %s, reference %s", s,
		   mode & 1, ok ? "accepts" : "refuses",
		   ref ? "accepts" : "refuses");
	if (ok)
		FUZZ_CHECK(got == want, "'%s' (mode %u): %llu, want %llu", s,
			   mode & 1, (unsigned long long)got,
			   (unsigned long long)want);
	else
		FUZZ_CHECK(got == 0xdeadbeef && why && *why,
			   "'%s': refused, but output written or no reason", s);
	free(s);
	return 0;
}
