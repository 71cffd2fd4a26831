// SPDX-License-Identifier: GPL-2.0
/* check's JSON report (--json FILE): the verdict, counts, each violation */
#include <stdlib.h>
#include "output/holders_fmt.h"
#include "output/check_report.h"
#include "model/tcp_state.h"
#include "output/cgroup_fmt.h"
#include "output/textfmt.h"

static const char *const verdict_json[] = {
	[CK_PASS] = "pass",
	[CK_FAIL] = "fail",
	[CK_INTERRUPTED] = "interrupted",
};

static void json_violation(struct json_writer *j, const struct ck_violation *v,
			   struct cgroup_fmt *cg)
{
	json_obj_start(j);
	json_word_field(j, "rule", ck_rule_str(v->rule));
	json_u64_field(j, "port", v->service);
	json_key(j, "owner_pid");
	if (v->pid)
		json_u64(j, v->pid);
	else
		json_null(j);
	json_key(j, "owner_comm");
	if (v->pid)
		json_str(j, v->comm, TT_COMM_LEN);
	else
		json_null(j);
	if (v->rule == CK_LEAK)
		json_holders_list(j, &v->now);
	json_endpoint(j, false, v->family, v->laddr, v->lport);
	json_endpoint(j, true, v->family, v->raddr, v->rport);
	json_word_field(j, "state", tcp_state_str(v->state));
	json_ms_field(j, "duration_ms", v->ns);
	json_bool_field(j, "duration_at_least", v->at_least);
	json_cgroup(j, cg, v->cgroup_id);
	json_obj_end(j);
}

/* a duration per port, null where the port had no CLOSE_WAIT */
static void json_port_ms(struct json_writer *j, const char *key,
			 const struct port_summary *p, __u64 ns)
{
	json_key(j, key);
	if (p)
		json_ms(j, ns);
	else
		json_null(j);
}

static void json_ports(struct json_writer *j, const struct ck_state *s)
{
	struct port_summary *ps = NULL;
	size_t n, nports;
	__u16 *ports;

	json_key(j, "ports");
	json_arr_start(j);
	n = portstats__summarise(s->cw, &ps);
	nports = ck_ports_of(s, &ports);
	for (size_t i = 0, k = 0; i < nports; i++) {
		const struct port_summary *p = NULL;

		while (k < n && ps[k].port < ports[i])
			k++;
		if (k < n && ps[k].port == ports[i])
			p = &ps[k];
		json_obj_start(j);
		json_u64_field(j, "port", ports[i]);
		json_u64_field(j, "connections", s->port_conns[ports[i]]);
		json_u64_field(j, "closewait_episodes", p ? p->count : 0);
		json_port_ms(j, "p50_ms", p, p ? p->p50_ns : 0);
		json_port_ms(j, "p99_ms", p, p ? p->p99_ns : 0);
		json_port_ms(j, "max_ms", p, p ? p->max_ns : 0);
		json_obj_end(j);
	}
	json_arr_end(j);
	free(ps);
	free(ports);
}

void ck_report_json(struct out *o, const struct ck_report *r)
{
	const struct ck_state *s = r->s;
	struct json_writer j;

	json_init(&j, o);
	json_obj_start(&j);
	json_word_field(&j, "result", verdict_json[ck_verdict(r)]);
	json_key(&j, "interrupted_by");
	if (r->interrupted && r->interrupted_by)
		json_word(&j, ck_signal_name(r->interrupted_by));
	else
		json_null(&j);
	json_key(&j, "cmd");
	if (r->cmd) {
		json_arr_start(&j);
		for (int i = 0; r->cmd[i]; i++)
			json_str(&j, r->cmd[i], 4096);
		json_arr_end(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "cmd_exit");
	if (r->cmd && r->cmd_status >= 0)
		json_u64(&j, r->cmd_status);
	else
		json_null(&j);
	json_word_field(&j, "watch", r->watch);
	json_ms_field(&j, "duration_ms", r->elapsed_ns);
	json_ms_field(&j, "grace_ms", r->grace_ns);
	json_key(&j, "max_closewait_ms");
	if (s->rules.max_closewait_ns)
		json_ms(&j, s->rules.max_closewait_ns);
	else
		json_null(&j);
	json_bool_field(&j, "max_closewait_default", r->max_closewait_default);
	json_bool_field(&j, "fail_on_open", s->rules.fail_on_open);
	json_u64_field(&j, "lost", r->lost);
	json_u64_field(&j, "unseen", r->unseen);
	json_u64_field(&j, "untracked", s->dropped);
	json_u64_field(&j, "leaks_not_found", s->leaks_not_found);
	json_u64_field(&j, "open_not_found", s->open_not_found);
	json_u64_field(&j, "connections", s->connections);
	json_u64_field(&j, "closewait_episodes", s->episodes);
	json_u64_field(&j, "closewait_predating", s->predating);
	json_u64_field(&j, "closewait_untimed", s->untimed);
	json_key(&j, "broken");
	json_obj_start(&j);
	for (int i = 0; i < CK_RULES; i++)
		json_u64_field(&j, ck_rule_str(i), s->broken[i]);
	json_obj_end(&j);
	json_key(&j, "violations");
	json_arr_start(&j);
	for (size_t i = 0; i < s->nv; i++)
		json_violation(&j, &s->v[i], r->cg);
	json_arr_end(&j);
	json_ports(&j, s);
	json_obj_end(&j);
	out_char(o, '\n');
}
