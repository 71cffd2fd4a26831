/* SPDX-License-Identifier: GPL-2.0 */
/* Output sinks for the event stream of 'trace': text and JSON lines. */
#ifndef __TT_SINK_H
#define __TT_SINK_H

#include <time.h>
#include "output/out.h"
#include "tcptrail.h"

struct sink_ctx {
	struct out *o;
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

struct sink_ops {
	void (*header)(struct sink_ctx *c);
	void (*event)(struct sink_ctx *c, const struct tt_event *e);
	/* n events were dropped by the kernel since the last report */
	void (*lost)(struct sink_ctx *c, __u64 n);
};

extern const struct sink_ops sink_text;
extern const struct sink_ops sink_json;

void sink_ctx_init(struct sink_ctx *c, struct out *o);
/* "HH:MM:SS.uuuuuu" local time, or ISO 8601 UTC with utc */
void sink_wall_time(struct sink_ctx *c, __u64 mono_ns, bool utc);

#endif /* __TT_SINK_H */
