/* SPDX-License-Identifier: GPL-2.0 */
/* The filter options of every subcommand: --port, --pid, --netns, ... */
#ifndef __TT_FILTER_OPTS_H
#define __TT_FILTER_OPTS_H

#include <argp.h>
#include "model/filter.h"

/* argp child: pass a struct tt_filter * as its input */
extern const struct argp filter_argp;

#endif /* __TT_FILTER_OPTS_H */
