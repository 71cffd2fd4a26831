/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __TT_TCP_STATE_H
#define __TT_TCP_STATE_H

#include <linux/types.h>

/* numbering from include/net/tcp_states.h */
enum tt_tcp_state {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
	TCP_NEW_SYN_RECV,
	TCP_BOUND_INACTIVE,
	TT_TCP_STATE_MAX /* one past the last */
};

/* kernel name ("CLOSE_WAIT"), or "UNKNOWN" for anything out of range */
const char *tcp_state_str(unsigned int state);
/*
 * The same name for a fixed-size copy: padded with spaces to 16 bytes
 * (no NUL), and its length. A line written per event copies all 16 and
 * moves on by len: no strlen, no loop.
 */
struct tcp_state_name {
	char s[16];
	__u8 len;
};
const struct tcp_state_name *tcp_state_name(unsigned int state);
/* lower-case form used in Prometheus labels ("close_wait") */
const char *tcp_state_label(unsigned int state);
/*
 * "close_wait,last-ack": bit n set for state n; each name case-insensitive,
 * '-' or '_', with ss's aliases; -1 and *bad on an unknown one
 */
int tcp_state_parse_list(const char *s, __u32 *mask, const char **bad,
			 int *bad_len);

#endif /* __TT_TCP_STATE_H */
