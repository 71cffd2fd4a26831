/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame of 'closewait --live': on a terminal, one screen that fits
 * its size (columns narrowed or dropped, rows cut with "... N more");
 * elsewhere a plain snapshot of every socket, with no escape sequences.
 */
#ifndef __TT_LIVE_FRAME_H
#define __TT_LIVE_FRAME_H

#include "model/holders.h"
#include "output/fmt_ctx.h"
#include "tcptrail.h"

/* a snapshot's socket joined with owners and ages */
struct live_row {
	const struct tt_sock_rec *rec;
	__u64 age_ns;
	bool estimated;
	/* who opened it, as the tracer saw: 0 if it did not */
	__u32 pid;
	char comm[TT_COMM_LEN];
	struct who now; /* who holds it now */
	__u16 service;
};

struct live_screen {
	bool tty; /* false: a plain snapshot, sizes ignored */
	unsigned int cols, rows;
};

/* rows oldest first */
void live_frame_draw(struct fmt_ctx *c, const struct live_row *rows, size_t n,
		     bool no_queues, __u64 now, const struct live_screen *scr);

/*
 * The longest prefix of the escaped text s[0..len) that fits in width
 * with a '~' after it, never cutting a \xNN escape; its length.
 */
size_t live_cut_escaped(const char *s, size_t len, size_t width);

#endif /* __TT_LIVE_FRAME_H */
