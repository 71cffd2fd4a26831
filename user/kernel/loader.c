// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "util/common.h"
#include "kernel/loader.h"
#include "kernel/kconfig.h"
#include "model/tcp_state.h"
#include "kernel/companions.h"
#include "sys/caps.h"
#include "accept_fexit.skel.h"
#include "tw_fentry.skel.h"
#include "tcptrail.skel.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define TRACEFS "/sys/kernel/tracing"
#define TP_ID TRACEFS "/events/sock/inet_sock_set_state/id"

const char *tt_attach_kind_str(enum tt_attach_kind kind)
{
	return kind == TT_ATTACH_TP_BTF ?
		       "tp_btf/inet_sock_set_state" :
	       kind == TT_ATTACH_TRACEPOINT ?
		       "tracepoint/sock/inet_sock_set_state" :
		       "none";
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!tt_verbose)
		return 0;
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static void set_filter(struct tcptrail_bpf *skel, const struct tt_filter *f,
		       const struct tt_loader_opts *o)
{
	struct tcptrail_bpf__rodata *ro = skel->rodata;
	__u64 wake = o->ringbuf_size / 8;

	ro->filter_family = f->family;
	ro->filter_lport = f->port_on[PORTS_LOCAL];
	ro->filter_rport = f->port_on[PORTS_REMOTE];
	ro->filter_anyport = f->port_on[PORTS_ANY];
	memcpy(ro->port_bits, f->ports, sizeof(ro->port_bits));
	ro->filter_tgid = f->tgid;
	ro->filter_netns = f->netns;
	ro->filter_states = f->states;
	ro->filter_cgroup = f->cgroup;
	ro->wakeup_bytes = wake > (1 << 20) ? 1 << 20 : wake;
	ephemeral_range(&ro->eph_lo, &ro->eph_hi);
	if (o->agg) {
		ro->hist_states = o->agg->states;
		ro->hist_key = o->agg->key;
		ro->hist_unit_ns = o->agg->unit_ns;
		ro->hist_by_cgroup = o->agg->by_cgroup != 0;
	}
}

/* room for every port, and the 'other' keys, inserted before attaching */

static int size_hists(struct tcptrail_bpf *skel, const struct tt_aggregate *a)
{
	__u32 nstates = a ? __builtin_popcount(a->states) : 0;
	__u32 n = a ? (a->max_ports + a->by_cgroup + 1) * nstates : 1;

	return bpf_map__set_max_entries(skel->maps.hists, n ? n : 1);
}

static int insert_other_keys(struct tcptrail_bpf *skel,
			     const struct tt_aggregate *a, int ncpus)
{
	struct tt_hist *zero = calloc(ncpus, sizeof(*zero));
	int fd = bpf_map__fd(skel->maps.hists), err = 0;

	if (!zero)
		return -ENOMEM;
	for (__u32 st = 0; st < 32 && !err; st++) {
		struct tt_hist_key k = { .port = TT_PORT_OTHER, .state = st };

		if ((a->states & (1U << st)) &&
		    bpf_map_update_elem(fd, &k, zero, BPF_NOEXIST))
			err = -errno;
	}
	free(zero);
	return err;
}

/*
 * Classic tracepoints are found through tracefs: mount it if absent. With
 * the caller's effective capabilities: tracefs is root's alone, so one
 * that exists but is unreadable (EACCES) is not absent.
 */
static void ensure_tracefs(void)
{
	if (!faccessat(AT_FDCWD, TP_ID, F_OK, AT_EACCESS) || errno == EACCES ||
	    !faccessat(AT_FDCWD, "/sys/kernel/debug/tracing/events", F_OK,
		       AT_EACCESS))
		return;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		p_info("cannot mount tracefs at " TRACEFS ": %s",
		       strerror(errno));
	else
		p_info("mounted tracefs at " TRACEFS);
}

/* the relief reads tt_state_btf's run counter through this slot */
static int relief_finds_first(struct tcptrail_bpf *skel)
{
	int fd = bpf_program__fd(skel->progs.tt_state_btf);
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.first_prog), &zero, &fd,
				BPF_ANY))
		return -errno;
	return 0;
}

/* the transitions must be traced; accept() owners are a bonus */
static int attach(struct tcptrail_bpf *skel, bool btf, bool relief)
{
	struct bpf_link *link;
	int err = 0;

	ensure_tracefs();
	if (btf) {
		link = bpf_program__attach(skel->progs.tt_state_btf);
		skel->links.tt_state_btf = link;
		/* after it: the relief runs second on every transition */
		if (link && relief && !(err = relief_finds_first(skel))) {
			skel->links.tt_state_btf_relief = bpf_program__attach(
				skel->progs.tt_state_btf_relief);
			err = skel->links.tt_state_btf_relief ? 0 : -errno;
		}
		if (link && err)
			return err;
	} else {
		link = bpf_program__attach(skel->progs.tt_state_tp);
		skel->links.tt_state_tp = link;
	}
	return link ? 0 : -errno;
}

