/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who holds a socket now (every process and fd, as ss -p) beside who
 * opened it, in every list of sockets still in CLOSE_WAIT: closewait's
 * exit list and live view, check's leak report.
 */
#ifndef __TT_HOLDERS_FMT_H
#define __TT_HOLDERS_FMT_H

#include "model/holders.h"
#include "output/json.h"
#include "output/out.h"

#define W_FD 7

/*
 * The PID, COMM and FD columns: the first process holding it now; FD
 * "queued" while in an accept queue (PID: the listener's holder). Where
 * no holder was found, the opener, FD "-".
 */
void text_holder_cols(struct out *o, const struct who *w, __u32 opener,
		      const char *opener_comm);
/*
 * At the end of the line: " also held by PID/COMM fd N, ..." and
 * " (opened by PID/COMM)" where the opener holds it no more; nothing
 * when the one holder is the opener.
 */
void text_holders_more(struct out *o, const struct who *w, __u32 opener,
		       const char *opener_comm);
/* "queued": bool, "holders": [{"pid","comm","fd"}] */
void json_holders_list(struct json_writer *j, const struct who *w);
/*
 * "pid", "comm", "fd" as the columns say; "queued"; "holders":
 * [{"pid","comm","fd"}]; "opened_by": {"pid","comm"} or null.
 */
void json_holders(struct json_writer *j, const struct who *w, __u32 opener,
		  const char *opener_comm);

#endif /* __TT_HOLDERS_FMT_H */
