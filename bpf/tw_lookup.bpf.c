// SPDX-License-Identifier: GPL-2.0
/*
 * timeline's TIME_WAIT where fentry is refused: once a second, user space
 * runs this program (BPF_PROG_TEST_RUN) to look up each followed time-wait
 * socket by its tuple, and queues the news: gone (in which substate), or
 * an orphaned FIN_WAIT2 that got the peer's FIN (and when). A lookup per followed
 * socket, not a walk of every socket on the host: under churn a host holds
 * over a hundred thousand time-wait sockets. A tc program, the kind that
 * may call bpf_skc_lookup_tcp(); it looks in the caller's namespace.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tcptrail.h"
#include "tw.bpf.h"

/*
 * BPF_F_CURRENT_NETNS, the uapi's -1: an anonymous enum that not every
 * kernel's BTF carries (Debian 12's arm64 6.1 does not), so not in every
 * vmlinux.h
 */
#define TT_CURRENT_NETNS (-1L)

#define AF_INET 2

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1); /* sized by user space */
	__type(key, struct tt_tuple);
	__type(value, __u8); /* the substate last seen */
} tw_follow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1); /* sized by user space */
	__uint(value_size, sizeof(struct tt_tw_report));
} tw_news SEC(".maps");

struct walk {
	struct __sk_buff *skb;
};

static __always_inline bool v4_mapped(const __u8 *a)
{
	return !*(__u64 *)a && *(__u32 *)(a + 8) == bpf_htonl(0xffff);
}

static long check_one(struct bpf_map *map, const struct tt_tuple *k, __u8 *v,
		      struct walk *w)
{
	struct bpf_sock_tuple t = {};
	struct tt_tw_report news = {};
	struct bpf_sock *sk;
	bool alive = false;
	__u32 len;

	/*
	 * As a segment from the peer would name it. An IPv4 peer of a
	 * dual-stack socket has a v4-mapped address: the kernel files that
	 * connection, and its time-wait socket, in the IPv4 table.
	 */
	if (k->family == AF_INET) {
		__builtin_memcpy(&t.ipv4.saddr, k->daddr, 4);
		__builtin_memcpy(&t.ipv4.daddr, k->saddr, 4);
		t.ipv4.sport = bpf_htons(k->dport);
		t.ipv4.dport = bpf_htons(k->sport);
		len = sizeof(t.ipv4);
	} else if (v4_mapped(k->saddr) && v4_mapped(k->daddr)) {
		__builtin_memcpy(&t.ipv4.saddr, k->daddr + 12, 4);
		__builtin_memcpy(&t.ipv4.daddr, k->saddr + 12, 4);
		t.ipv4.sport = bpf_htons(k->dport);
		t.ipv4.dport = bpf_htons(k->sport);
		len = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, k->daddr, 16);
		__builtin_memcpy(t.ipv6.daddr, k->saddr, 16);
		t.ipv6.sport = bpf_htons(k->dport);
		t.ipv6.dport = bpf_htons(k->sport);
		len = sizeof(t.ipv6);
	}
	sk = bpf_skc_lookup_tcp(w->skb, &t, len, TT_CURRENT_NETNS, 0);
	__builtin_memcpy(&news.k, k, sizeof(news.k));
	if (sk) {
		/* the tuple may be a new connection's already (reuse) */
		alive = sk->state == TCP_TIME_WAIT;
		if (alive && *v == TCP_FIN_WAIT2) {
			struct tcp_timewait_sock *tw =
				bpf_skc_to_tcp_timewait_sock(sk);

			if (tw && tw->tw_sk.tw_substate == TCP_TIME_WAIT) {
				news.news = TT_TW_PEER_FIN;
				news.at_ns = tw_time_wait_since(&tw->tw_sk);
				/* a full queue: reported next time */
				if (!bpf_map_push_elem(&tw_news, &news, 0))
					*v = TCP_TIME_WAIT;
			}
		}
		bpf_sk_release(sk);
	}
	if (!alive) {
		news.news = TT_TW_GONE;
		news.substate = *v;
		/* a full queue: reported next time */
		if (!bpf_map_push_elem(&tw_news, &news, 0))
			bpf_map_delete_elem(&tw_follow, &news.k);
	}
	return 0;
}

SEC("tc")
int tt_tw_lookup(struct __sk_buff *skb)
{
	struct walk w = { .skb = skb };

	bpf_for_each_map_elem(&tw_follow, check_one, &w, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
