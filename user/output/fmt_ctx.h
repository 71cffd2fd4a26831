/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every streaming report formats with, whatever its format: the
 * buffer, the start time, the wall clock (-T) and the column width (-w).
 */
#ifndef __TT_FMT_CTX_H
#define __TT_FMT_CTX_H

#include <stdbool.h>
#include <time.h>
#include <linux/types.h>
#include "output/out.h"

struct cgroup_fmt;

struct fmt_ctx {
	struct out *o;
	/* JSON: sockets' cgroup paths looked up here; NULL: not looked up */
	struct cgroup_fmt *cg;
	bool wall; /* -T: wall-clock time instead of seconds since start */
	bool wide; /* -w: address columns wide enough for IPv6 */
	__u64 start_ns; /* CLOCK_MONOTONIC at start */
	__s64 mono_to_real; /* add to a CLOCK_MONOTONIC ns to get wall time */
	/* formatted wall clock of the last second seen, reused within it */
	time_t cached_sec;
	bool cached_utc;
	char cached[32];
	size_t cached_len;
};

/* starts the clock now */
void fmt_ctx_init(struct fmt_ctx *c, struct out *o, bool wall, bool wide);
/* "HH:MM:SS.uuuuuu" local time, or ISO 8601 UTC with utc */
void fmt_wall_time(struct fmt_ctx *c, __u64 mono_ns, bool utc);
/*
 * The same into memory reserved for FMT_WALL_MAX bytes; returns the end.
 * The date and time to the second is formatted once per second.
 */
#define FMT_WALL_MAX (sizeof(((struct fmt_ctx *)0)->cached) + 7)
char *fmt_put_wall(struct fmt_ctx *c, char *p, __u64 mono_ns, bool utc);

#endif /* __TT_FMT_CTX_H */
