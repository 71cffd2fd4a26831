// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "cli/args.h"
#include "util/common.h"

error_t cli_no_args(int key, const char *arg)
{
	if (key == ARGP_KEY_ARG)
		exit(usage_err("unexpected argument '%s'", arg));
	return ARGP_ERR_UNKNOWN;
}