/*
 * What the kernel does that no program can test from inside, from its BTF
 * (one load for both):
 * - Hash tables that allocate at run time are safe in tracing programs
 *   only since 6.1's BPF memory allocator (bpf_mem_alloc): before it, the
 *   verifier warns with a stack trace in the kernel log (a panic under
 *   panic_on_warn) and PREEMPT_RT kernels refuse them.
 * - The kernel skips a tp_btf program already running on the CPU by its
 *   per-CPU run counter, bpf_prog.active (since 6.2, and Debian's 6.1). A
 *   kernel without the counter (5.10) skips nothing, and the relief would
 *   only cost a run; one with it that skips nothing leaves the relief
 *   idle. Without BTF to tell, the relief is tried.
 */
static void read_kernel(struct tt_tracer *t, const struct tt_loader_opts *o)
{
	struct tt_btf_query q[] = {
		{ .name = "bpf_mem_alloc" },
		{ .name = "bpf_prog", .member = "active" },
	};

	tt_kernel_has(o->btf_path, q, ARRAY_SIZE(q));
	t->prealloc = tt_refused("alloc") || q[0].found <= 0;
	t->skips_busy = q[1].found != 0;
}

/* callers that did not parse options (probes) get the default */
static __u32 max_sockets(const struct tt_loader_opts *o, bool prealloc)
{
	if (o->max_sockets_set)
		return o->max_sockets;
	return prealloc ? TT_STATES_PREALLOC_DEFAULT : TT_STATES_DEFAULT;
}

static void set_prealloc(struct tcptrail_bpf *skel)
{
	struct bpf_map *maps[] = { skel->maps.sk_states_hash,
				   skel->maps.sk_paths, skel->maps.entered };

	for (size_t i = 0; i < ARRAY_SIZE(maps); i++)
		bpf_map__set_map_flags(maps[i], bpf_map__map_flags(maps[i]) &
							~BPF_F_NO_PREALLOC);
}

/*
 * Paths and stateless aggregation need tp_btf; stateless aggregation keeps
 * no owners, which --pid needs.
 */
static enum tt_mode pick_mode(bool btf, const struct tt_loader_opts *o,
			      const struct tt_filter *f)
{
	if (o->agg)
		return btf && !f->tgid ? TT_MODE_AGGREGATE_STATELESS :
					 TT_MODE_AGGREGATE;
	return btf && o->paths ? TT_MODE_PATHS : TT_MODE_EVENTS;
}

static int try_load(struct tt_tracer *t, enum tt_attach_kind kind,
		    const struct tt_loader_opts *o, const struct tt_filter *f,
		    bool relief)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct tcptrail_bpf *skel;
	bool btf = kind == TT_ATTACH_TP_BTF;
	int err = btf ? tt_refused("tp_btf") : 0;
	enum tt_mode mode;
	__u32 nsock;

	if (err) {
		p_info("%s: %s", tt_attach_kind_str(kind), strerror(-err));
		return err;
	}
	skel = tcptrail_bpf__open_opts(&oo);
	if (!skel)
		return -errno;
	if (t->prealloc)
		set_prealloc(skel);
	nsock = max_sockets(o, t->prealloc);
	set_filter(skel, f, o);
	mode = pick_mode(btf, o, f);
	skel->rodata->mode = mode;
	if (mode == TT_MODE_AGGREGATE_STATELESS)
		skel->rodata->entered_states = o->agg->states |
					       (1U << TCP_CLOSE_WAIT);
	bpf_map__set_max_entries(skel->maps.entered,
				 mode == TT_MODE_AGGREGATE_STATELESS ? nsock :
								       1);
	bpf_program__set_autoload(skel->progs.tt_state_btf, btf);
	bpf_program__set_autoload(skel->progs.tt_state_btf_relief, relief);
	bpf_program__set_autoload(skel->progs.tt_state_tp, !btf);
	if (t->perf) {
		/* max_entries 0: libbpf makes it one per possible CPU */
		skel->rodata->perf_events = true;
		bpf_map__set_type(skel->maps.events,
				  BPF_MAP_TYPE_PERF_EVENT_ARRAY);
		bpf_map__set_key_size(skel->maps.events, sizeof(int));
		bpf_map__set_value_size(skel->maps.events, sizeof(int));
		bpf_map__set_max_entries(skel->maps.events, 0);
	} else {
		bpf_map__set_max_entries(skel->maps.events,
					 o->agg ? 4096 : o->ringbuf_size);
	}
	size_hists(skel, o->agg);
	/* no accept() hook without owners: the table at its minimum */
	if (o->agg && !f->tgid)
		bpf_map__set_max_entries(skel->maps.accepted, 1);
	bpf_map__set_max_entries(skel->maps.sk_paths,
				 mode == TT_MODE_PATHS ? nsock : 1);
	/* paths and stateless aggregation keep no per-socket entry here */
	bpf_map__set_max_entries(
		skel->maps.sk_states_hash,
		mode == TT_MODE_PATHS || mode == TT_MODE_AGGREGATE_STATELESS ?
			1 :
			nsock);
	err = tcptrail_bpf__load(skel);
	if (!err && o->agg)
		err = insert_other_keys(skel, o->agg,
					libbpf_num_possible_cpus());
	if (!err)
		err = attach(skel, btf, relief);
	if (err) {
		p_info("%s: %s", tt_attach_kind_str(kind), strerror(-err));
		tcptrail_bpf__destroy(skel);
		return err;
	}
	t->skel = skel;
	t->kind = kind;
	t->mode = mode;
	return 0;
}

