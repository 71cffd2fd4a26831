/* SPDX-License-Identifier: GPL-2.0 */
/* What 'timeline' prints: a connection's life, as a text line or JSON. */
#ifndef __TT_TIMELINE_REPORT_H
#define __TT_TIMELINE_REPORT_H

#include "model/conn.h"
#include "output/fmt_ctx.h"

struct tl_report_ops {
	/* column titles, before the first connection */
	void (*header)(struct fmt_ctx *c);
	/*
	 * A connection, its current state ending the path; open: still
	 * open at now, that state's time so far shown.
	 */
	void (*conn)(struct fmt_ctx *c, const struct tl_conn *conn, __u64 now,
		     bool open);
	/* n events were dropped by the kernel since the last report */
	void (*lost)(struct fmt_ctx *c, __u64 n);
};

extern const struct tl_report_ops tl_report_text;
extern const struct tl_report_ops tl_report_json;

#endif /* __TT_TIMELINE_REPORT_H */
