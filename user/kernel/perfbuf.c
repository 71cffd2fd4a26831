// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/libbpf.h>
#include "kernel/perfbuf.h"
#include "tcptrail.h"

/*
 * perf pads each sample, with its 4-byte size, to 8 bytes: a record whose
 * size is a multiple of 8 arrives 4 bytes longer, always.
 */
#define PERF_PAD 4
_Static_assert(sizeof(struct tt_event) % 8 == 0, "tt_event: pad to 8");
_Static_assert(sizeof(struct tt_path) % 8 == 0, "tt_path: pad to 8");

struct rec {
	__u64 ts;
	size_t off;
	size_t size;
};

struct perfbuf {
	struct perf_buffer *pb;
	perfbuf_fn fn;
	void *ctx;
	char *data; /* this batch's records, copied out */
	size_t len, cap;
	struct rec *recs;
	size_t nrec, caprec;
	int err; /* out of memory while copying */
};

static __u64 record_ts(const void *data, size_t size)
{
	int type = size ? *(const __u8 *)data : 0;

	if (type == TT_REC_PATH && size >= sizeof(struct tt_path))
		return ((const struct tt_path *)data)->ts_ns;
	if (type == TT_REC_EVENT && size >= sizeof(struct tt_event))
		return ((const struct tt_event *)data)->ts_ns;
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static void on_sample(struct perfbuf *b, const void *data, __u32 size)
{
	size_t n = size >= PERF_PAD ? size - PERF_PAD : size;

	if (grow((void **)&b->data, &b->cap, b->len + n, 1) ||
	    grow((void **)&b->recs, &b->caprec, b->nrec + 1,
		 sizeof(*b->recs))) {
		b->err = -ENOMEM;
		return;
	}
	memcpy(b->data + b->len, data, n);
	b->recs[b->nrec++] = (struct rec){ record_ts(data, n), b->len, n };
	b->len += n;
}

/* perf's own records, as perf_event_open(2) lays them out */
struct sample {
	struct perf_event_header h;
	__u32 size;
	char data[];
};

static enum bpf_perf_event_ret on_event(void *ctx, int cpu,
					struct perf_event_header *h)
{
	struct perfbuf *b = ctx;

	(void)cpu;
	if (h->type == PERF_RECORD_SAMPLE)
		on_sample(b, ((struct sample *)h)->data,
			  ((struct sample *)h)->size);
	/*
	 * PERF_RECORD_LOST is not counted: every output that found no room
	 * failed in the BPF program, which counted it (TT_CNT_LOST)
	 */
	return LIBBPF_PERF_EVENT_CONT;
}

/* by time, then by arrival: qsort is not stable, off is */
static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* hand the batch on in time order; what a stop leaves waits for the next */
static int flush(struct perfbuf *b)
{
	size_t i;
	int ret = 0;

	qsort(b->recs, b->nrec, sizeof(*b->recs), cmp_rec);
	for (i = 0; i < b->nrec && !ret; i++)
		ret = b->fn(b->ctx, b->data + b->recs[i].off, b->recs[i].size);
	memmove(b->recs, b->recs + i, (b->nrec - i) * sizeof(*b->recs));
	b->nrec -= i;
	if (!b->nrec)
		b->len = 0;
	if (b->err) {
		ret = b->err;
		b->err = 0;
	}
	return ret;
}

struct perfbuf *perfbuf__new(int map_fd, size_t bytes, perfbuf_fn fn, void *ctx)
{
	struct perfbuf *b = calloc(1, sizeof(*b));
	long page = sysconf(_SC_PAGESIZE);
	int ncpus = libbpf_num_possible_cpus();
	struct perf_event_attr attr = {};
	size_t pages = 1;

	if (!b)
		return NULL;
	if (ncpus <= 0 || page <= 0) {
		free(b);
		errno = EINVAL;
		return NULL;
	}
	/* a power of two per CPU, at most the share of bytes */
	while (pages * 2 * page * ncpus <= bytes)
		pages *= 2;
	/*
	 * A wake-up once an eighth of a CPU's buffer is pending, as the ring
	 * buffer does, not one per record (libbpf's default, which cost two
	 * thirds of the connection rate under churn); the stream also reads
	 * after each 100 ms timeout, so a quiet trickle is never stuck.
	 */
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.watermark = 1;
	attr.wakeup_watermark = pages * page / 8;
	b->fn = fn;
	b->ctx = ctx;
	b->pb = perf_buffer__new_raw(map_fd, pages, &attr, on_event, b, NULL);
	if (!b->pb) {
		int err = errno;

		free(b);
		errno = err;
		return NULL;
	}
	return b;
}

/*
 * A poll reads only the CPUs whose watermark was reached: read every CPU
 * before handing anything on, or a later record of one CPU could go
 * before an earlier one still waiting in another's buffer.
 */
int perfbuf__poll(struct perfbuf *b, int timeout_ms)
{
	int n = perf_buffer__poll(b->pb, timeout_ms);
	int c = n < 0 ? 0 : perf_buffer__consume(b->pb);
	int ret = flush(b);

	if (n < 0)
		return n;
	return c < 0 ? c : ret ? ret : n;
}

int perfbuf__consume(struct perfbuf *b)
{
	int n = perf_buffer__consume(b->pb);
	int ret = flush(b);

	return n < 0 ? n : ret;
}

void perfbuf__free(struct perfbuf *b)
{
	if (!b)
		return;
	perf_buffer__free(b->pb);
	free(b->data);
	free(b->recs);
	free(b);
}
