/* SPDX-License-Identifier: GPL-2.0 */
/* tcptrail check's accounting: which connections broke which rule. */
#ifndef __TT_CHECK_RULES_H
#define __TT_CHECK_RULES_H

#include <stdbool.h>
#include "model/holders.h"
#include "model/idmap.h"
#include "model/netns_count.h"
#include "model/portstats.h"
#include "model/service.h"
#include "tcptrail.h"

enum ck_rule {
	CK_MAX_CLOSEWAIT, /* an episode in CLOSE_WAIT longer than the limit */
	CK_LEAK, /* still in CLOSE_WAIT when the grace ended */
	CK_OPEN, /* --fail-on-open: still open when the grace ended */
	CK_RULES,
};

/*
 * Where the end of the run finds the sockets still in CLOSE_WAIT (or
 * open): in records of each, with its tuple, kept from the events; or in
 * the kernel's own list (iter/tcp), which needs no record, but to say
 * which sockets are CMD's when its process tree is followed (_TREE).
 */
enum ck_ends {
	CK_ENDS_RECORDS, /* also with --pid: an owner the table may not know */
	CK_ENDS_KERNEL,
	CK_ENDS_KERNEL_TREE,
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
	__u64 ino; /* its inode, from the kernel's list; 0 if not known */
	/* leaks: who holds it now, found when the grace ended (the caller) */
	struct who now;
	/* the episode, or the time in its state when the grace ended */
	__u64 ns;
	/* began before tcptrail: ns is a lower bound (since it started) */
	bool at_least;
	/* at_least, and 0: the kernel ran no program for its last step */
	bool start_unseen;
};

#define CK_MAX_VIOLATIONS 1000

struct ck_state {
	struct ck_rules rules;
	enum ck_ends ends;
	__u16 eph_lo, eph_hi;
	/*
	 * sock_id -> struct ck_conn, whole with CK_ENDS_RECORDS, else only
	 * its first field: in CLOSE_WAIT, or open with fail_on_open; none
	 * with CK_ENDS_KERNEL
	 */
	struct idmap *conns;
	size_t rec_size;
	/*
	 * CK_ENDS_KERNEL*: per network namespace, the sockets in CLOSE_WAIT
	 * by the events, and (fail_on_open) those open otherwise; and those
	 * of each the kernel's list found there
	 */
	struct netns_count cw_netns, cw_found, open_netns, open_found;
	/* counted so, in a namespace the list did not walk whole: unnamed */
	__u64 leaks_not_found, open_not_found;
	/* some of each were not counted, for lack of memory, but assumed */
	bool leaks_not_found_oom, open_not_found_oom;
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
	/* episodes with a step unseen on either side (a gap): no time */
	__u64 untimed;
	__u64 start_ns; /* the tracer attached by then (set by the caller) */
	__u64 dropped; /* did not fit in the table: not followed */
};

int ck_init(struct ck_state *s, const struct ck_rules *r, size_t max_conns,
	    enum ck_ends ends);
/* frees the violations' holders too */
void ck_free(struct ck_state *s);
/* one transition of a watched socket */
void ck_event(struct ck_state *s, const struct tt_event *e);
/*
 * With CK_ENDS_KERNEL*: one socket of the kernel's list at the end of the
 * grace, in CLOSE_WAIT or (fail_on_open) open, that the filters match
 */
void ck_finish_sock(struct ck_state *s, const struct tt_sock_rec *r,
		    __u64 now_ns);
/*
 * At the end of the grace, after every ck_finish_sock(): leaks and open
 * connections. walked(ctx, netns): the kernel's list covered netns whole
 * (not called with CK_ENDS_RECORDS).
 */
void ck_finish(struct ck_state *s, __u64 now_ns,
	       bool (*walked)(void *ctx, __u32 netns), void *ctx);
const char *ck_rule_str(enum ck_rule r);
bool ck_passed(const struct ck_state *s);

#endif /* __TT_CHECK_RULES_H */
