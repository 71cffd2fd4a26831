/* SPDX-License-Identifier: GPL-2.0 */
/* Is a socket in cgroup v2 'id' or below it? */
#ifndef __TT_CGROUP_BPF_H
#define __TT_CGROUP_BPF_H

#define CGROUP_MAX_DEPTH 32

static __always_inline bool sk_in_cgroup(const struct sock *sk, __u64 id)
{
	struct cgroup *cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);

	/* 'self' is the first member: a css parent pointer is its cgroup */
	for (int i = 0; i < CGROUP_MAX_DEPTH && cg; i++) {
		if (BPF_CORE_READ(cg, kn, id) == id)
			return true;
		cg = (struct cgroup *)BPF_CORE_READ(cg, self.parent);
	}
	return false;
}

#endif /* __TT_CGROUP_BPF_H */
