/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring buffer and the loss counters, shared by the programs that write
 * events (user space hands the tracer's maps to the others).
 */
#ifndef __TT_EVENTS_BPF_H
#define __TT_EVENTS_BPF_H

/* pending bytes past which a record wakes user space (set by user space) */
const volatile __u64 wakeup_bytes = 64 * 1024;

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

/* batch wake-ups: user space also polls with a short timeout */
static __always_inline __u64 wake_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		       BPF_RB_FORCE_WAKEUP :
		       BPF_RB_NO_WAKEUP;
}

/* the entry for key, inserted as zero if missing; NULL if the map is full */
static __always_inline void *lookup_or_init(void *map, const void *key,
					    const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif /* __TT_EVENTS_BPF_H */
