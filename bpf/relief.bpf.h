/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --relief: a second instance of the transition program, for the
 * transitions the kernel skipped the first one for. Included by
 * tcptrail.bpf.c after on_btf().
 */
#ifndef __TT_RELIEF_BPF_H
#define __TT_RELIEF_BPF_H

/* tt_state_btf, put in by user space for the relief to find */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} first_prog SEC(".maps");

/* a pointer's value as a number, which the verifier lets no arithmetic on */
static __always_inline __u64 address_of(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/* the first pointer in a BPF array map's kernel struct (struct bpf_array) */
static __always_inline __u64 array_ptr0(const void *map)
{
	__u64 p = 0;

	bpf_probe_read_kernel(
		&p, sizeof(p),
		(void *)(address_of(map) +
			 bpf_core_field_offset(struct bpf_array, ptrs)));
	return p;
}

/*
 * The address of this CPU's instance of tt_state_btf's run counter
 * (prog->active, per CPU), found once per CPU: the program from the prog
 * array's slot, and this CPU's offset into per-CPU memory from the
 * nesting map, whose value is per CPU too (its per-CPU pointer, against
 * where this CPU's instance lies).
 */
static __always_inline __u64 first_active(struct nesting *n)
{
	__u64 prog, active, pcpu;

	if (n->first_active)
		return n->first_active;
	prog = array_ptr0(&first_prog);
	pcpu = array_ptr0(&nesting);
	if (!prog || !pcpu)
		return 0;
	active = (__u64)BPF_CORE_READ((struct bpf_prog *)prog, active);
	if (!active)
		return 0;
	n->first_active = active + (address_of(n) - pcpu);
	return n->first_active;
}

/*
 * The relief instance, attached after tt_state_btf. Since 6.2 (and
 * Debian's 6.1) the kernel skips a tp_btf program already running on the
 * CPU, a softirq's transition over process context's, and counts a
 * recursion miss. It decides by the program's per-CPU run counter, which
 * it raises around each run: this relief reads that same counter. Not 0
 * here means this invocation found tt_state_btf running below it on this
 * CPU and skipped it; the relief is not running then (it runs after
 * tt_state_btf has ended), and takes the transition. 0 means it ran.
 * Before the skip existed, the counter stays 0 and the relief idle. A
 * layout proposed for arm64 (bpf-next, December 2025) keeps a byte per
 * context level and skips when any other byte is set: read as one int,
 * the four are non-zero exactly then.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_state_btf_relief, struct sock *sk, int oldstate, int newstate)
{
	struct nesting *n = this_cpu_nesting();
	__u64 addr;
	int running = 0;

	/* 5.10's programs have no run counter: nothing skips them either */
	if (!n || !bpf_core_field_exists(struct bpf_prog, active))
		return 0;
	addr = first_active(n);
	if (!addr) {
		count(TT_CNT_RELIEF_BLIND);
		return 0;
	}
	bpf_probe_read_kernel(&running, sizeof(running), (void *)addr);
	if (!running)
		return 0;
	count(TT_CNT_RELIEVED);
	n->depth++;
	on_btf(ctx, sk, oldstate, newstate);
	n->depth--;
	return 0;
}

#endif /* __TT_RELIEF_BPF_H */
