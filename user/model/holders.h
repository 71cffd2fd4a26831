/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who holds a socket now, as ss -p names them: every process that has it
 * open, with each fd (a socket can be shared: fork, SCM_RIGHTS, dup). Not
 * the owner tcptrail saw at a transition (accept(), connect()), which is
 * who opened it.
 */
#ifndef __TT_MODEL_HOLDERS_H
#define __TT_MODEL_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "tcptrail.h"

struct holder {
	__u32 pid;
	int fd;
	char comm[TT_COMM_LEN];
};

struct holders {
	__u64 ino;
	__u32 n;
	struct holder *v; /* n of them, in /proc's order; NULL when none */
};

struct who {
	struct holders h; /* h.n == 0: nobody found */
	/* still in a listener's accept queue: h are the listener's */
	bool queued;
};

void holders_free(struct holders *h, size_t n);
void who_free(struct who *w, size_t n);

#endif /* __TT_MODEL_HOLDERS_H */
