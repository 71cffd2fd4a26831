/* SPDX-License-Identifier: GPL-2.0 */
/* In-kernel filters shared by the subcommands: options and their values. */
#ifndef __TT_FILTER_H
#define __TT_FILTER_H

#include <argp.h>
#include <stdbool.h>
#include "parse.h"

enum { PORTS_LOCAL, PORTS_REMOTE, PORTS_ANY, PORTS_MAX };

struct tt_filter {
	__u16 family;
	bool port_on[PORTS_MAX];
	__u64 ports[PORTS_MAX][PORT_WORDS];
	__u32 tgid;
	__u32 netns;
	__u32 states;
	__u64 cgroup;
};

/* argp child: pass a struct tt_filter * as its input */
extern const struct argp filter_argp;

/*
 * The same filters in user space, for sockets listed by the iterator
 * rather than seen in a transition; pid 0: owner unknown, no match on
 * --pid. --cgroup is not checked here (the iterator does not read it).
 */
bool tt_filter_match(const struct tt_filter *f, __u16 family, __u16 sport,
		     __u16 dport, __u32 netns, __u32 owner_pid);

/* the cgroup v2 mount point, from /proc/self/mountinfo: 0 or -1 */
int cgroup2_root(char *buf, size_t len);

/* resolvers, exposed for tests: 0, or -1 with *why set */
int resolve_netns(const char *arg, __u32 *inum, const char **why);
int resolve_cgroup(const char *arg, __u64 *id, const char **why);

#endif /* __TT_FILTER_H */
