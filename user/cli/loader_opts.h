/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel-side options of every subcommand: -v, --btf, --ringbuf-size, ... */
#ifndef __TT_LOADER_OPTS_H
#define __TT_LOADER_OPTS_H

#include <argp.h>
#include "kernel/loader.h"

/* argp child for -v, --btf, --ringbuf-size, --attach; input: tt_loader_opts */
extern const struct argp loader_argp;

#endif /* __TT_LOADER_OPTS_H */
