/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time-wait sockets, read where a program finds one (the iter/tcp walk,
 * the tc lookup by tuple). Needs CONFIG_HZ: the including object must be
 * opened with bpf_object_open_opts.kconfig (user/kernel/kconfig.c).
 */
#ifndef __TT_TW_BPF_H
#define __TT_TW_BPF_H

/* the kernel's HZ, from user space (its config): 0 when unknown */
extern unsigned int CONFIG_HZ __kconfig __weak;

/*
 * When a time-wait socket entered its TIME_WAIT substate, in
 * bpf_ktime_get_ns() time, to a jiffy; 0 when unknown. The kernel sets
 * its timer to TCP_TIMEWAIT_LEN (60 s) then: at the hand-off when both
 * FINs were in, else when the peer's FIN reached the orphaned FIN_WAIT2
 * (tcp_timewait_state_process()). A repeated FIN sets it again: the
 * time is then that of the last.
 */
static __always_inline __u64
tw_time_wait_since(const struct inet_timewait_sock *tw)
{
	__u64 hz = CONFIG_HZ, now_j, entered_j, ago_ns, now;

	if (!hz || tw->tw_substate != TCP_TIME_WAIT)
		return 0;
	now_j = bpf_jiffies64();
	entered_j = tw->tw_timer.expires - 60 * hz;
	if ((__s64)(now_j - entered_j) < 0)
		return 0;
	ago_ns = (now_j - entered_j) * (1000000000ULL / hz);
	now = bpf_ktime_get_ns();
	return ago_ns < now ? now - ago_ns : 0;
}

#endif /* __TT_TW_BPF_H */
