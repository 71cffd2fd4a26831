// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line; field names are documented in README.md. */
#include <string.h>
#include <sys/socket.h>
#include "util/common.h"
#include "model/event.h"
#include "output/sink.h"
#include "model/tcp_state.h"
#include "output/json.h"
#include "output/put.h"
#include "output/textfmt.h"
#include "output/cgroup_fmt.h"

/* ,"key": as one literal: the line's shape is fixed */
#define member(p, key) put_lit(p, ",\"" key "\":")

static char *quoted_state(char *p, unsigned int state)
{
	const struct tcp_state_name *n = tcp_state_name(state);

	*p++ = '"';
	memcpy(p, n->s, sizeof(n->s));
	p += n->len;
	*p++ = '"';
	return p;
}

static char *family(char *p, __u16 family)
{
	switch (family) {
	case AF_INET:
		return put_lit(p, "\"ipv4\"");
	case AF_INET6:
		return put_lit(p, "\"ipv6\"");
	default:
		return put_lit(p, "\"unknown\"");
	}
}

/* addresses are digits, dots, colons and '?': nothing to escape */
static char *addr(char *p, __u16 family, const __u8 *addr)
{
	*p++ = '"';
	p = put_addr(p, family, addr, false);
	*p++ = '"';
	return p;
}

static char *owner(char *p, __u32 flags, __u32 pid)
{
	if (flags & TT_F_OWNER_ACCEPT)
		return put_lit(p, "\"accept\"");
	if (flags & TT_F_OWNER_LISTENER)
		return put_lit(p, "\"listener\"");
	if (flags & TT_F_OWNER_KNOWN)
		return put_lit(p, "\"socket\"");
	if (pid)
		return put_lit(p, "\"task\"");
	return put_lit(p, "null");
}

/* comm != e->comm as strncmp() says, without a call when they are equal */
static bool other_task(const struct tt_event *e, const char *comm)
{
	return memcmp(comm, e->comm, TT_COMM_LEN) &&
	       strncmp(comm, e->comm, TT_COMM_LEN);
}

/*
 * The one JSON line written without the JSON writer (output/json.h): it
 * is written once per transition, always in the same shape, so every
 * comma is part of a literal, and the whole line is reserved once and
 * written in place (output/put.h). The writer's bookkeeping per field
 * cost 47% more instructions per event here (bench/cost.sh: 2,523 to
 * 3,709). test_sink.c and the sink fuzz target check every line with a
 * JSON parser.
 */
static void json_event(struct fmt_ctx *c, const struct tt_event *e)
{
	struct out *o = c->o;
	const char *comm;
	__u32 pid;
	char *p;

	if (!out_reserve(o, TT_LINE_MAX))
		return;
	p = put_lit(o->buf + o->len, "{\"type\":\"transition\",\"time\":\"");
	p = fmt_put_wall(c, p, e->ts_ns, true);
	*p++ = '"';
	p = member(p, "ts_ns");
	p = put_u64(p, e->ts_ns);
	p = member(p, "sock_id");
	p = put_u64(p, e->sock_id);
	p = member(p, "family");
	p = family(p, e->family);
	p = member(p, "laddr");
	p = addr(p, e->family, e->saddr);
	p = member(p, "lport");
	p = put_u32(p, e->sport);
	p = member(p, "raddr");
	p = addr(p, e->family, e->daddr);
	p = member(p, "rport");
	p = put_u32(p, e->dport);
	p = member(p, "old");
	p = quoted_state(p, e->oldstate);
	p = member(p, "new");
	p = quoted_state(p, e->newstate);
	p = member(p, "ms");
	if (e->delta_ns == TT_DELTA_UNKNOWN)
		p = put_lit(p, "null");
	else
		p = put_fixed(p, e->delta_ns, 1000000ULL, 6);
	/* after a gap: the state it was last seen entering */
	if (tt_event_after_gap(e)) {
		p = member(p, "seen");
		p = quoted_state(p, e->seen_state);
	}
	pid = tt_event_who(e, &comm);
	p = member(p, "pid");
	if (pid) {
		p = put_u32(p, pid);
		p = member(p, "comm");
		p = json_put_quoted(p, comm, TT_COMM_LEN);
	} else {
		p = put_lit(p, "null,\"comm\":null");
	}
	p = member(p, "owner");
	p = owner(p, e->flags, pid);
	p = member(p, "ctx");
	if (e->flags & TT_F_PROCESS_CTX)
		p = put_lit(p, "\"process\"");
	else
		p = put_lit(p, "\"softirq\"");
	/* the task on the CPU, where it is not the one shown above */
	if (!pid || pid != e->tgid || other_task(e, comm)) {
		p = member(p, "task_pid");
		p = put_u32(p, e->tgid);
		p = member(p, "task_tid");
		p = put_u32(p, e->pid);
		p = member(p, "task_comm");
		p = json_put_quoted(p, e->comm, TT_COMM_LEN);
	}
	if (e->flags & TT_F_TIME_WAIT)
		p = put_lit(p, ",\"time_wait\":true");
	p = member(p, "netns");
	p = put_u32(p, e->netns);
	o->len = p - o->buf;
	out_json_cgroup(o, c->cg, e->cgroup_id);
	out_char(o, '}');
	out_end_line(o);
}

static void json_header(struct fmt_ctx *c)
{
	(void)c;
}

static void sink_json_lost(struct fmt_ctx *c, __u64 n)
{
	json_lost(c->o, n);
}

const struct sink_ops sink_json = {
	.header = json_header,
	.event = json_event,
	.lost = sink_json_lost,
};
