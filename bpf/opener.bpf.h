/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who opened a connection, guessed without per-socket state, the same way by
 * the tracer (hist.bpf.h) and the iterator (iter_tcp.bpf.c). The including
 * object provides the rodata eph_lo and eph_hi.
 */
#ifndef __TT_OPENER_BPF_H
#define __TT_OPENER_BPF_H

static __always_inline bool ephemeral(__u16 port)
{
	return port >= eph_lo && port <= eph_hi;
}

/*
 * An accepted socket is a copy of its listener and keeps its listen()
 * backlog; a connecting one has none, and its local port is the kernel's
 * pick, from the ephemeral range. What is left, a remote port in that
 * range and a local one outside it, is a listen(fd, 0) server's.
 */
static __always_inline __u8 guess_opener(__u32 backlog, __u16 sport,
					 __u16 dport)
{
	if (backlog || (ephemeral(dport) && !ephemeral(sport)))
		return TT_F_PASSIVE;
	return TT_F_ACTIVE;
}

#endif /* __TT_OPENER_BPF_H */