/* the relief is a bonus: a kernel that refuses it still gets tp_btf */
static int try_kind(struct tt_tracer *t, enum tt_attach_kind kind,
		    const struct tt_loader_opts *o, const struct tt_filter *f)
{
	bool relief = kind == TT_ATTACH_TP_BTF && o->relief;
	int why = relief ? tt_refused("relief") : 0;
	int err;

	if (relief && !t->skips_busy) {
		p_info("no relief program: this kernel never skips a busy "
		       "program");
		relief = false;
	}

	if (relief && !why) {
		why = try_load(t, kind, o, f, true);
		if (!why)
			return 0;
	}
	err = try_load(t, kind, o, f, false);
	if (!err && why)
		p_info("no relief program (%s): transitions that find the "
		       "program busy on their CPU are missed",
		       strerror(-why));
	return err;
}

static void explain(int err, const struct tt_loader_opts *o)
{
	const char *more = tt_verbose ? "" : " (--verbose shows libbpf's log)";
	char missing[64];

	if ((err == -EPERM || err == -EACCES) &&
	    tt_missing_tracer_caps(missing, sizeof(missing))) {
		p_err("loading the tracer needs CAP_BPF and CAP_PERFMON "
		      "(missing: %s): run tcptrail with sudo, or grant them, "
		      "e.g. setpriv --inh-caps=+bpf,+perfmon "
		      "--ambient-caps=+bpf,+perfmon",
		      missing);
	} else if (err == -EPERM && tt_seccomp_filtered()) {
		p_err("the kernel refused the BPF program: %s (a seccomp filter "
		      "is on: a container's default profile allows bpf() only "
		      "with CAP_SYS_ADMIN; scripts/container/tcptrail-seccomp.json "
		      "allows it)%s",
		      strerror(-err), more);
	} else if (err == -EPERM) {
		p_err("the kernel refused the BPF program: %s (lockdown or a "
		      "BPF LSM policy?)%s",
		      strerror(-err), more);
	} else if (err == -EACCES) {
		p_err("the BPF verifier rejected the program on this kernel%s",
		      more);
	} else if (err == -ENOENT && access(TP_ID, F_OK) &&
		   access("/sys/kernel/debug/tracing/events/sock", F_OK)) {
		p_err("tracepoint sock:inet_sock_set_state not found: the kernel "
		      "is older than 4.16 or tracefs is not mounted%s",
		      more);
	} else if (o->btf_path) {
		p_err("cannot load with BTF from '%s' (not this kernel's BTF?): "
		      "%s%s",
		      o->btf_path, strerror(-err), more);
	} else {
		p_err("cannot load the tracer: %s%s", strerror(-err), more);
	}
}

