// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrail version: what this kernel lets tcptrail do, probed for real
 * (load and attach), as bpftool's feature list does.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cmd/cmds.h"
#include "sys/caps.h"
#include "util/common.h"
#include "kernel/iters.h"
#include "model/tcp_state.h"
#include "kernel/tw_lookup.h"
#include "output/json.h"

#define SYSCALL_TP "/sys/kernel/tracing/events/syscalls/sys_exit_accept4"

struct feature {
	const char *key;
	const char *what;
	int ok; /* 1 yes, 0 no, -1 not probed (no CAP_BPF, CAP_PERFMON) */
};

/*
 * A failed probe is an answer, not an error to print: quiet. *accept:
 * the path the tracer chose for owners at accept().
 */
static int probe_attach(enum tt_attach_request want,
			enum tt_accept_kind *accept, int *tw)
{
	struct tt_loader_opts lo = { .ringbuf_size = 4096,
				     .attach = want,
				     .tw_end = true,
				     .quiet = true };
	struct tt_filter f = {};
	struct tt_tracer t;
	int ok = !tt_tracer_start(&t, &lo, &f);

	if (ok) {
		if (accept)
			*accept = t.accept;
		if (tw)
			*tw = t.tw != NULL;
		tt_tracer_stop(&t);
	}
	return ok;
}

/* the iterators and the tc lookup, each loaded (and attached) for real */
static void probe_extras(int *iter_tcp, int *iter_map, int *tc)
{
	struct tt_loader_opts lo = { .ringbuf_size = 4096, .quiet = true };
	struct tt_filter f = {};
	struct tw_lookup *p;
	struct sockets *s;
	struct closewait_socks *k;
	struct tt_tracer t;

	if (tt_tracer_start(&t, &lo, &f)) {
		*iter_tcp = *iter_map = 0;
	} else {
		s = sockets__open(&t, &lo, 1U << TCP_CLOSE_WAIT, TT_NETNS_SELF,
				  0);
		*iter_tcp = s != NULL;
		sockets__close(s);
		k = closewait_socks__open(&t, &lo, 0);
		*iter_map = k != NULL;
		closewait_socks__close(k);
		tt_tracer_stop(&t);
	}
	p = tw_lookup__open(&lo, 1);
	*tc = p != NULL;
	tw_lookup__close(p);
}

enum {
	F_BTF,
	F_RINGBUF,
	F_TP_BTF,
	F_TRACEPOINT,
	F_ACCEPT,
	F_ACCEPT_FEXIT,
	F_TW_FENTRY,
	F_ITER_TCP,
	F_ITER_MAP,
	F_TC,
	F_MAX,
};

/* {"version":...,"libbpf":...,"kernel":...,"features":{"btf":true,...}} */
static int print_json(const struct feature *fs, size_t n,
		      const struct utsname *u)
{
	struct json_writer j;
	char libbpf[32];
	struct out o;

	if (out_init(&o, STDOUT_FILENO, 4096))
		return TT_EXIT_FAILURE;
	snprintf(libbpf, sizeof(libbpf), "%u.%u", libbpf_major_version(),
		 libbpf_minor_version());
	json_init(&j, &o);
	json_obj_start(&j);
	json_key(&j, "version");
	json_str(&j, TT_VERSION, sizeof(TT_VERSION));
	json_key(&j, "libbpf");
	json_str(&j, libbpf, sizeof(libbpf));
	json_key(&j, "kernel");
	json_str(&j, u->release, sizeof(u->release));
	json_key(&j, "features");
	json_obj_start(&j);
	for (size_t i = 0; i < n; i++) {
		json_key(&j, fs[i].key);
		if (fs[i].ok < 0)
			json_null(&j);
		else
			json_bool(&j, fs[i].ok);
	}
	json_obj_end(&j);
	json_obj_end(&j);
	out_end_line(&o);
	out_flush(&o);
	out_free(&o);
	return TT_EXIT_OK;
}

