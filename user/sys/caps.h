/* SPDX-License-Identifier: GPL-2.0 */
/* The capabilities tcptrail runs with, to say exactly which one is missing. */
#ifndef __TT_CAPS_H
#define __TT_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/capability.h>

/* older uapi headers: the numbers are fixed by the kernel's ABI */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* in the effective set (capget(2)); a number from linux/capability.h */
bool tt_has_cap(int cap);
/*
 * What loading and attaching the tracer needs (CAP_BPF and CAP_PERFMON,
 * or CAP_SYS_ADMIN, which holds both), and which of it is missing: 0 if
 * nothing; else writes "CAP_BPF and CAP_PERFMON" or one of them to buf.
 */
int tt_missing_tracer_caps(char *buf, size_t len);
/* true if a seccomp filter runs on this thread (a container's profile) */
bool tt_seccomp_filtered(void);
/*
 * What naming the holders of other users' sockets needs: listing their
 * /proc/PID/fd (CAP_DAC_READ_SEARCH, or CAP_DAC_OVERRIDE) and reading its
 * links (ptrace access: CAP_SYS_PTRACE). 0 if held; else, as
 * tt_missing_tracer_caps(), what is missing in buf.
 */
int tt_missing_holder_caps(char *buf, size_t len);
/*
 * Keep only the capabilities in keep[] (those held of them), in every
 * set, the bounding set too, and set no_new_privs: nothing dropped can
 * come back, through exec either. 0, or -errno (nothing is undone).
 */
int tt_caps_keep_only(const int *keep, int n);
/*
 * Take uid and gid (and name's groups from the group database; none
 * when name is NULL) for real, effective and saved IDs, keeping the
 * capabilities held: follow with tt_caps_keep_only(). Needs CAP_SETUID
 * and CAP_SETGID. 0, or -errno (part may be done: fatal).
 */
int tt_become_user(const char *name, uid_t uid, gid_t gid);

#endif /* __TT_CAPS_H */
