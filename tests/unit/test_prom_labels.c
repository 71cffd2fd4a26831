// SPDX-License-Identifier: GPL-2.0
/*
 * export --labels container: cgroup ids to label sets, the bound, and
 * the rendering (user/cmd/labels.c, user/output/prom.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "cmd/labels.h"
#include "model/tcp_state.h"

#define C1 "1111111111111111111111111111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222222222222222222222222222"
#define POD "8a3b1f2e-5c6d-4e7f-9a0b-1c2d3e4f5a6b"
#define CG1 100 /* C1, in pod POD, burstable */
#define CG2 200 /* C2, no pod */
#define CG_HOST 300 /* a cgroup outside containers */
#define CG_GONE 400 /* not found */

static const __u64 no_transitions[TT_NSTATES * TT_NSTATES];

struct fix {
	struct labels_opt l;
	struct hist_entry h[8];
	size_t nh;
	struct prom_sockets s[8];
	size_t ns;
	struct out o;
};

static void known(struct labels_opt *l, __u64 cg, const char *c,
		  const char *pod, enum cg_qos q)
{
	struct cg_labels lab = { .qos = q };
	__u32 *v = idmap__insert(l->set_of, cg);

	strcpy(lab.container_id, c);
	strcpy(lab.pod_uid, pod);
	assert_non_null(v);
	*v = label_sets_intern(l->sets, &lab);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f || out_init(&f->o, -1, 4096))
		return -1;
	f->l.on = true;
	f->l.max_sets = 64;
	/* no mount: what is not known beforehand is not found */
	f->l.cn = cgroup_names_new("/nonexistent/cgroup", 16);
	f->l.sets = label_sets_new(16);
	f->l.set_of = idmap__new(16, sizeof(__u32));
	if (!f->l.cn || !f->l.sets || !f->l.set_of)
		return -1;
	known(&f->l, CG1, C1, POD, CG_QOS_BURSTABLE);
	known(&f->l, CG2, C2, "", CG_QOS_NONE);
	known(&f->l, CG_HOST, "", "", CG_QOS_NONE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	labels_close(&f->l);
	out_free(&f->o);
	free(f);
	return 0;
}

static void hist(struct fix *f, __u32 port, __u64 cg, __u64 n)
{
	struct hist_entry *e = &f->h[f->nh++];

	memset(e, 0, sizeof(*e));
	e->key.port = port;
	e->key.state = TCP_CLOSE_WAIT;
	e->key.cgroup_id = cg;
	e->h.slots[3] = n;
	e->h.count = n;
	e->h.sum_ns = n * 5000;
	e->h.max_ns = 5000;
}

static void sock(struct fix *f, __u32 port, __u64 cg, __u64 n)
{
	f->s[f->ns++] = (struct prom_sockets){ port, TCP_CLOSE_WAIT, n,
					       2000000000,
					       labels_set(&f->l, cg) };
}

static const char *render(struct fix *f)
{
	struct prom_input in = {
		.transitions = no_transitions,
		.sock_states = 1U << TCP_CLOSE_WAIT,
		.max_ports = 64,
	};

	in.folded = labels_apply(&f->l, f->h, &f->nh, f->s, &f->ns);
	if (f->l.on)
		in.sets = f->l.sets;
	in.hists = f->h;
	in.nhists = f->nh;
	in.socks = f->s;
	in.nsocks = f->ns;
	f->o.len = 0;
	prom_render(&f->o, &in);
	return out_cstr(&f->o);
}

static void has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("missing %s", line);
}

static void lacks(const char *text, const char *s)
{
	if (strstr(text, s))
		fail_msg("unexpected %s in:\n%s", s, text);
}

#define L1 "container_id=\"" C1 "\",pod_uid=\"" POD "\",qos=\"burstable\""
#define L2 "container_id=\"" C2 "\",pod_uid=\"\",qos=\"\""
#define L0 "container_id=\"\",pod_uid=\"\",qos=\"\""
#define LO "container_id=\"other\",pod_uid=\"other\",qos=\"other\""

static void test_labels(void **state)
{
	struct fix *f = *state;
	const char *t;

	hist(f, 8080, CG1, 5);
	hist(f, 8080, CG2, 2);
	hist(f, 8080, CG_HOST, 1);
	hist(f, 8080, CG_GONE, 4); /* unknown: with the host's */
	hist(f, TT_PORT_OTHER, 0, 3); /* the kernel's overflow */
	sock(f, 8080, CG1, 2);
	sock(f, 8080, CG_GONE, 1);
	t = render(f);
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"8080\"," L1 "} 5\n");
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"8080\"," L2 "} 2\n");
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"8080\"," L0 "} 5\n");
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"other\"," LO "} 3\n");
	has(t,
	    "tcptrail_sockets{state=\"close_wait\",port=\"8080\"," L1 "} 2\n");
	has(t,
	    "tcptrail_sockets{state=\"close_wait\",port=\"8080\"," L0 "} 1\n");
	has(t, "tcptrail_closewait_oldest_seconds{port=\"8080\"," L1
	       "} 2.000000\n");
	has(t, "tcptrail_label_sets_folded 0\n");
	/* every series with a port has the three labels */
	for (const char *p = strstr(t, "port=\""); p;
	     p = strstr(p + 1, "port="))
		assert_int_equal(
			strncmp(strchr(p, ',') + 1, "container_id=", 13), 0);
}

static void test_bounded(void **state)
{
	struct fix *f = *state;
	const char *t;

	f->l.max_sets = 1;
	hist(f, 8080, CG1, 10);
	hist(f, 8080, CG2, 2);
	hist(f, 9090, CG2, 1);
	hist(f, 8080, CG_HOST, 1);
	sock(f, 8080, CG2, 1);
	t = render(f);
	/* C1 has the most traffic and keeps its labels; C2 is folded */
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"8080\"," L1 "} 10\n");
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"8080\"," LO "} 2\n");
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"9090\"," LO "} 1\n");
	/* no container: not a set the bound counts */
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"8080\"," L0 "} 1\n");
	has(t,
	    "tcptrail_sockets{state=\"close_wait\",port=\"8080\"," LO "} 1\n");
	lacks(t, C2);
	has(t, "tcptrail_label_sets_folded 1\n");
}

/* without --labels, nothing changes: no label, no gauge */
static void test_off(void **state)
{
	struct fix *f = *state;
	const char *t;

	f->l.on = false;
	hist(f, 8080, 0, 5);
	sock(f, 8080, CG1, 1);
	assert_int_equal(f->s[0].set, LS_NONE);
	t = render(f);
	has(t, "tcptrail_state_duration_seconds_count{state=\"close_wait\","
	       "port=\"8080\"} 5\n");
	has(t, "tcptrail_sockets{state=\"close_wait\",port=\"8080\"} 1\n");
	lacks(t, "container_id");
	lacks(t, "tcptrail_label_sets_folded");
}

UNIT_GROUP(prom_labels)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_off, setup, teardown),
	};

	return cmocka_run_group_tests_name("prom_labels", tests, NULL, NULL);
}
