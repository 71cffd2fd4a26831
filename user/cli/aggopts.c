// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "cli/aggopts.h"
#include "util/common.h"
#include "model/service.h"
#include "model/tcp_state.h"

/* every state a socket spends time in that the tracepoint reports */
#define TIMED_STATES                                      \
	((1U << TCP_ESTABLISHED) | (1U << TCP_SYN_SENT) | \
	 (1U << TCP_SYN_RECV) | (1U << TCP_FIN_WAIT1) |   \
	 (1U << TCP_FIN_WAIT2) | (1U << TCP_CLOSE_WAIT) | \
	 (1U << TCP_LAST_ACK) | (1U << TCP_LISTEN) | (1U << TCP_CLOSING))

enum { OPT_ALL_STATES = 0x200, OPT_KEY, OPT_MAX_PORTS };

static const struct argp_option agg_options[] = {
	{ NULL, 0, NULL, 0, "Histograms (built in the kernel):", 5 },
	{ "all-states", OPT_ALL_STATES, NULL, 0,
	  "time in every state (default: --state close_wait)", 5 },
	{ "key", OPT_KEY, "KEY", 0,
	  "port to key by: service (default: the listening side's), lport "
	  "or rport",
	  5 },
	{ "max-ports", OPT_MAX_PORTS, "N", 0,
	  "room for N ports per state (shared), the rest go under "
	  "'other' (default 64)",
	  5 },
	{},
};

static error_t agg_parse(int key, char *arg, struct argp_state *state)
{
	struct tt_agg_opts *a = state->input;
	const char *why;
	__u64 v;

	switch (key) {
	case ARGP_KEY_INIT:
		a->agg.max_ports = TT_MAX_PORTS_DEFAULT;
		a->agg.unit_ns = 1000;
		break;
	case OPT_ALL_STATES:
		a->all_states = true;
		break;
	case OPT_KEY:
		if (parse_key_mode(arg, &a->agg.key, &why))
			exit(usage_err("invalid --key '%s': %s", arg, why));
		break;
	case OPT_MAX_PORTS:
		if (parse_u64(arg, 1, 65536, &v, &why))
			exit(usage_err("invalid --max-ports '%s': %s", arg,
				       why));
		a->agg.max_ports = v;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp agg_argp = {
	.options = agg_options,
	.parser = agg_parse,
};

void agg_finish(struct tt_agg_opts *a, struct tt_filter *f)
{
	if (a->all_states && f->states)
		exit(usage_err("--all-states and --state exclude each other"));
	if (f->states & ~TIMED_STATES)
		exit(usage_err("invalid --state: no time is measured in CLOSE "
			       "(a socket leaving it is a new connection)"));
	if (a->all_states)
		a->agg.states = TIMED_STATES;
	else if (f->states)
		a->agg.states = f->states;
	else
		a->agg.states = 1U << TCP_CLOSE_WAIT;
	f->states = 0;
}
