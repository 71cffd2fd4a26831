/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's iterators: TCP sockets, sockets in CLOSE_WAIT, open paths. */
#ifndef __TT_ITERS_H
#define __TT_ITERS_H

#include <stdbool.h>
#include <stddef.h>
#include "kernel/loader.h"
#include "tcptrail.h"

struct sockets;

/* sockets__open()'s netns: only our own namespace */
#define TT_NETNS_SELF (~0U)

/*
 * Every TCP socket in one of the states (bit n: state n), by the iter/tcp
 * iterator (bpf/iter_tcp.bpf.c), in the network namespace netns (its
 * inode), or in every namespace a process is in or /run/netns names when
 * netns is 0, or only in ours (TT_NETNS_SELF); with cgroup, only the
 * sockets in that cgroup v2 or below it. The iterator walks the
 * namespace it is created in: the calling thread steps into each (setns,
 * which needs CAP_SYS_ADMIN) and back. Shares the tracer's per-socket
 * tables, so that a snapshot gives exact state times and owners for
 * sockets the tracer has seen. NULL and errno on error.
 */
struct sockets *sockets__open(const struct tt_tracer *t,
			      const struct tt_loader_opts *lo, __u32 states,
			      __u32 netns, __u64 cgroup);
/*
 * every wanted socket now; caller frees *out (NULL when *n is 0).
 * -ENOENT: the namespace asked for has no process in it and no
 * /run/netns entry to enter by.
 */
int sockets__snapshot(struct sockets *s, struct tt_sock_rec **out, size_t *n);
/*
 * each wanted socket now, in turn, with nothing kept; fn returns false to
 * stop. The errors are sockets__snapshot()'s.
 */
typedef bool (*sock_rec_fn)(void *ctx, const struct tt_sock_rec *r);
int sockets__for_each(struct sockets *s, sock_rec_fn fn, void *ctx);
/*
 * the last sockets__for_each() or sockets__snapshot() went through the
 * namespace netns (its inode) to its end; always false for TT_NETNS_SELF
 */
bool sockets__walked(const struct sockets *s, __u32 netns);
void sockets__close(struct sockets *s);

/*
 * The sockets the tracer follows that sit in CLOSE_WAIT now, in every
 * network namespace, read from its per-socket table (bpf/iter_closewait.bpf.c);
 * cgroup: filter on it too (0: none). NULL and errno on error.
 */
struct closewait_socks;
struct closewait_socks *closewait_socks__open(const struct tt_tracer *t,
					      const struct tt_loader_opts *lo,
					      __u64 cgroup);
int closewait_socks__snapshot(struct closewait_socks *k,
			      struct tt_sock_rec **out, size_t *n);
/* the same, one at a time: fn returns false to stop (not an error) */
int closewait_socks__for_each(struct closewait_socks *k, sock_rec_fn fn,
			      void *ctx);
void closewait_socks__close(struct closewait_socks *k);

/*
 * timeline --open: the paths of the connections still open, read once
 * after the programs are detached (bpf/iter_paths.bpf.c, every network
 * namespace); where that iterator is refused, a walk of the tracer's table
 * from user space, which cannot tell a socket's cgroup (the caller must not
 * rely on cgroup then). NULL only when out of memory.
 */
struct open_paths;
struct open_paths *open_paths__open(const struct tt_tracer *t,
				    const struct tt_loader_opts *lo,
				    __u64 cgroup);
/* why the iterator is not there (-errno), 0 if it is */
int open_paths__refused(const struct open_paths *op);
/*
 * each open path in turn, owner and opener filled in, with nothing kept:
 * fn returns false to stop
 */
typedef bool (*open_path_fn)(void *ctx, const struct tt_path *p);
int open_paths__for_each(struct open_paths *op, open_path_fn fn, void *ctx);
void open_paths__close(struct open_paths *op);

#endif /* __TT_ITERS_H */
