/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by every user-space file: diagnostics, exit codes, small helpers. */
#ifndef __TT_COMMON_H
#define __TT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#pragma GCC poison u8 u16 u32 u64 s8 s16 s32 s64

#define TT_VERSION "0.1.0"

#define __printf(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* exit statuses, documented in README.md */
enum tt_exit {
	TT_EXIT_OK = 0,
	TT_EXIT_FAILURE = 1, /* runtime failure: privilege, kernel, I/O */
	TT_EXIT_USAGE = 2, /* bad command line */
	TT_EXIT_RULE = 3, /* check: the command broke a rule */
};

#include <signal.h>

extern bool tt_verbose;
/* the signal that asked us to stop, or 0 */
extern volatile sig_atomic_t tt_exiting;
/* that signal came from the terminal, to our whole process group */
extern volatile sig_atomic_t tt_exit_by_group;
/* how many stop signals came */
extern volatile sig_atomic_t tt_signals;

/* SIGINT, SIGTERM and SIGHUP set tt_exiting; SIGPIPE is ignored */
int tt_install_signals(void);
/* " Hit Ctrl-C to end." when stderr is a terminal, else "" */
const char *tt_ctrl_c_hint(void);
extern const char *tt_prog; /* "tcptrail trace", for messages */

void p_err(const char *fmt, ...) __printf(1, 2);
void p_warn(const char *fmt, ...) __printf(1, 2);
void p_info(const char *fmt, ...) __printf(1, 2);
/* print an error and a hint pointing at --help; return TT_EXIT_USAGE */
int usage_err(const char *fmt, ...) __printf(1, 2);
/* the kernel's ephemeral port range (net.ipv4.ip_local_port_range) */
void ephemeral_range(__u16 *lo, __u16 *hi);
/* qsort/bsearch comparator for __u64 */
int cmp_u64(const void *a, const void *b);

#endif /* __TT_COMMON_H */
