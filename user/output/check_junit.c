// SPDX-License-Identifier: GPL-2.0
/* check's verdict as JUnit XML: one testcase per rule and service port. */
#include <stdlib.h>
#include <time.h>
#include "output/check_report.h"
#include "output/textfmt.h"

static void testcase(struct out *o, const struct ck_report *r,
		     enum ck_rule rule, int port)
{
	const struct ck_state *s = r->s;
	size_t bad = 0;

	out_lit(o, "    <testcase classname=\"tcptrail.");
	out_str(o, ck_rule_str(rule));
	out_lit(o, "\" name=\"");
	if (port >= 0) {
		out_lit(o, "port ");
		out_u64(o, port);
	} else {
		out_lit(o, "all ports");
	}
	out_lit(o, ": ");
	out_str(o, ck_rule_text(rule));
	if (rule == CK_MAX_CLOSEWAIT) {
		out_lit(o, " (");
		out_human(o, s->rules.max_closewait_ns);
		out_char(o, ')');
	}
	out_lit(o, "\" time=\"0\"");
	for (size_t i = 0; i < s->nv; i++)
		bad += s->v[i].rule == rule && (int)s->v[i].service == port;
	if (!bad) {
		out_lit(o, "/>\n");
		return;
	}
	out_lit(o, ">\n      <failure type=\"");
	out_str(o, ck_rule_str(rule));
	out_lit(o, "\" message=\"");
	out_u64(o, bad);
	out_str(o, bad == 1 ? " connection" : " connections");
	out_lit(o, " broke it\">");
	for (size_t i = 0; i < s->nv; i++) {
		if (s->v[i].rule != rule || (int)s->v[i].service != port)
			continue;
		ck_violation_words(o, &s->v[i], true);
		out_char(o, '\n');
	}
	out_lit(o, "</failure>\n    </testcase>\n");
}

/* what the kernel's list could not walk to: no port known */
static void unwalked_testcase(struct out *o, enum ck_rule rule, __u64 n,
			      bool oom)
{
	out_lit(o, "    <testcase classname=\"tcptrail.");
	out_str(o, ck_rule_str(rule));
	out_lit(o, "\" name=\"namespaces not walked: ");
	out_str(o, ck_rule_text(rule));
	out_lit(o, "\" time=\"0\">\n      <failure type=\"");
	out_str(o, ck_rule_str(rule));
	out_lit(o, "\" message=\"");
	out_count(o, n, "socket", "sockets");
	out_str(o, rule == CK_LEAK ?
			   " seen entering CLOSE_WAIT and not leaving" :
			   " seen opening and not closing");
	out_lit(o, ", in no network namespace walked");
	if (oom)
		out_lit(o, " (or where memory ran out counting)");
	out_lit(o, "\"/>\n    </testcase>\n");
}

/* the command ran to its end and succeeded: an error if interrupted */
static void cmd_testcase(struct out *o, const struct ck_report *r)
{
	out_lit(o, "    <testcase classname=\"tcptrail.command\" "
		   "name=\"the command ran to its end and exited 0\" "
		   "time=\"0\"");
	if (r->interrupted) {
		out_lit(o, ">\n      <error type=\"interrupted\" "
			   "message=\"interrupted by ");
		out_str(o, r->interrupted_by ?
				   ck_signal_name(r->interrupted_by) :
				   "a failed output");
		out_lit(o, " before the command ended\"/>\n    </testcase>\n");
	} else if (r->cmd_status > 0) {
		out_lit(o, ">\n      <failure type=\"command\" message=\"");
		ck_cmd_words(o, r->cmd_status);
		out_lit(o, "\"/>\n    </testcase>\n");
	} else {
		out_lit(o, "/>\n");
	}
}

void ck_report_junit(struct out *o, const struct ck_report *r)
{
	const struct ck_state *s = r->s;
	size_t tests = 0, failures = 0, errors = 0, n;
	char stamp[32] = "1970-01-01T00:00:00";
	time_t t = r->wall_start;
	struct tm tm;
	__u16 *ports;

	n = ck_ports_of(s, &ports);
	for (int rule = 0; rule < CK_RULES; rule++) {
		if (!ck_rule_on(r, rule))
			continue;
		for (size_t i = 0; i < (n ? n : 1); i++) {
			int port = n ? ports[i] : -1;
			bool bad = false;

			for (size_t j = 0; j < s->nv && !bad; j++)
				bad = s->v[j].rule == (enum ck_rule)rule &&
				      (int)s->v[j].service == port;
			tests++;
			failures += bad;
		}
	}
	tests++; /* no lost transitions */
	failures += r->lost != 0;
	tests += (s->leaks_not_found != 0) + (s->open_not_found != 0);
	failures += (s->leaks_not_found != 0) + (s->open_not_found != 0);
	if (r->cmd) {
		tests++;
		failures += !r->interrupted && r->cmd_status > 0;
		errors += r->interrupted;
	}
	if (gmtime_r(&t, &tm))
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	out_lit(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites name=\"tcptrail check\" tests=\"");
	out_u64(o, tests);
	out_lit(o, "\" failures=\"");
	out_u64(o, failures);
	out_lit(o, "\" errors=\"");
	out_u64(o, errors);
	out_lit(o, "\" time=\"");
	out_fixed(o, r->elapsed_ns, 1000000000ULL, 3);
	out_lit(o, "\">\n  <testsuite name=\"tcptrail check\" tests=\"");
	out_u64(o, tests);
	out_lit(o, "\" failures=\"");
	out_u64(o, failures);
	out_lit(o, "\" errors=\"");
	out_u64(o, errors);
	out_lit(o, "\" skipped=\"0\" time=\"");
	out_fixed(o, r->elapsed_ns, 1000000000ULL, 3);
	out_lit(o, "\" timestamp=\"");
	out_str(o, stamp);
	out_lit(o, "\">\n    <properties>\n"
		   "      <property name=\"command\" value=\"");
	for (int i = 0; r->cmd && r->cmd[i]; i++) {
		if (i)
			out_char(o, ' ');
		out_xml_str(o, r->cmd[i], 4096);
	}
	out_lit(o, "\"/>\n      <property name=\"watch\" value=\"");
	out_str(o, r->watch);
	out_lit(o, "\"/>\n    </properties>\n");
	for (int rule = 0; rule < CK_RULES; rule++) {
		if (!ck_rule_on(r, rule))
			continue;
		for (size_t i = 0; i < (n ? n : 1); i++)
			testcase(o, r, rule, n ? ports[i] : -1);
	}
	if (s->leaks_not_found)
		unwalked_testcase(o, CK_LEAK, s->leaks_not_found,
				  s->leaks_not_found_oom);
	if (s->open_not_found)
		unwalked_testcase(o, CK_OPEN, s->open_not_found,
				  s->open_not_found_oom);
	if (r->cmd)
		cmd_testcase(o, r);
	out_lit(o, "    <testcase classname=\"tcptrail.events\" "
		   "name=\"no transitions lost\" time=\"0\"");
	if (r->lost) {
		out_lit(o, ">\n      <failure type=\"lost\" message=\"");
		out_count(o, r->lost, "transition", "transitions");
		out_lit(o, " lost: the verdict is incomplete\"/>\n"
			   "    </testcase>\n");
	} else {
		out_lit(o, "/>\n");
	}
	out_lit(o, "  </testsuite>\n</testsuites>\n");
	free(ports);
}
