/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel-side options of every subcommand: -v, --btf, --ringbuf-size, ... */
#ifndef __TT_LOADER_OPTS_H
#define __TT_LOADER_OPTS_H

#include <argp.h>
#include "kernel/loader.h"

/* argp child for -v, --btf, --ringbuf-size, --attach; input: tt_loader_opts */
extern const struct argp loader_argp;
/* hist and export: refuse the options of an event stream, exit status 2 */
int loader_opts_no_stream(const struct tt_loader_opts *o);

#endif /* __TT_LOADER_OPTS_H */
