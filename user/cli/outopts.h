/* SPDX-License-Identifier: GPL-2.0 */
/* Output options shared by the streaming subcommands: -j, -T, -w, -d. */
#ifndef __TT_OUTOPTS_H
#define __TT_OUTOPTS_H

#include <argp.h>
#include <stdbool.h>
#include <linux/types.h>

struct tt_output_opts {
	bool json;
	bool wall;
	bool wide;
	__u64 duration_ns;
};

/*
 * The value of a duration option (TIME: seconds, or a number with a unit),
 * or exit with a usage error naming opt: below min_ns is refused (min_ns
 * 1: "must be more than 0").
 */
__u64 opt_duration(const char *opt, const char *arg, __u64 min_ns);

/* argp child: pass a struct tt_output_opts * as its input */
extern const struct argp output_argp;

#endif /* __TT_OUTOPTS_H */
