/* SPDX-License-Identifier: GPL-2.0 */
/* Every network namespace on the host, and stepping into one for a walk. */
#ifndef __TT_NETNS_H
#define __TT_NETNS_H

#include <stddef.h>
#include <linux/types.h>

struct netns_ref {
	__u32 inum;
	char path[64]; /* /proc/PID/ns/net or /run/netns/NAME */
};

/*
 * Each network namespace once, found where a process is in one
 * (/proc/PID/ns/net) or a file names it (/run/netns, as 'ip netns' makes
 * them); ours first. *hidden (if not NULL): the processes whose
 * namespace could not be read (ptrace access: CAP_SYS_PTRACE), which may
 * be in one no other way finds. Caller frees *out. 0, or -errno.
 */
int netns_list(struct netns_ref **out, size_t *n, unsigned int *hidden);

/*
 * Move the calling thread into the namespace at path (setns); *back gets
 * a descriptor of where it was. 0, or -errno (nothing changed).
 */
int netns_enter(const char *path, int *back);
/* return to the namespace netns_enter() left; closes back. 0 or -errno */
int netns_leave(int back);

#endif /* __TT_NETNS_H */
