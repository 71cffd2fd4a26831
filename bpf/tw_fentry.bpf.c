// SPDX-License-Identifier: GPL-2.0
/*
 * The end of TIME_WAIT, where fentry loads: inet_twsk_kill() unhashes a
 * time-wait socket when its timer fires, when a new connection reuses it
 * or when its namespace goes. The tracepoint never reports time-wait
 * sockets; this writes a TIME_WAIT -> CLOSE record for them into the
 * tracer's ring buffer (shared with it, as are its counters).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "tcptrail.h"
#include "sock.bpf.h"

#include "events.bpf.h"

SEC("fentry/inet_twsk_kill")
int BPF_PROG(tt_tw_end, struct inet_timewait_sock *tw)
{
	const struct sock_common *skc = &tw->__tw_common;
	__u16 family = skc->skc_family;
	struct tt_event *e;
	__u64 pid_tgid;

	if (family != AF_INET && family != AF_INET6)
		return 0;
	e = event_reserve(0);
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->type = TT_REC_EVENT;
	e->ts_ns = bpf_ktime_get_ns();
	e->delta_ns = TT_DELTA_UNKNOWN;
	pid_tgid = bpf_get_current_pid_tgid();
	e->pid = pid_tgid;
	e->tgid = pid_tgid >> 32;
	e->netns = skc->skc_net.net->ns.inum;
	skc_addrs(skc, family, e->saddr, e->daddr);
	e->sport = skc->skc_num;
	e->dport = bpf_ntohs(skc->skc_dport);
	e->family = family;
	e->oldstate = TCP_TIME_WAIT;
	e->newstate = TCP_CLOSE;
	e->flags = TT_F_TIME_WAIT_END;
	e->tw_substate = tw->tw_substate;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	event_submit(ctx, e);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
