/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The owners of listening sockets, by network namespace and port: an
 * accepted socket starts with its listener's owner, until accept() names
 * the process that took it. Several listeners on one port (SO_REUSEPORT)
 * share the entry of the last to listen.
 */
#ifndef __TT_LISTENERS_BPF_H
#define __TT_LISTENERS_BPF_H

struct listener_key {
	__u32 netns;
	__u32 port;
};

struct listener_owner {
	__u64 skaddr;
	__u32 tgid;
	char comm[TT_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct listener_key);
	__type(value, struct listener_owner);
} listeners SEC(".maps");

static __always_inline void listener_update(const struct sock *sk, __u32 netns,
					    __u16 port, struct sk_state *st,
					    int oldstate, int newstate)
{
	struct listener_key k = { .netns = netns, .port = port };
	struct listener_owner *l, v = {};

	if (newstate == TCP_LISTEN && (st->flags & TT_F_OWNER_KNOWN)) {
		v.skaddr = (__u64)sk;
		v.tgid = st->owner_tgid;
		__builtin_memcpy(v.comm, st->owner_comm, sizeof(v.comm));
		bpf_map_update_elem(&listeners, &k, &v, BPF_ANY);
	} else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE) {
		l = bpf_map_lookup_elem(&listeners, &k);
		if (l && l->skaddr == (__u64)sk)
			bpf_map_delete_elem(&listeners, &k);
	} else if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV &&
		   !(st->flags & TT_F_OWNER_KNOWN)) {
		l = bpf_map_lookup_elem(&listeners, &k);
		if (!l)
			return;
		st->owner_tgid = l->tgid;
		__builtin_memcpy(st->owner_comm, l->comm, sizeof(l->comm));
		st->flags |= TT_F_OWNER_KNOWN | TT_F_OWNER_LISTENER;
	}
}

#endif /* __TT_LISTENERS_BPF_H */
