/* SPDX-License-Identifier: GPL-2.0 */
/* tcptrail check's verdict: on stderr, as JSON, as JUnit XML. */
#ifndef __TT_CHECK_REPORT_H
#define __TT_CHECK_REPORT_H

#include "model/check_rules.h"
#include "output/out.h"

struct ck_report {
	const struct ck_state *s;
	char *const *cmd; /* NULL: the whole host */
	int cmd_status; /* exit status to pass on, -1: did not finish */
	const char *watch; /* "cgroup", "process tree" or "host" */
	__u64 lost; /* transitions the kernel dropped */
	__u64 elapsed_ns;
	__u64 grace_ns;
	__u64 wall_start; /* CLOCK_REALTIME s, for JUnit's timestamp */
};

void ck_report_json(struct out *o, const struct ck_report *r);
void ck_report_junit(struct out *o, const struct ck_report *r);
/* the human summary */
void ck_report_text(struct out *o, const struct ck_report *r);
/* XML text or attribute value: printable ASCII as is, the rest \xNN */
void out_xml_str(struct out *o, const char *s, size_t maxlen);

#endif /* __TT_CHECK_REPORT_H */
