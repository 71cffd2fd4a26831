/* SPDX-License-Identifier: GPL-2.0 */
/* Is a socket in cgroup v2 'id' or below it? */
#ifndef __TT_CGROUP_BPF_H
#define __TT_CGROUP_BPF_H

#define CGROUP_MAX_DEPTH 32

/*
 * Before 5.15 the socket's cgroup was a pointer inside a __u64 'val',
 * shared with cgroup v1's netprio and classid data (the low bits set
 * then: the kernel itself no longer knows the cgroup and answers the
 * root; NULL here, so such a socket matches no --cgroup filter).
 */
struct sock_cgroup_data___old {
	__u64 val;
} __attribute__((preserve_access_index));

struct sock___old {
	struct sock_cgroup_data___old sk_cgrp_data;
} __attribute__((preserve_access_index));

static __always_inline struct cgroup *sk_cgroup(const struct sock *sk)
{
	__u64 v;

	if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup))
		return BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
	v = BPF_CORE_READ((struct sock___old *)sk, sk_cgrp_data.val);
	return v & 3 ? NULL : (struct cgroup *)v;
}

/* the socket's cgroup v2 id (kernfs node id), 0 if it has none */
static __always_inline __u64 sk_cgroup_id(const struct sock *sk)
{
	struct cgroup *cg = sk_cgroup(sk);

	return cg ? BPF_CORE_READ(cg, kn, id) : 0;
}

static __always_inline bool sk_in_cgroup(const struct sock *sk, __u64 id)
{
	struct cgroup *cg = sk_cgroup(sk);

	/* 'self' is the first member: a css parent pointer is its cgroup */
	for (int i = 0; i < CGROUP_MAX_DEPTH && cg; i++) {
		if (BPF_CORE_READ(cg, kn, id) == id)
			return true;
		cg = (struct cgroup *)BPF_CORE_READ(cg, self.parent);
	}
	return false;
}

#endif /* __TT_CGROUP_BPF_H */
