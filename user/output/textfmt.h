/* SPDX-License-Identifier: GPL-2.0 */
/* Column and field helpers of the text and JSON outputs. */
#ifndef __TT_TEXTFMT_H
#define __TT_TEXTFMT_H

#include "output/out.h"
#include "output/addrfmt.h"
#include "output/fmt_ctx.h"
#include "output/json.h"

#define W_TIME 15
#define W_PID 7
#define W_COMM 16
#define W_ADDR 21
#define W_ADDR_WIDE 47
#define W_STATE 11

/* s, then spaces up to width; always at least one space after */
void text_col(struct out *o, const char *s, size_t len, size_t width);
#define text_lit(o, s, width) text_col(o, s, sizeof(s) - 1, width)
/* pad what was written since 'start' to width, plus one space */
void text_pad_from(struct out *o, size_t start, size_t width);
/* right-align what was written since 'start' in width, plus one space */
void text_rpad_from(struct out *o, size_t start, size_t width);
/* a column title right-aligned over its numbers */
void text_rcol(struct out *o, const char *s, size_t len, size_t width);
#define text_rlit(o, s, width) text_rcol(o, s, sizeof(s) - 1, width)
/* "1 socket", "2 sockets", "0 sockets" */
void out_count(struct out *o, __u64 n, const char *one, const char *many);
/* seconds since start, or wall clock with -T; padded */
void text_time(struct fmt_ctx *c, __u64 ts_ns);
/*
 * PID and COMM columns; '-' for an unknown owner (pid 0). comm is a
 * process name of TT_COMM_LEN bytes, all read, up to a NUL or not.
 */
void text_who(struct out *o, __u32 pid, const char *comm);
/* an address:port column */
void text_endpoint(struct fmt_ctx *c, __u16 family, const __u8 *addr,
		   __u16 port);

/*
 * The same columns into memory reserved for at least their _MAX bytes
 * (output/put.h), each with its space after it; they return the end.
 * text_put_state() is a state's column (W_STATE), 16 bytes reserved.
 */
#define TEXT_TIME_MAX (FMT_WALL_MAX + W_TIME + 1)
#define TEXT_WHO_MAX (W_PID + 4 + 4 * TT_COMM_LEN + W_COMM + 1)
#define TEXT_ENDPOINT_MAX (TT_ENDPOINT_LEN + W_ADDR_WIDE)
char *text_put_time(struct fmt_ctx *c, char *p, __u64 ts_ns);
char *text_put_who(char *p, __u32 pid, const char *comm);
char *text_put_endpoint(char *p, bool wide, __u16 family, const __u8 *addr,
			__u16 port);
char *text_put_state(char *p, unsigned int state);

/* TIME PID COMM LADDR:LPORT RADDR:RPORT: the columns every table starts with */
void text_header_start(struct fmt_ctx *c);
/* "0.081ms", "480.2ms", "1.204s", "125.3s": short, and exact enough */
void out_human(struct out *o, __u64 ns);
/* the same into memory reserved for PUT_HUMAN_MAX bytes; returns the end */
#define PUT_HUMAN_MAX 32
char *put_human(char *p, __u64 ns);
/* where the kernel dropped n events: a comment line in a table */
void text_lost(struct out *o, __u64 n);

/* the same, as a JSON line: {"type":"lost","count":N} */
void json_lost(struct out *o, __u64 n);
/* "time":"...": the wall clock in ISO 8601 UTC */
void json_time(struct json_writer *j, struct fmt_ctx *c, __u64 ts_ns);
/* "pid":N,"comm":"..." or both null */
void json_who(struct json_writer *j, __u32 pid, const char *comm);
/* "laddr":"...","lport":N (or raddr/rport with remote) */
void json_endpoint(struct json_writer *j, bool remote, __u16 family,
		   const __u8 *addr, __u16 port);

#endif /* __TT_TEXTFMT_H */
