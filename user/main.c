// SPDX-License-Identifier: GPL-2.0
/* tcptrail: trace TCP state transitions with eBPF. Subcommand dispatch. */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cmd/cmds.h"
#include "util/common.h"

const char *argp_program_version = "tcptrail " TT_VERSION;
const char *argp_program_bug_address = "the tcptrail issue tracker";

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *summary;
};

static int do_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "trace", do_trace, "every TCP state transition, as it happens" },
	{ "timeline", do_timeline,
	  "the life of each connection when it ends: owner, path, times" },
	{ "closewait", do_closewait,
	  "time in CLOSE_WAIT per socket and service port, and who holds it" },
	{ "hist", do_hist,
	  "per-port histograms of time in CLOSE_WAIT (or any state), in-kernel" },
	{ "export", do_export,
	  "serve the histograms and counters to Prometheus (/metrics)" },
	{ "check", do_check,
	  "run a command; fail if it leaks CLOSE_WAIT sockets (CI, JUnit)" },
	{ "version", do_version,
	  "version, and what this kernel lets tcptrail do (--json)" },
	{ "help", do_help, "this text, or a command's: help COMMAND" },
	{},
};

static const struct cmd *find_cmd(const char *name)
{
	for (const struct cmd *c = cmds; c->name; c++)
		if (!strcmp(name, c->name))
			return c;
	return NULL;
}

static int run_cmd(const struct cmd *c, int argc, char **argv)
{
	static char name[64];

	snprintf(name, sizeof(name), "tcptrail %s", c->name);
	tt_prog = name;
	argv[0] = name;
	return c->func(argc, argv);
}

/* "help COMMAND" is "COMMAND --help" */
static int do_help(int argc, char **argv)
{
	if (argc > 2)
		return usage_err(
			"help takes one command (see 'tcptrail help')");
	if (argc == 2 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h")) {
		const struct cmd *c = find_cmd(argv[1]);
		char *args[] = { argv[1], "--help", NULL };

		if (!c)
			return usage_err("unknown command '%s' (see 'tcptrail "
					 "help')",
					 argv[1]);
		if (c->func != do_help)
			return run_cmd(c, 2, args);
	}
	printf("Usage: tcptrail COMMAND [OPTIONS]\n"
	       "       tcptrail COMMAND --help\n"
	       "\n"
	       "Trace TCP state transitions in the kernel with eBPF.\n"
	       "\n"
	       "Commands:\n");
	for (const struct cmd *c = cmds; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\n"
	       "Examples:\n"
	       "  sudo tcptrail trace\n"
	       "  sudo tcptrail trace --state close_wait --lport 8080 -T\n"
	       "  tcptrail help closewait\n"
	       "\n"
	       "TIME values are seconds (10, 2.5) or a number with a unit:\n"
	       "ns, us, ms, s, m, h (500ms, 1.5s, 2m).\n"
	       "\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 bad usage,\n"
	       "3 check: a rule was broken.\n");
	return TT_EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	argp_err_exit_status = TT_EXIT_USAGE;
	if (argc < 2) {
		do_help(0, NULL);
		return TT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return do_help(0, NULL);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return do_version(1, argv + 1);
	c = find_cmd(argv[1]);
	if (c)
		return run_cmd(c, argc - 1, argv + 1);
	return usage_err("unknown command '%s' (see 'tcptrail help')", argv[1]);
}
