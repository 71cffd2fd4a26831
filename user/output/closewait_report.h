/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What 'closewait' prints, in text or JSON lines: an episode of CLOSE_WAIT
 * as it ends, and at exit a summary per service port with the sockets
 * still in CLOSE_WAIT. One set of functions per format.
 */
#ifndef __TT_CLOSEWAIT_REPORT_H
#define __TT_CLOSEWAIT_REPORT_H

#include "model/closewait.h"
#include "model/portstats.h"
#include "output/fmt_ctx.h"
#include "tcptrail.h"

/* an episode that ended but began before tcptrail: ns is a lower bound */
struct cw_predated {
	__u64 ns;
	__u32 pid; /* 0: not known */
	char comm[TT_COMM_LEN];
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 service;
	__u8 laddr[TT_ADDR_LEN];
	__u8 raddr[TT_ADDR_LEN];
};

struct cw_summary {
	__u64 episodes;
	__u64 predating; /* ended, but began before tcptrail started */
	__u64 untimed; /* ended, with a step unseen on either side (a gap) */
	const struct cw_predated *ended; /* the first of them */
	size_t nended;
	__u64 dropped; /* did not fit in the open table */
	const struct port_summary *ports; /* by port */
	size_t nports;
	struct cw_open *const *open; /* oldest first */
	size_t nopen;
	__u64 not_listed; /* younger ones past --list-max (or no memory) */
	__u64 not_listed_estimated; /* of those, the ones that predate us */
	bool not_listed_oom; /* some for lack of memory */
	__u64 now; /* CLOCK_MONOTONIC: the ages are to now */
};

struct cw_report_ops {
	/* column titles, before the first episode */
	void (*header)(struct fmt_ctx *c);
	/* an episode that ended; ns is a lower bound when !known */
	void (*episode)(struct fmt_ctx *c, const struct tt_event *e,
			__u16 service, __u64 ns, bool known);
	/* n events were dropped by the kernel since the last report */
	void (*lost)(struct fmt_ctx *c, __u64 n);
	void (*summary)(struct fmt_ctx *c, const struct cw_summary *s);
};

extern const struct cw_report_ops cw_report_text;
extern const struct cw_report_ops cw_report_json;

#endif /* __TT_CLOSEWAIT_REPORT_H */
