/* SPDX-License-Identifier: GPL-2.0 */
/* tcptrail check's accounting: which connections broke which rule. */
#ifndef __TT_CHECK_RULES_H
#define __TT_CHECK_RULES_H

#include <stdbool.h>
#include "model/holders.h"
#include "model/idmap.h"
#include "model/portstats.h"
#include "model/service.h"
#include "tcptrail.h"

enum ck_rule {
	CK_MAX_CLOSEWAIT, /* an episode in CLOSE_WAIT longer than the limit */
	CK_LEAK, /* still in CLOSE_WAIT when the grace ended */
	CK_OPEN, /* --fail-on-open: still open when the grace ended */
	CK_RULES,
};

struct ck_rules {
	__u64 max_closewait_ns; /* 0: not checked */
	bool fail_on_open;
	enum tt_key_mode key;
};

/* one offending connection */
struct ck_violation {
	enum ck_rule rule;
	__u16 service;
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u8 laddr[TT_ADDR_LEN];
	__u8 raddr[TT_ADDR_LEN];
	__u8 state; /* at the end, or CLOSE_WAIT */
	__u32 netns;
	__u64 cgroup_id; /* tt_event.cgroup_id */
	/* who opened it (accept(), connect()), 0 if unknown */
	__u32 pid;
	char comm[TT_COMM_LEN];
	/* leaks: who holds it now, found when the grace ended (the caller) */
	struct who now;
	__u64 ns; /* the episode, or the age when the grace ended */
	/* began before tcptrail: ns is a lower bound (since it started) */
	bool at_least;
};

#define CK_MAX_VIOLATIONS 1000

struct ck_state {
	struct ck_rules rules;
	__u16 eph_lo, eph_hi;
	/* sock_id -> struct ck_conn: in CLOSE_WAIT, or open with fail_on_open */
	struct idmap *conns;
	struct portstats *cw; /* CLOSE_WAIT episodes per service port */
	__u64 *port_conns; /* [65536]: connections per service port */
	struct ck_violation *v; /* the first CK_MAX_VIOLATIONS */
	size_t nv;
	__u64 broken[CK_RULES]; /* all of them, counted */
	__u64 connections, episodes;
	/*
	 * episodes already under way when tracing began: their length is
	 * unknown, at least the time since start_ns; not in the port stats
	 */
	__u64 predating;
	__u64 start_ns; /* the tracer attached by then (set by the caller) */
	__u64 dropped; /* did not fit in the table: not followed */
};

int ck_init(struct ck_state *s, const struct ck_rules *r, size_t max_conns);
/* frees the violations' holders too */
void ck_free(struct ck_state *s);
/* one transition of a watched socket */
void ck_event(struct ck_state *s, const struct tt_event *e);
/* at the end of the grace: leaks and open connections */
void ck_finish(struct ck_state *s, __u64 now_ns);
const char *ck_rule_str(enum ck_rule r);
bool ck_passed(const struct ck_state *s);

#endif /* __TT_CHECK_RULES_H */
