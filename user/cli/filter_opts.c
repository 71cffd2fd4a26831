// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/common.h"
#include "model/filter.h"
#include "model/tcp_state.h"
#include "sys/resolve.h"
#include "cli/filter_opts.h"

#define PID_MAX_LIMIT 4194304
/* set outside inet_sock_set_state: a filter on them would match nothing */
#define UNREPORTED_STATES                                   \
	((1U << TCP_TIME_WAIT) | (1U << TCP_NEW_SYN_RECV) | \
	 (1U << TCP_BOUND_INACTIVE))

enum {
	OPT_LPORT = 0x100,
	OPT_RPORT,
	OPT_PORT,
	OPT_PID,
	OPT_CGROUP,
	OPT_NETNS,
	OPT_STATE,
};

static const struct argp_option filter_options[] = {
	{ NULL, 0, NULL, 0, "Filters (applied in the kernel):", 10 },
	{ "ipv4", '4', NULL, 0, "IPv4 only", 10 },
	{ "ipv6", '6', NULL, 0, "IPv6 only", 10 },
	{ "lport", OPT_LPORT, "PORTS", 0,
	  "local port in PORTS, e.g. 80,443,8000-8100", 10 },
	{ "rport", OPT_RPORT, "PORTS", 0, "remote port in PORTS", 10 },
	{ "port", OPT_PORT, "PORTS", 0, "local or remote port in PORTS", 10 },
	{ "pid", OPT_PID, "PID", 0,
	  "sockets owned by process PID (see OWNER in --help)", 10 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "sockets created in cgroup v2 PATH or below it", 10 },
	{ "netns", OPT_NETNS, "NS", 0,
	  "network namespace: inode number, 'ip netns' name or a path", 10 },
	{ "state", OPT_STATE, "STATES", 0,
	  "transitions into or out of STATES, e.g. close_wait,last_ack", 10 },
	{},
};

static int set_ports(struct tt_filter *f, int which, const char *arg)
{
	static const char *const names[PORTS_MAX] = {
		[PORTS_LOCAL] = "--lport",
		[PORTS_REMOTE] = "--rport",
		[PORTS_ANY] = "--port",
	};
	const char *why;

	if (parse_port_set(arg, f->ports[which], &why))
		return usage_err("invalid %s '%s': %s", names[which], arg, why);
	f->port_on[which] = true;
	return 0;
}

static error_t filter_parse(int key, char *arg, struct argp_state *state)
{
	struct tt_filter *f = state->input;
	const char *why, *bad;
	char path[32];
	__u32 states;
	int bad_len;
	__u64 v;

	switch (key) {
	case '4':
	case '6':
		if (f->family)
			exit(usage_err("-4 and -6 exclude each other"));
		f->family = key == '4' ? AF_INET : AF_INET6;
		break;
	case OPT_LPORT:
	case OPT_RPORT:
	case OPT_PORT:
		if (set_ports(f, key - OPT_LPORT, arg))
			exit(TT_EXIT_USAGE);
		break;
	case OPT_PID:
		if (parse_u64(arg, 1, PID_MAX_LIMIT, &v, &why))
			exit(usage_err("invalid --pid '%s': %s", arg, why));
		snprintf(path, sizeof(path), "/proc/%llu",
			 (unsigned long long)v);
		if (access(path, F_OK))
			exit(usage_err("invalid --pid '%s': no such process",
				       arg));
		f->tgid = v;
		break;
	case OPT_CGROUP:
		if (resolve_cgroup(arg, &f->cgroup, &why))
			exit(usage_err("invalid --cgroup '%s': %s", arg, why));
		break;
	case OPT_NETNS:
		if (resolve_netns(arg, &f->netns, &why))
			exit(usage_err("invalid --netns '%s': %s", arg, why));
		/* a name or a path was there; a number may name nothing */
		if (!parse_u64(arg, 1, UINT_MAX, &v, &why) &&
		    !netns_exists(f->netns))
			exit(usage_err("invalid --netns '%s': no network "
				       "namespace has that inode (no process "
				       "in it, none in /run/netns)",
				       arg));
		break;
	case OPT_STATE:
		if (tcp_state_parse_list(arg, &states, &bad, &bad_len))
			exit(usage_err(
				"invalid --state '%.*s': known states are "
				"established, syn_sent, syn_recv, "
				"fin_wait1, fin_wait2, close, close_wait, "
				"last_ack, listen, closing",
				bad_len, bad));
		if (states & UNREPORTED_STATES)
			exit(usage_err("invalid --state '%s': the kernel does "
				       "not report time_wait, new_syn_recv or "
				       "bound_inactive; "
				       "the time-wait hand-off shows as "
				       "fin_wait2 (or closing) -> close",
				       arg));
		f->states |= states;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp filter_argp = {
	.options = filter_options,
	.parser = filter_parse,
};