int do_version(int argc, char **argv)
{
	char missing[64];
	/* root, or an ordinary user granted CAP_BPF and CAP_PERFMON */
	bool root = !tt_missing_tracer_caps(missing, sizeof(missing)),
	     json = argc > 1 && !strcmp(argv[1], "--json");
	struct utsname u;
	struct feature fs[F_MAX] = {
		[F_BTF] = { "btf", "kernel BTF (/sys/kernel/btf/vmlinux)",
			    !access("/sys/kernel/btf/vmlinux", R_OK) },
		[F_RINGBUF] = { "ringbuf", "ring buffer map",
				root ? !tt_refused("ringbuf") &&
						libbpf_probe_bpf_map_type(
							BPF_MAP_TYPE_RINGBUF,
							NULL) == 1 :
				       -1 },
		[F_TP_BTF] = { "tp_btf", "tp_btf/inet_sock_set_state attaches",
			       -1 },
		[F_TRACEPOINT] = { "tracepoint",
				   "tracepoint/sock/inet_sock_set_state "
				   "attaches",
				   -1 },
		[F_ACCEPT] = { "accept",
			       "syscalls:sys_exit_accept4 (owners at accept)",
			       -1 },
		[F_ACCEPT_FEXIT] = { "accept_fexit",
				     "fexit/inet_csk_accept (owners at accept)",
				     -1 },
		[F_TW_FENTRY] = { "tw_fentry",
				  "fentry/inet_twsk_kill (end of TIME_WAIT)",
				  -1 },
		[F_ITER_TCP] = { "iter_tcp",
				 "iter/tcp (sockets that predate tcptrail)",
				 -1 },
		[F_ITER_MAP] = { "iter_map",
				 "iter/bpf_map_elem (tables read in the kernel)",
				 -1 },
		[F_TC] = { "tc",
			   "tc test-run lookup (time-wait sockets by tuple)",
			   -1 },
	};

	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: tcptrail version [--json]\n"
		       "Print the version, then probe this kernel for what "
		       "tcptrail uses:\nBTF, map types, and whether each of "
		       "its programs loads and attaches\nwith the "
		       "capabilities tcptrail runs with (root, or CAP_BPF\n"
		       "and CAP_PERFMON; programs are detached at once).\n");
		return TT_EXIT_OK;
	}
	if (argc > 1 && !json)
		return usage_err("unexpected argument '%s' (version takes "
				 "--json)",
				 argv[1]);
	if (root) {
		enum tt_accept_kind accept = TT_ACCEPT_NONE;
		int tw = 0;

		probe_extras(&fs[F_ITER_TCP].ok, &fs[F_ITER_MAP].ok,
			     &fs[F_TC].ok);
		fs[F_TP_BTF].ok =
			probe_attach(TT_ATTACH_FORCE_BTF, &accept, &tw);
		fs[F_TRACEPOINT].ok = probe_attach(
			TT_ATTACH_FORCE_TP, fs[F_TP_BTF].ok ? NULL : &accept,
			fs[F_TP_BTF].ok ? NULL : &tw);
		fs[F_TW_FENTRY].ok = tw;
		/* the attach probes mount tracefs where it was missing */
		fs[F_ACCEPT].ok =
			!faccessat(AT_FDCWD, SYSCALL_TP, F_OK, AT_EACCESS);
		fs[F_ACCEPT_FEXIT].ok = accept == TT_ACCEPT_FEXIT;
	}
	uname(&u);
	if (json)
		return print_json(fs, ARRAY_SIZE(fs), &u);
	printf("tcptrail %s (libbpf %u.%u), kernel %s\n", TT_VERSION,
	       libbpf_major_version(), libbpf_minor_version(), u.release);
	for (size_t i = 0; i < ARRAY_SIZE(fs); i++)
		printf("  %-48s %s\n", fs[i].what,
		       fs[i].ok < 0 ?
			       "not probed (needs CAP_BPF, CAP_PERFMON)" :
		       fs[i].ok ? "yes" :
				  "no");
	return TT_EXIT_OK;
}
