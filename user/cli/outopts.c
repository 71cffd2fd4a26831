// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "util/common.h"
#include "cli/outopts.h"
#include "util/parse.h"

static const struct argp_option output_options[] = {
	{ NULL, 0, NULL, 0, "Output:", 1 },
	{ "json", 'j', NULL, 0, "one JSON object per line (fields: README)",
	  1 },
	{ "wall", 'T', NULL, 0, "wall-clock time (HH:MM:SS.us, local)", 1 },
	{ "wide", 'w', NULL, 0, "address columns wide enough for IPv6", 1 },
	{ "duration", 'd', "TIME", 0, "stop after TIME (10, 10s, 500ms, 2m)",
	  1 },
	{},
};

__u64 opt_duration(const char *opt, const char *arg, __u64 min_ns)
{
	const char *why;
	__u64 ns;

	if (parse_duration_ns(arg, &ns, &why))
		exit(usage_err("invalid %s '%s': %s", opt, arg, why));
	if (ns < min_ns && min_ns == 1)
		exit(usage_err("invalid %s '%s': must be more than 0", opt,
			       arg));
	if (ns < min_ns)
		exit(usage_err("invalid %s '%s': at least %llums", opt, arg,
			       (unsigned long long)min_ns / 1000000));
	return ns;
}

static error_t output_parse(int key, char *arg, struct argp_state *state)
{
	struct tt_output_opts *o = state->input;

	switch (key) {
	case 'j':
		o->json = true;
		break;
	case 'T':
		o->wall = true;
		break;
	case 'w':
		o->wide = true;
		break;
	case 'd':
		o->duration_ns = opt_duration("--duration", arg, 1);
		break;
	case ARGP_KEY_END:
		if (o->json && (o->wall || o->wide))
			exit(usage_err("%s is for text: each JSON line has "
				       "\"time\" (UTC) and full addresses",
				       o->wall ? "--wall" : "--wide"));
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp output_argp = {
	.options = output_options,
	.parser = output_parse,
};
