/* SPDX-License-Identifier: GPL-2.0 */
/* Options of the aggregating subcommands (hist, export): which histograms. */
#ifndef __TT_AGGOPTS_H
#define __TT_AGGOPTS_H

#include <argp.h>
#include "model/filter.h"
#include "kernel/loader.h"

struct tt_agg_opts {
	struct tt_aggregate agg;
	bool all_states;
};

#define TT_MAX_PORTS_DEFAULT 64

/* argp child for --all-states, --key, --max-ports: input tt_agg_opts */
extern const struct argp agg_argp;

/*
 * After parsing: --state (of the filter options) or --all-states name the
 * histogrammed states, CLOSE_WAIT by default; the transitions themselves
 * are not filtered by state. Exits with a usage error on a bad choice.
 */
void agg_finish(struct tt_agg_opts *a, struct tt_filter *f);

#endif /* __TT_AGGOPTS_H */
