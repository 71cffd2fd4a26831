/* SPDX-License-Identifier: GPL-2.0 */
/* Snapshots of the TCP sockets in given states, from the iter/tcp program. */
#ifndef __TT_SOCKETS_H
#define __TT_SOCKETS_H

#include <stddef.h>
#include "loader.h"
#include "tcptrail.h"

struct sockets;

/*
 * Shares the tracer's socket storage, so that a snapshot gives exact
 * state times and owners for sockets the tracer has seen. NULL and errno
 * on error.
 */
struct sockets *sockets__open(const struct tt_tracer *t,
			      const struct tt_loader_opts *lo, __u32 states);
/* every wanted socket now; caller frees *out */
int sockets__snapshot(struct sockets *s, struct tt_sock_rec **out, size_t *n);
void sockets__close(struct sockets *s);

/*
 * The sockets the tracer follows that sit in CLOSE_WAIT now, in every
 * network namespace, read from its per-socket table (bpf/tracked.bpf.c);
 * cgroup: filter on it too (0: none). NULL and errno on error.
 */
struct tracked;
struct tracked *tracked__open(const struct tt_tracer *t,
			      const struct tt_loader_opts *lo, __u64 cgroup);
int tracked__snapshot(struct tracked *k, struct tt_sock_rec **out, size_t *n);
void tracked__close(struct tracked *k);

#endif /* __TT_SOCKETS_H */
