// SPDX-License-Identifier: GPL-2.0
/*
 * timeline --open: the paths of the connections still open, read from the
 * tracer's table of them (every network namespace), once, at exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tcptrail.h"
#include "cgroup.bpf.h"
#include "sk_state.bpf.h"

const volatile __u64 filter_cgroup;

SEC("iter/bpf_map_elem")
int tt_iter_paths(struct bpf_iter__bpf_map_elem *ctx)
{
	struct sk_path_state *ps = ctx->value;
	__u64 *key = ctx->key;
	struct tt_path *p, r;

	/* sent: ended, or handed to a time-wait socket user space follows */
	if (!key || !ps)
		return 0;
	p = &ps->path;
	if (!p->sock_id || p->sent)
		return 0;
	if (filter_cgroup &&
	    !sk_in_cgroup((const struct sock *)*key, filter_cgroup))
		return 0;
	/* the opener and owner are copied in when a path is sent: now here */
	__builtin_memcpy(&r, p, sizeof(r));
	r.flags |= ps->st.flags & (TT_F_OPENER | TT_F_OWNER_KNOWN);
	r.owner_tgid = ps->st.owner_tgid;
	__builtin_memcpy(r.owner_comm, ps->st.owner_comm, sizeof(r.owner_comm));
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
