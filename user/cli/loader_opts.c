// SPDX-License-Identifier: GPL-2.0
/*
 * The loader's command-line options (an argp child of every subcommand).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/common.h"
#include "kernel/loader.h"
#include "util/parse.h"
#include "cli/loader_opts.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

enum {
	OPT_BTF = 0x200,
	OPT_RINGBUF,
	OPT_ATTACH,
	OPT_MAX_SOCKETS,
	OPT_RELIEF,
	OPT_NO_RELIEF,
	OPT_PERF_BUFFER
};

static const struct argp_option loader_options[] = {
	{ NULL, 0, NULL, 0, "Kernel side:", 20 },
	{ "verbose", 'v', NULL, 0,
	  "say what was probed and attached; libbpf's log", 20 },
	{ "btf", OPT_BTF, "FILE", 0,
	  "kernel BTF from FILE, for kernels without " VMLINUX_BTF, 20 },
	{ "ringbuf-size", OPT_RINGBUF, "SIZE", 0,
	  "ring buffer size, a power of two >= 4K (default 8M); with a perf "
	  "buffer, split among the CPUs",
	  20 },
	{ "perf-buffer", OPT_PERF_BUFFER, NULL, 0,
	  "events through per-CPU perf buffers, as on kernels without the "
	  "ring buffer (before 5.8), where it is chosen by itself",
	  20 },
	{ "attach", OPT_ATTACH, "KIND", 0,
	  "auto (default), tp_btf or tracepoint", 20 },
	{ "no-relief", OPT_NO_RELIEF, NULL, 0,
	  "no second program for the transitions the kernel skips while the "
	  "first is busy on that CPU: they are counted as missed (saves about "
	  "40 ns per transition)",
	  20 },
	{ "relief", OPT_RELIEF, NULL, OPTION_HIDDEN,
	  "the second program (the default)", 20 },
	{ "max-sockets", OPT_MAX_SOCKETS, "N", 0,
	  "sockets followed at once in the kernel (default 1048576; the "
	  "table costs 16 bytes per slot up front, entries as they come)",
	  20 },
	{},
};

static error_t loader_parse(int key, char *arg, struct argp_state *state)
{
	struct tt_loader_opts *o = state->input;
	const char *why;
	__u64 v;

	switch (key) {
	case ARGP_KEY_INIT:
		o->ringbuf_size = TT_RINGBUF_DEFAULT;
		o->max_sockets = TT_STATES_DEFAULT;
		o->relief = true;
		break;
	case OPT_MAX_SOCKETS:
		if (parse_u64(arg, 1024, 1ULL << 26, &v, &why))
			exit(usage_err("invalid --max-sockets '%s': %s", arg,
				       why));
		o->max_sockets = v;
		o->max_sockets_set = true;
		break;
	case 'v':
		tt_verbose = true;
		break;
	case OPT_PERF_BUFFER:
		o->perf_buffer = true;
		break;
	case OPT_RELIEF:
		o->relief = true;
		break;
	case OPT_NO_RELIEF:
		o->relief = false;
		break;
	case OPT_BTF:
		if (access(arg, R_OK))
			exit(usage_err("invalid --btf '%s': %s", arg,
				       strerror(errno)));
		o->btf_path = arg;
		break;
	case OPT_RINGBUF:
		if (parse_size(arg, &v, &why))
			exit(usage_err("invalid --ringbuf-size '%s': %s", arg,
				       why));
		if (v < 4096 || v > (1ULL << 30) || (v & (v - 1)))
			exit(usage_err("invalid --ringbuf-size '%s': must be a "
				       "power of two from 4K to 1G",
				       arg));
		o->ringbuf_size = v;
		o->ringbuf_size_set = true;
		break;
	case OPT_ATTACH:
		if (!strcmp(arg, "auto"))
			o->attach = TT_ATTACH_AUTO;
		else if (!strcmp(arg, "tp_btf"))
			o->attach = TT_ATTACH_FORCE_BTF;
		else if (!strcmp(arg, "tracepoint"))
			o->attach = TT_ATTACH_FORCE_TP;
		else
			exit(usage_err("invalid --attach '%s': use auto, tp_btf "
				       "or tracepoint",
				       arg));
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int loader_opts_no_stream(const struct tt_loader_opts *o)
{
	if (o->ringbuf_size_set || o->perf_buffer)
		return usage_err("%s does not apply: the counting is done in "
				 "the kernel, no events are streamed",
				 o->perf_buffer ? "--perf-buffer" :
						  "--ringbuf-size");
	return 0;
}

const struct argp loader_argp = {
	.options = loader_options,
	.parser = loader_parse,
};
