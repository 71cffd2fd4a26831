/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The perf buffer fallback for kernels without the BPF ring buffer: one
 * buffer per CPU, each batch of records merged into time order before it
 * is handed on, as the ring buffer would have kept it.
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
/* records the kernel dropped in perf's own accounting */
__u64 perfbuf__lost(const struct perfbuf *pb);
void perfbuf__free(struct perfbuf *pb);

#endif /* __TT_PERFBUF_H */
