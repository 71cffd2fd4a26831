/* SPDX-License-Identifier: GPL-2.0 */
/* Decoding ring-buffer records and formatting their fields. */
#ifndef __TT_EVENT_H
#define __TT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include "tcptrail.h"

/* "[ffff:...:ffff]:65535" plus NUL: output/addrfmt.h writes them */
#define TT_ENDPOINT_LEN 56

/* what a ring-buffer record holds (enum tt_record_type), 0 if empty */
static inline int tt_record_type(const void *data, size_t size)
{
	return size ? *(const __u8 *)data : 0;
}

/* a ring-buffer record as an event, in place; NULL if it is too short */
static inline const struct tt_event *tt_event_view(const void *data,
						   size_t size)
{
	return size >= sizeof(struct tt_event) ? data : NULL;
}
const char *tt_family_str(__u16 family);
/* a key for a connection by its tuple, top bit set: never one of our ids */
__u64 tt_tuple_key(__u16 family, const __u8 *saddr, __u16 sport,
		   const __u8 *daddr, __u16 dport);

/*
 * Who to show for an event: the socket's owner when known, else the
 * current task when it held the socket lock, else nobody (pid 0).
 */
static inline __u32 tt_event_who(const struct tt_event *e, const char **comm)
{
	if (e->flags & TT_F_OWNER_KNOWN) {
		*comm = e->owner_comm;
		return e->owner_tgid;
	}
	if (e->flags & TT_F_PROCESS_CTX) {
		*comm = e->comm;
		return e->tgid;
	}
	*comm = NULL;
	return 0;
}

/*
 * A transition before this one went unseen (a gap): the socket was last
 * seen entering another state than the one it leaves, and the time in
 * the old state is unknown.
 */
static inline bool tt_event_after_gap(const struct tt_event *e)
{
	return e->seen_state && e->seen_state != e->oldstate;
}

#endif /* __TT_EVENT_H */
