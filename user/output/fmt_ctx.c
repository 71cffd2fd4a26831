// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "util/common.h"
#include "output/fmt_ctx.h"
#include "output/put.h"

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

char *fmt_put_wall(struct fmt_ctx *c, char *p, __u64 mono_ns, bool utc)
{
	__u64 real = mono_ns + c->mono_to_real;
	time_t sec = real / 1000000000ULL;

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
	p = put_mem(p, c->cached, c->cached_len);
	p = put_6d(p, real % 1000000000ULL / 1000);
	if (utc)
		*p++ = 'Z';
	return p;
}

void fmt_wall_time(struct fmt_ctx *c, __u64 mono_ns, bool utc)
{
	struct out *o = c->o;

	if (!out_reserve(o, FMT_WALL_MAX))
		return;
	o->len = fmt_put_wall(c, o->buf + o->len, mono_ns, utc) - o->buf;
}
