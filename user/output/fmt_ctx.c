// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "util/common.h"
#include "output/fmt_ctx.h"

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void fmt_ctx_init(struct fmt_ctx *c, struct out *o, bool wall, bool wide)
{
	__u64 mono = clock_ns(CLOCK_MONOTONIC);

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->wall = wall;
	c->wide = wide;
	c->start_ns = mono;
	c->mono_to_real = (__s64)(clock_ns(CLOCK_REALTIME) - mono);
	c->cached_sec = -1;
}

void fmt_wall_time(struct fmt_ctx *c, __u64 mono_ns, bool utc)
{
	__u64 real = mono_ns + c->mono_to_real;
	time_t sec = real / 1000000000ULL;
	char frac[6];
	__u64 us = real % 1000000000ULL / 1000;

	if (sec != c->cached_sec || utc != c->cached_utc) {
		struct tm tm;

		if (utc)
			gmtime_r(&sec, &tm);
		else
			localtime_r(&sec, &tm);
		c->cached_len =
			strftime(c->cached, sizeof(c->cached),
				 utc ? "%Y-%m-%dT%H:%M:%S." : "%H:%M:%S.", &tm);
		c->cached_sec = sec;
		c->cached_utc = utc;
	}
	out_mem(c->o, c->cached, c->cached_len);
	for (int i = 5; i >= 0; i--) {
		frac[i] = '0' + us % 10;
		us /= 10;
	}
	out_mem(c->o, frac, sizeof(frac));
	if (utc)
		out_char(c->o, 'Z');
}
