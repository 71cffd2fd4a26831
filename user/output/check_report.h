/* SPDX-License-Identifier: GPL-2.0 */
/* tcptrail check's verdict: on stderr, as JSON, as JUnit XML. */
#ifndef __TT_CHECK_REPORT_H
#define __TT_CHECK_REPORT_H

#include "model/check_rules.h"
#include "output/out.h"

enum ck_verdict { CK_PASS, CK_FAIL, CK_INTERRUPTED };

struct cgroup_fmt;

struct ck_report {
	const struct ck_state *s;
	/* JSON: the sockets' cgroup paths looked up here; NULL: not */
	struct cgroup_fmt *cg;
	char *const *cmd; /* NULL: the whole host */
	int cmd_status; /* its exit status (128 + signal), -1: unknown */
	/* the signal that stopped tcptrail before the command ended, or 0 */
	int interrupted_by;
	bool interrupted; /* stopped before the command ended */
	bool max_closewait_default; /* the limit was not given */
	const char *watch; /* "cgroup", "process tree" or "host" */
	__u64 lost; /* transitions the kernel dropped */
	/* missed (no program ran), and gaps a socket's next transition showed */
	__u64 unseen;
	__u64 elapsed_ns;
	__u64 grace_ns;
	__u64 wall_start; /* CLOCK_REALTIME s, for JUnit's timestamp */
};

enum ck_verdict ck_verdict(const struct ck_report *r);
void ck_report_json(struct out *o, const struct ck_report *r);
void ck_report_junit(struct out *o, const struct ck_report *r);
/* the human summary */
void ck_report_text(struct out *o, const struct ck_report *r);
/* shared by the formats */
const char *ck_rule_text(enum ck_rule r);
bool ck_rule_on(const struct ck_report *r, enum ck_rule rule);
/* "held by pid 12 (socat) fd 6: 127.0.0.1:80 <-> ..., CLOSE_WAIT 1.2s" */
void ck_violation_words(struct out *o, const struct ck_violation *v, bool xml);
/* every port with a connection or a violation, ascending; caller frees */
size_t ck_ports_of(const struct ck_state *s, __u16 **out);
/* "command exited 7", "command killed by SIGKILL" */
void ck_cmd_words(struct out *o, int status);
/* "SIGTERM" */
const char *ck_signal_name(int sig);
/* XML text or attribute value: printable ASCII as is, the rest \xNN */
void out_xml_str(struct out *o, const char *s, size_t maxlen);

#endif /* __TT_CHECK_REPORT_H */