int tt_tracer_start(struct tt_tracer *t, const struct tt_loader_opts *o,
		    const struct tt_filter *f)
{
	int err = 0;

	memset(t, 0, sizeof(*t));
	libbpf_set_print(libbpf_print);
	if (!o->btf_path && access(VMLINUX_BTF, R_OK)) {
		if (!o->quiet)
			p_err("kernel BTF not found at " VMLINUX_BTF
			      " (kernel built "
			      "without CONFIG_DEBUG_INFO_BTF?): pass --btf FILE");
		return TT_EXIT_FAILURE;
	}
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0) {
		p_err("cannot count CPUs: %s", strerror(-t->ncpus));
		return TT_EXIT_FAILURE;
	}
	read_kernel(t, o);
	t->perf = o->perf_buffer || tt_refused("ringbuf") ||
		  libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1;
	if (o->attach != TT_ATTACH_FORCE_TP)
		err = try_kind(t, TT_ATTACH_TP_BTF, o, f);
	if (o->attach == TT_ATTACH_FORCE_TP ||
	    (o->attach == TT_ATTACH_AUTO && err)) {
		if (err)
			p_info("tp_btf refused, falling back to the classic tracepoint");
		err = try_kind(t, TT_ATTACH_TRACEPOINT, o, f);
	}
	if (err) {
		if (!o->quiet)
			explain(err, o);
		return TT_EXIT_FAILURE;
	}
	if (t->mode < TT_MODE_AGGREGATE || f->tgid)
		attach_accept(t, o);
	if (o->tw_end) {
		err = attach_tw_end(t, o);
		if (err)
			p_info("fentry/inet_twsk_kill: %s: the end of TIME_WAIT "
			       "from a look once a second",
			       strerror(-err));
		else
			p_info("the end of TIME_WAIT from fentry/inet_twsk_kill");
		err = 0;
	}
	p_info("attached %s%s; owners at accept() from %s; per-socket state "
	       "in %s (up to %u%s); %s %llu bytes",
	       tt_attach_kind_str(t->kind),
	       t->skel->links.tt_state_btf_relief ? " and its relief" : "",
	       tt_accept_kind_str(t->accept),
	       t->mode == TT_MODE_AGGREGATE_STATELESS ?
		       "a hash of the sockets in a timed state" :
		       "a hash",
	       t->mode == TT_MODE_AGGREGATE_STATELESS ?
		       bpf_map__max_entries(t->skel->maps.entered) :
	       t->mode == TT_MODE_PATHS ?
		       bpf_map__max_entries(t->skel->maps.sk_paths) :
		       bpf_map__max_entries(t->skel->maps.sk_states_hash),
	       t->prealloc ? ", preallocated" : "",
	       t->perf ? "perf buffers" : "ring buffer",
	       (unsigned long long)(t->perf ? o->ringbuf_size :
					      bpf_map__max_entries(
						      t->skel->maps.events)));
	return 0;
}

void tt_tracer_detach(struct tt_tracer *t)
{
	if (t->tw)
		tw_fentry_bpf__detach(t->tw);
	if (t->fexit)
		accept_fexit_bpf__detach(t->fexit);
	/*
	 * The relief first: its count is subtracted from the first
	 * program's misses, which must all have had their chance of it.
	 */
	if (t->skel && t->skel->links.tt_state_btf_relief) {
		bpf_link__destroy(t->skel->links.tt_state_btf_relief);
		t->skel->links.tt_state_btf_relief = NULL;
	}
	if (t->skel)
		tcptrail_bpf__detach(t->skel);
}

__u64 tt_tracer_missed(const struct tt_tracer *t)
{
	const struct bpf_program *prog = t->kind == TT_ATTACH_TP_BTF ?
						 t->skel->progs.tt_state_btf :
						 t->skel->progs.tt_state_tp;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct tt_counters c;

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 0;
	/* the relief took those: what is left, neither program ran for */
	if (t->kind == TT_ATTACH_TP_BTF && !tt_tracer_counters(t, &c))
		return info.recursion_misses > c.c[TT_CNT_RELIEVED] ?
			       info.recursion_misses - c.c[TT_CNT_RELIEVED] :
			       0;
	return info.recursion_misses;
}

void tt_tracer_stop(struct tt_tracer *t)
{
	tw_fentry_bpf__destroy(t->tw);
	t->tw = NULL;
	accept_fexit_bpf__destroy(t->fexit);
	t->fexit = NULL;
	tcptrail_bpf__destroy(t->skel);
	t->skel = NULL;
}

int tt_tracer_events_fd(const struct tt_tracer *t)
{
	return bpf_map__fd(t->skel->maps.events);
}

int tt_tracer_hists_fd(const struct tt_tracer *t)
{
	return bpf_map__fd(t->skel->maps.hists);
}

int tt_tracer_transitions_fd(const struct tt_tracer *t)
{
	return bpf_map__fd(t->skel->maps.transitions);
}

int tt_tracer_counters(const struct tt_tracer *t, struct tt_counters *sum)
{
	struct tt_counters *percpu;
	__u32 zero = 0;
	int err;

	memset(sum, 0, sizeof(*sum));
	percpu = calloc(t->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.counters), &zero,
				  percpu);
	if (err)
		err = -errno;
	for (int cpu = 0; !err && cpu < t->ncpus; cpu++)
		for (int i = 0; i < TT_CNT_MAX; i++)
			sum->c[i] += percpu[cpu].c[i];
	free(percpu);
	return err;
}
