// SPDX-License-Identifier: GPL-2.0
/*
 * Owners at accept() where fexit loads: the accepted socket is the return
 * value of inet_csk_accept(), in the acceptor's context. Its arguments
 * changed in 6.10; bpf_get_func_ret() does not care. Shares 'accepted'
 * with the tracer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "tcptrail.h"
#include "accept.bpf.h"

SEC("fexit/inet_csk_accept")
int tt_accept_fexit(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	note_accept((const struct sock *)ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
