/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The perf buffer fallback for kernels without the BPF ring buffer: one
 * buffer per CPU. Each read takes what every CPU's buffer holds and hands
 * it on in time order; a record written on a CPU already read, while the
 * others were read, waits for the next batch and may come after a later
 * one of that batch.
 */
#ifndef __TT_PERFBUF_H
#define __TT_PERFBUF_H

#include <stddef.h>
#include <linux/types.h>

struct perfbuf;

/* as libbpf's ring_buffer_sample_fn: non-zero stops the batch */
typedef int (*perfbuf_fn)(void *ctx, void *data, size_t size);

/* bytes: in all, split among the CPUs; NULL and errno on error */
struct perfbuf *perfbuf__new(int map_fd, size_t bytes, perfbuf_fn fn,
			     void *ctx);
/* as ring_buffer__poll() and ring_buffer__consume() */
int perfbuf__poll(struct perfbuf *pb, int timeout_ms);
int perfbuf__consume(struct perfbuf *pb);
void perfbuf__free(struct perfbuf *pb);

#endif /* __TT_PERFBUF_H */
