// SPDX-License-Identifier: GPL-2.0
/*
 * Port lists (--lport, --rport, --port), plain numbers (--pid, --count,
 * --max-open, ...) and the user-space filter match that uses the port
 * sets.
 *
 * Input: a mode byte, then mode-specific fields; the string under test is
 * an exactly sized NUL-terminated copy, so ASan sees any overread.
 *
 * The reference for a port list is POSIX regex matching of each
 * comma-separated element against ^[0-9]{1,7}(-[0-9]{1,7})?$ (values
 * 1..65535, low <= high); for a number, ^[0-9]+$ accumulated in 128 bits.
 * On success the parser must have ORed in exactly the reference's ports;
 * on failure it must say why.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "fuzz_common.h"
#include "model/filter.h"
#include "util/parse.h"

static regex_t elem_re;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (regcomp(&elem_re, "^([0-9]{1,7})(-([0-9]{1,7}))?$", REG_EXTENDED))
		abort();
	return 0;
}

static void set_bit(__u64 *bits, unsigned int port)
{
	bits[port / 64] |= 1ULL << (port % 64);
}

static bool has_bit(const __u64 *bits, unsigned int port)
{
	return bits[port / 64] >> (port % 64) & 1;
}

/* one element "N" or "N-M" into bits; false if it is not one */
static bool ref_elem(const char *s, size_t len, __u64 *bits)
{
	regmatch_t m[4];
	unsigned long lo, hi;
	char *e;

	e = fuzz_strndup(s, len);
	if (strlen(e) != len || regexec(&elem_re, e, 4, m, 0)) {
		free(e);
		return false;
	}
	lo = strtoul(e + m[1].rm_so, NULL, 10);
	hi = m[3].rm_so >= 0 ? strtoul(e + m[3].rm_so, NULL, 10) : lo;
	free(e);
	if (lo < 1 || hi > 65535 || lo > hi)
		return false;
	for (unsigned long p = lo; p <= hi; p++)
		set_bit(bits, p);
	return true;
}

static bool ref_port_set(const char *s, __u64 *bits)
{
	const char *comma;

	memset(bits, 0, PORT_WORDS * sizeof(*bits));
	for (;;) {
		comma = strchr(s, ',');
		if (!ref_elem(s, comma ? (size_t)(comma - s) : strlen(s), bits))
			return false;
		if (!comma)
			return true;
		s = comma + 1;
	}
}

static bool ref_u64(const char *s, __u64 min, __u64 max, __u64 *out)
{
	unsigned __int128 v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > ~0ULL)
			return false;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void fuzz_port_set(struct fuzz_in *in)
{
	static __u64 got[PORT_WORDS], ref[PORT_WORDS], pre[PORT_WORDS];
	__u64 seed = fuzz_u64(in);
	char *s = fuzz_str(in, true);
	const char *why = NULL;
	bool ok, want;
	int ret;

	/* what is already set stays set: the options accumulate */
	for (size_t i = 0; i < PORT_WORDS; i++)
		pre[i] = seed & (1ULL << (i % 64)) ? seed * (i + 1) : 0;
	memcpy(got, pre, sizeof(got));
	ret = parse_port_set(s, got, &why);
	ok = ret == 0;
	want = ref_port_set(s, ref);
	FUZZ_CHECK(ret == 0 || ret == -1, "returned %d", ret);
	FUZZ_CHECK(ok == want, "'%s': parser %s, reference %s", s,
		   ok ? "accepts" : "refuses", want ? "accepts" : "refuses");
	if (ok) {
		for (size_t i = 0; i < PORT_WORDS; i++)
			FUZZ_CHECK(got[i] == (pre[i] | ref[i]),
				   "'%s': ports %zu..%zu differ", s, i * 64,
				   i * 64 + 63);
		FUZZ_CHECK(!has_bit(got, 0) || has_bit(pre, 0),
			   "'%s' set port 0", s);
	} else {
		FUZZ_CHECK(why && *why, "'%s' refused without a reason", s);
	}
	free(s);
}

static void fuzz_u64_range(struct fuzz_in *in)
{
	__u64 min = fuzz_u64(in), max = fuzz_u64(in), got = 42, want = 0;
	char *s = fuzz_str(in, true);
	const char *why = NULL;
	bool ok, ref;

	ok = !parse_u64(s, min, max, &got, &why);
	ref = ref_u64(s, min, max, &want);
	FUZZ_CHECK(ok == ref, "'%s' in [%llu, %llu]: parser %d, reference %d",
		   s, (unsigned long long)min, (unsigned long long)max, ok,
		   ref);
	if (ok)
		FUZZ_CHECK(got == want, "'%s': %llu, want %llu", s,
			   (unsigned long long)got, (unsigned long long)want);
	else
		FUZZ_CHECK(got == 42 && why && *why,
			   "'%s': refused, but output written or no reason", s);
	free(s);
}

/* tt_filter_match() against the same rules spelled out here */
static void fuzz_match(struct fuzz_in *in)
{
	static struct tt_filter f;
	__u8 which = fuzz_u8(in) % PORTS_MAX, fam = fuzz_u8(in);
	char *s = fuzz_str(in, false);
	const char *why;

	memset(&f, 0, sizeof(f));
	f.family = fam & 1 ? AF_INET : fam & 2 ? AF_INET6 : 0;
	f.netns = fam & 4 ? fuzz_u32(in) : 0;
	f.tgid = fam & 8 ? fuzz_u32(in) : 0;
	if (!parse_port_set(s, f.ports[which], &why))
		f.port_on[which] = true;
	free(s);
	while (in->n) {
		__u16 family = fuzz_u8(in) & 1 ? AF_INET : AF_INET6;
		__u16 sport = fuzz_u16(in), dport = fuzz_u16(in);
		__u32 netns = fam & 16 ? f.netns : fuzz_u32(in);
		__u32 pid = fam & 32 ? f.tgid : fuzz_u32(in);
		const __u64 *b = f.ports[which];
		bool want = true;

		if (f.family && family != f.family)
			want = false;
		if (f.port_on[which]) {
			bool l = has_bit(b, sport), r = has_bit(b, dport);

			if ((which == PORTS_LOCAL && !l) ||
			    (which == PORTS_REMOTE && !r) ||
			    (which == PORTS_ANY && !l && !r))
				want = false;
		}
		if (f.netns && netns != f.netns)
			want = false;
		if (f.tgid && pid != f.tgid)
			want = false;
		FUZZ_CHECK(tt_filter_match(&f, family, sport, dport, netns,
					   pid) == want,
			   "match of %u %u->%u ns %u pid %u: want %d", family,
			   sport, dport, netns, pid, want);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	switch (fuzz_u8(&in) % 3) {
	case 0:
		fuzz_port_set(&in);
		break;
	case 1:
		fuzz_u64_range(&in);
		break;
	default:
		fuzz_match(&in);
		break;
	}
	return 0;
}
