// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "util/common.h"
#include "model/tcp_state.h"

static const char *const state_names[TT_TCP_STATE_MAX] = {
	[1] = "ESTABLISHED",	 [2] = "SYN_SENT",   [3] = "SYN_RECV",
	[4] = "FIN_WAIT1",	 [5] = "FIN_WAIT2",  [6] = "TIME_WAIT",
	[7] = "CLOSE",		 [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
	[10] = "LISTEN",	 [11] = "CLOSING",   [12] = "NEW_SYN_RECV",
	[13] = "BOUND_INACTIVE",
};

/* state_names, padded; [0] stands for every state out of range */
static const struct tcp_state_name padded_names[TT_TCP_STATE_MAX] = {
	[0] = { "UNKNOWN         ", 7 },   [1] = { "ESTABLISHED     ", 11 },
	[2] = { "SYN_SENT        ", 8 },   [3] = { "SYN_RECV        ", 8 },
	[4] = { "FIN_WAIT1       ", 9 },   [5] = { "FIN_WAIT2       ", 9 },
	[6] = { "TIME_WAIT       ", 9 },   [7] = { "CLOSE           ", 5 },
	[8] = { "CLOSE_WAIT      ", 10 },  [9] = { "LAST_ACK        ", 8 },
	[10] = { "LISTEN          ", 6 },  [11] = { "CLOSING         ", 7 },
	[12] = { "NEW_SYN_RECV    ", 12 }, [13] = { "BOUND_INACTIVE  ", 14 },
};

static const char *const state_labels[TT_TCP_STATE_MAX] = {
	[1] = "established",	 [2] = "syn_sent",   [3] = "syn_recv",
	[4] = "fin_wait1",	 [5] = "fin_wait2",  [6] = "time_wait",
	[7] = "close",		 [8] = "close_wait", [9] = "last_ack",
	[10] = "listen",	 [11] = "closing",   [12] = "new_syn_recv",
	[13] = "bound_inactive",
};

static const struct {
	const char *alias;
	int state;
} aliases[] = {
	{ "estab", 1 },	     { "syn_rcv", 3 },	  { "closed", 7 },
	{ "fin_wait_1", 4 }, { "fin_wait_2", 5 },
};

const char *tcp_state_str(unsigned int state)
{
	if (state >= TT_TCP_STATE_MAX || !state_names[state])
		return "UNKNOWN";
	return state_names[state];
}

const struct tcp_state_name *tcp_state_name(unsigned int state)
{
	return padded_names + (state < TT_TCP_STATE_MAX ? state : 0);
}

const char *tcp_state_label(unsigned int state)
{
	if (state >= TT_TCP_STATE_MAX || !state_labels[state])
		return "unknown";
	return state_labels[state];
}

static int lookup(const char *name, size_t len)
{
	char norm[24];

	if (!len || len >= sizeof(norm))
		return -1;
	for (size_t i = 0; i < len; i++)
		norm[i] = name[i] == '-' ? '_' :
					   tolower((unsigned char)name[i]);
	norm[len] = '\0';
	for (int s = 1; s < TT_TCP_STATE_MAX; s++)
		if (!strcmp(norm, state_labels[s]))
			return s;
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(norm, aliases[i].alias))
			return aliases[i].state;
	return -1;
}

int tcp_state_parse_list(const char *s, __u32 *mask, const char **bad,
			 int *bad_len)
{
	__u32 m = 0;

	for (;;) {
		size_t len = strcspn(s, ",");
		int st = lookup(s, len);

		if (st < 0) {
			*bad = s;
			*bad_len = (int)len;
			return -1;
		}
		m |= 1U << st;
		if (!s[len])
			break;
		s += len + 1;
	}
	*mask = m;
	return 0;
}
