// SPDX-License-Identifier: GPL-2.0
#include "util/common.h"
#include "model/event.h"
#include "model/tcp_state.h"
#include "output/put.h"
#include "output/textfmt.h"

void text_col(struct out *o, const char *s, size_t len, size_t width)
{
	out_mem(o, s, len);
	out_pad(o, len < width ? width - len + 1 : 1);
}

void text_pad_from(struct out *o, size_t start, size_t width)
{
	size_t len = o->len - start;

	out_pad(o, len < width ? width - len + 1 : 1);
}

void text_rpad_from(struct out *o, size_t start, size_t width)
{
	size_t len = o->len - start;

	/* no room without a flush, which would move 'start': left-aligned */
	if (len < width && o->cap - o->len >= width - len) {
		memmove(o->buf + start + width - len, o->buf + start, len);
		memset(o->buf + start, ' ', width - len);
		o->len = start + width;
	} else if (len < width) {
		out_pad(o, width - len);
	}
	out_char(o, ' ');
}

void text_rcol(struct out *o, const char *s, size_t len, size_t width)
{
	if (len < width)
		out_pad(o, width - len);
	out_mem(o, s, len);
	out_char(o, ' ');
}

void out_count(struct out *o, __u64 n, const char *one, const char *many)
{
	out_u64(o, n);
	out_char(o, ' ');
	out_str(o, n == 1 ? one : many);
}

char *text_put_time(struct fmt_ctx *c, char *p, __u64 ts_ns)
{
	char *start = p;
	__u64 d, sec;
	unsigned int n;

	memcpy(p, put_spaces, W_TIME);
	if (c->wall)
		return put_col_end(start, fmt_put_wall(c, p, ts_ns, false),
				   W_TIME);
	/* seconds: right-aligned, so that their points line up */
	d = ts_ns > c->start_ns ? ts_ns - c->start_ns : 0;
	sec = d / 1000000000ULL;
	n = put_len_u64(sec) + 7;
	if (n < W_TIME)
		p += W_TIME - n;
	p = put_u64(p, sec);
	*p++ = '.';
	p = put_6d(p, d % 1000000000ULL / 1000);
	return put_col_end(start, p, W_TIME);
}

void text_time(struct fmt_ctx *c, __u64 ts_ns)
{
	struct out *o = c->o;

	if (!out_reserve(o, TEXT_TIME_MAX))
		return;
	o->len = text_put_time(c, o->buf + o->len, ts_ns) - o->buf;
}

char *text_put_who(char *p, __u32 pid, const char *comm)
{
	char *start = p;
	unsigned int n;

	if (!pid)
		return put_lit(p, "      - -                ");
	memcpy(p, put_spaces, W_PID);
	n = put_len_u64(pid);
	p = put_u32(n < W_PID ? p + W_PID - n : p, pid);
	p = put_col_end(start, p, W_PID);
	start = p;
	/* an empty name would shift the columns */
	if (comm[0])
		p = put_text_esc(p, comm, TT_COMM_LEN);
	else
		*p++ = '-';
	/* after the name, which leaves scratch bytes behind it */
	memcpy(p, put_spaces, W_COMM);
	return put_col_end(start, p, W_COMM);
}

void text_who(struct out *o, __u32 pid, const char *comm)
{
	if (!out_reserve(o, TEXT_WHO_MAX))
		return;
	o->len = text_put_who(o->buf + o->len, pid, comm) - o->buf;
}

char *text_put_endpoint(char *p, bool wide, __u16 family, const __u8 *addr,
			__u16 port)
{
	char *start = p;

	p = put_endpoint(p, family, addr, port);
	/* after the text, which may leave scratch bytes behind it */
	memcpy(p, put_spaces, W_ADDR_WIDE);
	return put_col_end(start, p, wide ? W_ADDR_WIDE : W_ADDR);
}

void text_endpoint(struct fmt_ctx *c, __u16 family, const __u8 *addr,
		   __u16 port)
{
	struct out *o = c->o;

	if (!out_reserve(o, TEXT_ENDPOINT_MAX))
		return;
	o->len = text_put_endpoint(o->buf + o->len, c->wide, family, addr,
				   port) -
		 o->buf;
}

char *text_put_state(char *p, unsigned int state)
{
	const struct tcp_state_name *n = tcp_state_name(state);

	memcpy(p, n->s, sizeof(n->s));
	return put_col_end(p, p + n->len, W_STATE);
}

void text_header_start(struct fmt_ctx *c)
{
	size_t aw = c->wide ? W_ADDR_WIDE : W_ADDR;
	struct out *o = c->o;

	if (c->wall)
		text_lit(o, "TIME", W_TIME);
	else
		text_rlit(o, "TIME(s)", W_TIME);
	text_rlit(o, "PID", W_PID);
	text_lit(o, "COMM", W_COMM);
	text_lit(o, "LADDR:LPORT", aw);
	text_lit(o, "RADDR:RPORT", aw);
}

void text_lost(struct out *o, __u64 n)
{
	out_lit(o, "# lost ");
	out_count(o, n, "event", "events");
	out_lit(o, ": ring buffer full (raise --ringbuf-size)");
	out_end_line(o);
}

void json_lost(struct out *o, __u64 n)
{
	struct json_writer j;

	json_init(&j, o);
	json_obj_start(&j);
	json_word_field(&j, "type", "lost");
	json_u64_field(&j, "count", n);
	json_obj_end(&j);
	out_end_line(o);
}

void json_time(struct json_writer *j, struct fmt_ctx *c, __u64 ts_ns)
{
	json_key(j, "time");
	json_value_begin(j);
	out_char(j->o, '"');
	fmt_wall_time(c, ts_ns, true);
	out_char(j->o, '"');
}

void json_who(struct json_writer *j, __u32 pid, const char *comm)
{
	json_key(j, "pid");
	if (!pid) {
		json_null(j);
		json_key(j, "comm");
		json_null(j);
		return;
	}
	json_u64(j, pid);
	json_key(j, "comm");
	json_str(j, comm, TT_COMM_LEN);
}

void json_endpoint(struct json_writer *j, bool remote, __u16 family,
		   const __u8 *addr, __u16 port)
{
	char a[TT_ENDPOINT_LEN];

	tt_addr_fmt(a, sizeof(a), family, addr);
	json_key(j, remote ? "raddr" : "laddr");
	/* digits, dots, colons and '?': escaping leaves them as they are */
	json_str(j, a, sizeof(a));
	json_u64_field(j, remote ? "rport" : "lport", port);
}

char *put_human(char *p, __u64 ns)
{
	__u32 ms;

	if (ns < 1000000ULL) {
		p = put_lit(p, "0.");
		p = put_3d(p, ns / 1000);
		return put_lit(p, "ms");
	}
	if (ns < 1000000000ULL) {
		ms = ns / 1000000;
		p = put_u32(p, ms);
		*p++ = '.';
		*p++ = '0' + (ns - ms * 1000000ULL) / 100000;
		return put_lit(p, "ms");
	}
	p = put_u64(p, ns / 1000000000ULL);
	*p++ = '.';
	p = put_3d(p, ns % 1000000000ULL / 1000000);
	*p++ = 's';
	return p;
}

/* "0.081ms", "480.2ms", "1.204s", "125.3s": short, and exact enough */
void out_human(struct out *o, __u64 ns)
{
	if (!out_reserve(o, PUT_HUMAN_MAX))
		return;
	o->len = put_human(o->buf + o->len, ns) - o->buf;
}
