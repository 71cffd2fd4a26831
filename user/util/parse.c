// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/common.h"
#include "util/parse.h"

int parse_u64(const char *s, __u64 min, __u64 max, __u64 *out, const char **why)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s)) {
		*why = "not a number";
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end) {
		*why = "not a number";
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		*why = "out of range";
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_port(const char *s, size_t len, __u64 *port, const char **why)
{
	char buf[8];

	if (!len) {
		*why = "empty port";
		return -1;
	}
	if (strspn(s, "0123456789") < len) {
		*why = "not a number";
		return -1;
	}
	if (len >= sizeof(buf)) {
		*why = "port must be 1-65535";
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (parse_u64(buf, 1, 65535, port, why)) {
		*why = "port must be 1-65535";
		return -1;
	}
	return 0;
}

int parse_port_set(const char *s, __u64 bits[PORT_WORDS], const char **why)
{
	const char *p = s;

	if (!*s) {
		*why = "empty port list";
		return -1;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *dash = memchr(p, '-', len);
		__u64 lo, hi;

		if (dash) {
			if (parse_port(p, dash - p, &lo, why) ||
			    parse_port(dash + 1, len - (dash - p) - 1, &hi,
				       why))
				return -1;
			if (lo > hi) {
				*why = "range is backwards";
				return -1;
			}
		} else {
			if (parse_port(p, len, &lo, why))
				return -1;
			hi = lo;
		}
		for (__u64 port = lo; port <= hi; port++)
			bits[port >> 6] |= 1ULL << (port & 63);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

struct unit {
	const char *name;
	__u64 mult;
};

/* number with an optional fraction, then a suffix looked up in units[] */
static int parse_scaled(const char *s, const struct unit *units, size_t n,
			__u64 bare_mult, __u64 *out, const char **why)
{
	__u64 ip = 0, frac = 0, fdiv = 1, mult = 0;
	unsigned __int128 v;
	const char *p = s;

	if (!isdigit((unsigned char)*p)) {
		*why = "not a number";
		return -1;
	}
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		if (ip > (~0ULL - d) / 10) {
			*why = "too large";
			return -1;
		}
		ip = ip * 10 + d;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p)) {
			*why = "not a number";
			return -1;
		}
		for (; isdigit((unsigned char)*p); p++) {
			if (fdiv < 1000000000ULL) {
				frac = frac * 10 + (*p - '0');
				fdiv *= 10;
			}
		}
	}
	if (!*p) {
		mult = bare_mult;
	} else {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(p, units[i].name))
				mult = units[i].mult;
	}
	if (!mult) {
		*why = "unknown unit";
		return -1;
	}
	v = (unsigned __int128)ip * mult +
	    (unsigned __int128)frac * mult / fdiv;
	if (v > ~0ULL) {
		*why = "too large";
		return -1;
	}
	*out = (__u64)v;
	return 0;
}

int parse_duration_ns(const char *s, __u64 *ns, const char **why)
{
	static const struct unit units[] = {
		{ "ns", 1ULL },		 { "us", 1000ULL },
		{ "ms", 1000000ULL },	 { "s", 1000000000ULL },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL },
	};

	if (parse_scaled(s, units, ARRAY_SIZE(units), 1000000000ULL, ns, why)) {
		if (!strcmp(*why, "unknown unit"))
			*why = "use seconds, or a number with ns, us, ms, s, "
			       "m or h";
		return -1;
	}
	return 0;
}

int parse_size(const char *s, __u64 *out, const char **why)
{
	static const struct unit units[] = {
		{ "K", 1ULL << 10 },   { "k", 1ULL << 10 },
		{ "KiB", 1ULL << 10 }, { "M", 1ULL << 20 },
		{ "MiB", 1ULL << 20 }, { "G", 1ULL << 30 },
		{ "GiB", 1ULL << 30 },
	};

	if (parse_scaled(s, units, ARRAY_SIZE(units), 1, out, why)) {
		if (!strcmp(*why, "unknown unit"))
			*why = "use bytes or a K, M or G suffix";
		return -1;
	}
	return 0;
}
