/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a socket the same way in every program. vmlinux.h has the TCP_*
 * states and IPPROTO_TCP (enums); the address families are macros in the
 * kernel, so not in BTF: here, once.
 */
#ifndef __TT_SOCK_BPF_H
#define __TT_SOCK_BPF_H

#define AF_INET 2
#define AF_INET6 10

/*
 * Local and remote address of a socket or time-wait socket, IPv4 in the
 * first 4 bytes. skc must be a BTF pointer (tp_btf, fentry, iter/tcp):
 * read directly, no helper call per field.
 */
static __always_inline void skc_addrs(const struct sock_common *skc,
				      __u16 family, __u8 saddr[TT_ADDR_LEN],
				      __u8 daddr[TT_ADDR_LEN])
{
	if (family == AF_INET) {
		*(__u32 *)saddr = skc->skc_rcv_saddr;
		*(__u32 *)daddr = skc->skc_daddr;
	} else {
		__builtin_memcpy(saddr, &skc->skc_v6_rcv_saddr, TT_ADDR_LEN);
		__builtin_memcpy(daddr, &skc->skc_v6_daddr, TT_ADDR_LEN);
	}
}

/* the same through probe reads, for a plain address (a map's key) */
static __always_inline void skc_addrs_probe(const struct sock_common *skc,
					    __u16 family,
					    __u8 saddr[TT_ADDR_LEN],
					    __u8 daddr[TT_ADDR_LEN])
{
	if (family == AF_INET) {
		*(__u32 *)saddr = BPF_CORE_READ(skc, skc_rcv_saddr);
		*(__u32 *)daddr = BPF_CORE_READ(skc, skc_daddr);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)saddr, skc,
				   skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)daddr, skc, skc_v6_daddr);
	}
}

/* sk_flags: the peer's FIN is in (set by tcp_fin() alone) */
#define TT_SOCK_DONE 1

/*
 * At a hand-off to a time-wait socket (FIN_WAIT2 or CLOSING -> CLOSE
 * without an error), the substate it starts in, as tcp_time_wait() is
 * told: TIME_WAIT once the peer's FIN is in; FIN_WAIT2 when our side
 * closed and the peer has not (an orphaned FIN_WAIT2, which lives until
 * the peer's FIN or tcp_fin_timeout). Not sk_shutdown: close() sets all
 * of it on our side, FIN or not.
 */
static __always_inline __u8 tw_substate_at_handoff(struct sock *sk,
						   int oldstate)
{
	if (oldstate != TCP_FIN_WAIT2)
		return TCP_TIME_WAIT;
	return BPF_CORE_READ(sk, __sk_common.skc_flags) &
			       (1UL << TT_SOCK_DONE) ?
		       TCP_TIME_WAIT :
		       TCP_FIN_WAIT2;
}

#endif /* __TT_SOCK_BPF_H */
