/* SPDX-License-Identifier: GPL-2.0 */
/* A socket in CLOSE_WAIT, as 'closewait' keeps it and lists it at exit. */
#ifndef __TT_MODEL_CLOSEWAIT_H
#define __TT_MODEL_CLOSEWAIT_H

#include <stdbool.h>
#include <linux/types.h>
#include "model/holders.h"
#include "tcptrail.h"

struct cw_open {
	__u64 since_ns;
	bool estimated; /* predates tcptrail: since_ns from the last segment */
	int fd; /* found in /proc, or -1 */
	/* who opened it (accept(), connect()): the owner the tracer saw */
	__u32 pid;
	char comm[TT_COMM_LEN];
	__u32 netns;
	__u64 ino; /* its inode where known, else 0 */
	__u64 cgroup_id; /* tt_event.cgroup_id */
	struct who now; /* who holds it now, found at exit */
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 service;
	__u8 laddr[TT_ADDR_LEN];
	__u8 raddr[TT_ADDR_LEN];
};

#endif /* __TT_MODEL_CLOSEWAIT_H */
