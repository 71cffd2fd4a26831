/* SPDX-License-Identifier: GPL-2.0 */
/* The capabilities tcptrail runs with, to say exactly which one is missing. */
#ifndef __TT_CAPS_H
#define __TT_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* in the effective set (capget(2)); a number from linux/capability.h */
bool tt_has_cap(int cap);
/*
 * What loading and attaching the tracer needs (CAP_BPF and CAP_PERFMON,
 * or CAP_SYS_ADMIN, which holds both), and which of it is missing: 0 if
 * nothing; else writes "CAP_BPF and CAP_PERFMON" or one of them to buf.
 */
int tt_missing_tracer_caps(char *buf, size_t len);

#endif /* __TT_CAPS_H */
