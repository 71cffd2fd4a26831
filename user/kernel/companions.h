/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the kernel layer: the tracer's optional companion programs. */
#ifndef __TT_COMPANIONS_H
#define __TT_COMPANIONS_H

#include "kernel/loader.h"

/* owners at accept(): fexit where it loads, else the syscalls' exits */
void attach_accept(struct tt_tracer *t, const struct tt_loader_opts *o);
/* fentry/inet_twsk_kill into the tracer's ring buffer: 0 or -errno */
int attach_tw_end(struct tt_tracer *t, const struct tt_loader_opts *o);

#endif /* __TT_COMPANIONS_H */
