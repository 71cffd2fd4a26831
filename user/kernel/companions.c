// SPDX-License-Identifier: GPL-2.0
/*
 * The tracer's optional companions, each sharing its maps: owners at
 * accept() (fexit, else the syscalls' exit tracepoints) and the end of
 * TIME_WAIT (fentry). Each degrades on its own.
 */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "util/common.h"
#include "kernel/companions.h"
#include "sys/caps.h"
#include "accept_fexit.skel.h"
#include "tw_fentry.skel.h"
#include "tcptrail.skel.h"

/* the tracer's filters on what a socket is: it notes no socket they refuse */
static void copy_sock_filters(struct accept_fexit_bpf__rodata *to,
			      const struct tcptrail_bpf__rodata *from)
{
	to->filter_family = from->filter_family;
	to->filter_lport = from->filter_lport;
	to->filter_rport = from->filter_rport;
	to->filter_anyport = from->filter_anyport;
	to->filter_netns = from->filter_netns;
	to->filter_cgroup = from->filter_cgroup;
	memcpy(to->port_bits, from->port_bits, sizeof(to->port_bits));
}

/* fexit/inet_csk_accept where it loads, sharing the tracer's table */
static int attach_accept_fexit(struct tt_tracer *t,
			       const struct tt_loader_opts *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct accept_fexit_bpf *fx;
	int err = tt_refused("fexit");

	if (err)
		return err;
	fx = accept_fexit_bpf__open_opts(&oo);
	if (!fx)
		return -errno;
	copy_sock_filters(fx->rodata, t->skel->rodata);
	err = bpf_map__reuse_fd(fx->maps.accepted,
				bpf_map__fd(t->skel->maps.accepted));
	if (!err)
		err = accept_fexit_bpf__load(fx);
	if (!err)
		err = accept_fexit_bpf__attach(fx);
	if (err) {
		accept_fexit_bpf__destroy(fx);
		return err;
	}
	t->fexit = fx;
	return 0;
}

/* owners at accept(): probe fexit, then degrade to the syscalls' exits */
void attach_accept(struct tt_tracer *t, const struct tt_loader_opts *o)
{
	struct tcptrail_bpf *skel = t->skel;
	int err = attach_accept_fexit(t, o);

	if (!err) {
		t->accept = TT_ACCEPT_FEXIT;
		return;
	}
	p_info("fexit/inet_csk_accept: %s: owners at accept() from the "
	       "syscalls tracepoints",
	       strerror(-err));
	skel->links.tt_accept4_exit =
		bpf_program__attach(skel->progs.tt_accept4_exit);
	skel->links.tt_accept_exit =
		bpf_program__attach(skel->progs.tt_accept_exit);
	if (skel->links.tt_accept4_exit && skel->links.tt_accept_exit)
		t->accept = TT_ACCEPT_SYSCALLS;
	else if ((errno == EACCES || errno == EPERM) &&
		 !tt_has_cap(CAP_DAC_READ_SEARCH) && !tt_has_cap(CAP_SYS_ADMIN))
		p_warn("owners at accept() need CAP_DAC_READ_SEARCH (the "
		       "syscalls tracepoints are found in tracefs, root's "
		       "alone): accepted sockets take their listener's owner");
	else
		p_info("owners at accept() not tracked (syscalls tracepoints: "
		       "%s): accepted sockets take their listener's owner",
		       strerror(errno));
}

/* fentry/inet_twsk_kill, writing into the tracer's ring buffer */
int attach_tw_end(struct tt_tracer *t, const struct tt_loader_opts *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct tw_fentry_bpf *tw;
	int err = tt_refused("fentry");

	if (err)
		return err;
	tw = tw_fentry_bpf__open_opts(&oo);
	if (!tw)
		return -errno;
	tw->rodata->perf_events = t->perf;
	err = bpf_map__reuse_fd(tw->maps.events,
				bpf_map__fd(t->skel->maps.events));
	if (!err)
		err = bpf_map__reuse_fd(tw->maps.counters,
					bpf_map__fd(t->skel->maps.counters));
	if (!err)
		err = tw_fentry_bpf__load(tw);
	if (!err)
		err = tw_fentry_bpf__attach(tw);
	if (err) {
		tw_fentry_bpf__destroy(tw);
		return err;
	}
	t->tw = tw;
	return 0;
}

const char *tt_accept_kind_str(enum tt_accept_kind kind)
{
	switch (kind) {
	case TT_ACCEPT_FEXIT:
		return "fexit/inet_csk_accept";
	case TT_ACCEPT_SYSCALLS:
		return "syscalls:sys_exit_accept4";
	default:
		return "none";
	}
}
