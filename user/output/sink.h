/* SPDX-License-Identifier: GPL-2.0 */
/* Output sinks for the event stream of 'trace': text and JSON lines. */
#ifndef __TT_SINK_H
#define __TT_SINK_H

#include "output/fmt_ctx.h"
#include "tcptrail.h"

struct sink_ops {
	void (*header)(struct fmt_ctx *c);
	void (*event)(struct fmt_ctx *c, const struct tt_event *e);
	/* n events were dropped by the kernel since the last report */
	void (*lost)(struct fmt_ctx *c, __u64 n);
};

extern const struct sink_ops sink_text;
extern const struct sink_ops sink_json;

#endif /* __TT_SINK_H */
