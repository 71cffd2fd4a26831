/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring buffer and the loss counters, shared by the programs that write
 * events (user space hands the tracer's maps to the others).
 */
#ifndef __TT_EVENTS_BPF_H
#define __TT_EVENTS_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* sized by user space */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_counters);
} counters SEC(".maps");

static __always_inline void count(enum tt_counter which)
{
	__u32 zero = 0;
	struct tt_counters *c = bpf_map_lookup_elem(&counters, &zero);

	if (c && which < TT_CNT_MAX)
		c->c[which]++;
}

#endif /* __TT_EVENTS_BPF_H */
