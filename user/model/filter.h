/* SPDX-License-Identifier: GPL-2.0 */
/* The filters the kernel applies (--port, --pid, --netns, ...): their values. */
#ifndef __TT_FILTER_H
#define __TT_FILTER_H

#include <stdbool.h>
#include "util/parse.h"

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

/*
 * The same filters in user space, for sockets listed by the iterator
 * rather than seen in a transition; pid 0: owner unknown, no match on
 * --pid. --cgroup is not checked here: check's and closewait's walks
 * apply it in the kernel (sockets__open()).
 */
bool tt_filter_match(const struct tt_filter *f, __u16 family, __u16 sport,
		     __u16 dport, __u32 netns, __u32 owner_pid);

/* a port filter is on and its set holds port */
bool tt_filter_names_port(const struct tt_filter *f, __u16 port);
/* leave out every socket with port at either end */
void tt_filter_exclude_port(struct tt_filter *f, __u16 port);

#endif /* __TT_FILTER_H */
