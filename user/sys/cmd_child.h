/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check's command: started in its cgroup (or followed as a process tree),
 * reaped, and on an interruption stopped as a whole within a bound.
 */
#ifndef __TT_CMD_CHILD_H
#define __TT_CMD_CHILD_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>
#include "sys/cgroup_child.h"
#include "sys/proctree.h"

struct cmd_child {
	pid_t pid; /* 0: not running (never started, or reaped) */
	const struct cgroup_child *cg; /* NULL: follow tree instead */
	struct proctree *tree;
};

/*
 * fork, join the cgroup, exec argv. 0; TT_EXIT_USAGE when the command
 * cannot be executed; TT_EXIT_FAILURE for the rest. Prints its errors.
 */
int cmd_child_spawn(struct cmd_child *c, char *const argv[]);
/*
 * Has the command ended? If so, *status is its exit status (128 + the
 * signal that killed it) and c->pid becomes 0.
 */
bool cmd_child_reap(struct cmd_child *c, int *status);
/*
 * After tcptrail was asked to stop with sig: pass sig on to every process
 * of the command (all but those in our process group when the terminal
 * already sent it to the group), wait up to wait_ns for them to end, or
 * less if tcptrail gets another signal, then SIGKILL what is left.
 * Returns the command's status as cmd_child_reap() does, -1 if unknown.
 */
int cmd_child_stop(struct cmd_child *c, int sig, bool group_got_it,
		   __u64 wait_ns);

#endif /* __TT_CMD_CHILD_H */
