/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring buffer and the loss counters, shared by the programs that write
 * events (user space hands the tracer's maps to the others). Where the
 * kernel has no ring buffer (before 5.8), or --perf-buffer asks for it,
 * user space turns 'events' into a perf event array and sets perf_events:
 * records are built in a per-CPU scratch entry and copied out.
 */
#ifndef __TT_EVENTS_BPF_H
#define __TT_EVENTS_BPF_H

/* pending bytes past which a record wakes user space (set by user space) */
const volatile __u64 wakeup_bytes = 64 * 1024;
const volatile bool perf_events;

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

/*
 * per object, since the programs of two objects may nest on one CPU, and
 * one entry per nesting level of the same program (see nest_level())
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct tt_event);
} event_scratch SEC(".maps");

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

/*
 * room for an event, NULL (counted as lost) when there is none; level:
 * the scratch entry of perf buffers, 0 to 3
 */
static __always_inline struct tt_event *event_reserve(__u32 level)
{
	struct tt_event *e;

	if (perf_events)
		e = bpf_map_lookup_elem(&event_scratch, &level);
	else
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		count(TT_CNT_LOST);
	return e;
}

/* ctx: the program's own, for the perf buffer */
static __always_inline void event_submit(void *ctx, struct tt_event *e)
{
	if (!perf_events)
		bpf_ringbuf_submit(e, wake_flags());
	else if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e,
				       sizeof(*e)))
		count(TT_CNT_LOST);
}

/* a record copied in whole (a path) */
static __always_inline void record_output(void *ctx, void *data, __u64 size)
{
	long err =
		perf_events ?
			bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU,
					      data, size) :
			bpf_ringbuf_output(&events, data, size, wake_flags());

	if (err)
		count(TT_CNT_LOST);
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
