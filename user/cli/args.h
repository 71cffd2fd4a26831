/* SPDX-License-Identifier: GPL-2.0 */
/* What every subcommand's argp parser shares. */
#ifndef __TT_ARGS_H
#define __TT_ARGS_H

#include <argp.h>

/*
 * The end of a subcommand's parser: a positional argument is refused
 * (exit 2, naming it), any other key is argp's to handle.
 */
error_t cli_no_args(int key, const char *arg);

/*
 * A subcommand's argp, from the names every cmd/ file uses: its option
 * table 'options', its parser 'parse_opt', its help text 'doc'.
 */
#define CLI_ARGP(children_)                                    \
	static const struct argp argp = { .options = options,  \
					  .parser = parse_opt, \
					  .doc = doc,          \
					  .children = children_ }

#endif /* __TT_ARGS_H */
