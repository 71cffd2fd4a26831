/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who holds each socket of a list now, as ss -p says: every process and
 * fd, from /proc, by the socket's inode from the iter/tcp walk. A socket
 * still in a listener's accept queue has no file yet: its listener's
 * holders are named, marked queued.
 */
#ifndef __TT_WHO_HOLDS_H
#define __TT_WHO_HOLDS_H

#include <stdbool.h>
#include <string.h>
#include "kernel/loader.h"
#include "model/holders.h"

/* a socket to find, by what every list of them knows */
struct who_key {
	__u64 ino; /* its inode, 0 when not known */
	__u32 netns;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 saddr[TT_ADDR_LEN];
	__u8 daddr[TT_ADDR_LEN];
};

static inline void who_key_set(struct who_key *k, __u64 ino, __u32 netns,
			       __u16 family, const __u8 *saddr, __u16 sport,
			       const __u8 *daddr, __u16 dport)
{
	k->ino = ino;
	k->netns = netns;
	k->family = family;
	k->sport = sport;
	k->dport = dport;
	memcpy(k->saddr, saddr, TT_ADDR_LEN);
	memcpy(k->daddr, daddr, TT_ADDR_LEN);
}

struct who_holds;

/*
 * The walk over sockets in CLOSE_WAIT and LISTEN, in the namespaces of
 * netns (as sockets__open() takes it). NULL and errno where iter/tcp
 * does not load: then only keys with an inode can be found.
 */
struct who_holds *who_holds__open(const struct tt_tracer *t,
				  const struct tt_loader_opts *lo, __u32 netns);
/* out[i] for keys[i]; free with who_free(). 0 or -errno */
int who_holds__find(struct who_holds *w, const struct who_key *keys, size_t n,
		    struct who *out);
void who_holds__close(struct who_holds *w);

#endif /* __TT_WHO_HOLDS_H */
