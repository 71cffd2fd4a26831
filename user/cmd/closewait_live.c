// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets in CLOSE_WAIT now: adopted at start (they predate tcptrail), and
 * drawn every interval by 'closewait --live' (a full-screen table, or JSON
 * snapshots), from iter/tcp snapshots joined with what the tracer knows.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cmd/closewait.h"
#include "util/common.h"
#include "model/event.h"
#include "output/holders_fmt.h"
#include "cmd/stream.h"
#include "output/textfmt.h"

#define SCREEN_ROWS_DEFAULT 24
#define SCREEN_COLS_DEFAULT 80
#define HEADER_ROWS 4

/* a snapshot joined with owners and ages */
struct row {
	const struct tt_sock_rec *rec;
	__u64 age_ns;
	bool estimated;
	/* who opened it, as the tracer saw: 0 if it did not */
	__u32 pid;
	char comm[TT_COMM_LEN];
	struct who now; /* who holds it now */
	__u16 service;
};

struct frame {
	struct tt_sock_rec *recs;
	struct row *rows;
	size_t n;
	bool no_queues; /* not walked: RECV-Q and SEND-Q unknown */
};

static int by_age_desc(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->age_ns > y->age_ns ? -1 : x->age_ns < y->age_ns;
}

/* who holds each socket now: every process and fd, as ss -p */
static void find_holders(struct cw_run *r, struct frame *f)
{
	struct who_key *k = calloc(f->n + 1, sizeof(*k));
	struct who *w = calloc(f->n + 1, sizeof(*w));

	if (k && w) {
		for (size_t i = 0; i < f->n; i++) {
			const struct tt_sock_rec *s = f->rows[i].rec;

			who_key_set(&k[i], s->ino, s->netns, s->family,
				    s->saddr, s->sport, s->daddr, s->dport);
		}
		if (!who_holds__find(r->who, k, f->n, w))
			for (size_t i = 0; i < f->n; i++)
				f->rows[i].now = w[i];
	}
	free(w);
	free(k);
}

/* --pid: the process that opened it, or any that holds it now */
static bool row_matches(const struct tt_filter *flt, const struct row *row)
{
	const struct tt_sock_rec *s = row->rec;
	__u32 pid = row->pid;

	for (__u32 i = 0; flt->tgid && pid != flt->tgid && i < row->now.h.n;
	     i++)
		pid = row->now.h.v[i].pid;
	return tt_filter_match(flt, s->family, s->sport, s->dport, s->netns,
			       pid);
}

struct kept {
	struct tt_sock_rec *v;
	size_t n;
};

static void keep_open(void *ctx, __u64 id, void *value)
{
	struct kept *k = ctx;
	const struct cw_open *c = value;
	struct tt_sock_rec *s = &k->v[k->n++];

	memset(s, 0, sizeof(*s));
	s->sock_id = id;
	s->since_ns = c->since_ns;
	s->owner_tgid = c->pid;
	memcpy(s->owner_comm, c->comm, TT_COMM_LEN);
	s->netns = c->netns;
	s->family = c->family;
	s->sport = c->lport;
	s->dport = c->rport;
	memcpy(s->saddr, c->laddr, TT_ADDR_LEN);
	memcpy(s->daddr, c->raddr, TT_ADDR_LEN);
	s->state = TCP_CLOSE_WAIT;
}

/*
 * Without iter/tcp: the sockets the tracer saw enter CLOSE_WAIT, from its
 * own list, or else from the table kept here; their queues unknown.
 */
static int take_kept(struct cw_run *r, struct frame *f)
{
	struct kept k = { .n = 0 };

	f->no_queues = true;
	if (r->in_cw)
		return closewait_socks__snapshot(r->in_cw, &f->recs, &f->n);
	k.v = calloc(idmap__count(r->open) + 1, sizeof(*k.v));
	if (!k.v)
		return -ENOMEM;
	idmap__for_each(r->open, keep_open, &k);
	f->recs = k.v;
	f->n = k.n;
	return 0;
}

static int take_frame(struct cw_run *r, struct frame *f, __u64 now)
{
	int err;

	memset(f, 0, sizeof(*f));
	err = r->socks ? sockets__snapshot(r->socks, &f->recs, &f->n) :
			 take_kept(r, f);

	if (err == -ENOENT && !r->warned_netns) {
		p_warn("no process is in the --netns namespace and no "
		       "/run/netns entry names it: its sockets cannot be walked");
		r->warned_netns = true;
	}
	if (err)
		return -1;
	f->rows = calloc(f->n + 1, sizeof(*f->rows));
	if (!f->rows) {
		free(f->recs);
		return -1;
	}
	for (size_t i = 0; i < f->n; i++) {
		const struct tt_sock_rec *s = &f->recs[i];
		struct row *row = &f->rows[i];
		struct cw_open *c;

		row->rec = s;
		row->service = service_rule_port(&r->svc, s->flags, s->sport,
						 s->dport);
		c = idmap__lookup(r->open,
				  tt_tuple_key(s->family, s->saddr, s->sport,
					       s->daddr, s->dport));
		if (s->sock_id && s->since_ns) {
			/* the tracer saw it enter CLOSE_WAIT: exact */
			row->age_ns = now > s->since_ns ? now - s->since_ns : 0;
		} else if (c) {
			row->age_ns = now > c->since_ns ? now - c->since_ns : 0;
			row->estimated = true;
		} else {
			row->age_ns = s->idle_ns;
			row->estimated = true;
		}
		if (s->owner_tgid) {
			row->pid = s->owner_tgid;
			memcpy(row->comm, s->owner_comm, TT_COMM_LEN);
		}
	}
	find_holders(r, f);
	/* the kernel filtered the transitions; the snapshot is filtered here */
	for (size_t i = 0; i < f->n; i++) {
		if (!row_matches(r->filter, &f->rows[i])) {
			who_free(&f->rows[i].now, 1);
			f->rows[i--] = f->rows[--f->n];
		}
	}
	qsort(f->rows, f->n, sizeof(*f->rows), by_age_desc);
	return 0;
}

static void free_frame(struct frame *f)
{
	for (size_t i = 0; i < f->n; i++)
		who_free(&f->rows[i].now, 1);
	free(f->rows);
	free(f->recs);
}

void cw_adopt_existing(struct cw_run *r)
{
	__u64 now = now_ns();
	struct frame f;

	if (take_frame(r, &f, now))
		return;
	for (size_t i = 0; i < f.n; i++) {
		const struct row *row = &f.rows[i];
		const struct tt_sock_rec *s = row->rec;
		struct cw_open *c;

		if (s->sock_id)
			continue; /* the tracer follows it already */
		c = idmap__insert(r->open,
				  tt_tuple_key(s->family, s->saddr, s->sport,
					       s->daddr, s->dport));
		if (!c) {
			r->dropped++;
			continue;
		}
		c->since_ns = now - row->age_ns;
		c->estimated = true;
		c->fd = -1;
		/* who opened it is not known: who holds it is found at exit */
		c->family = s->family;
		c->netns = s->netns;
		c->ino = s->ino;
		c->lport = s->sport;
		c->rport = s->dport;
		c->service = row->service;
		memcpy(c->laddr, s->saddr, TT_ADDR_LEN);
		memcpy(c->raddr, s->daddr, TT_ADDR_LEN);
	}
	free_frame(&f);
}

static void json_frame(struct cw_run *r, const struct frame *f, __u64 now)
{
	struct out *o = r->fc.o;
	struct json_writer j;

	json_init(&j, o);
	json_obj_start(&j);
	json_word_field(&j, "type", "snapshot");
	json_time(&j, &r->fc, now);
	json_u64_field(&j, "count", f->n);
	json_key(&j, "sockets");
	json_arr_start(&j);
	for (size_t i = 0; i < f->n; i++) {
		const struct row *row = &f->rows[i];
		const struct tt_sock_rec *s = row->rec;

		out_reserve(o, TT_LINE_MAX);
		json_obj_start(&j);
		json_ms_field(&j, "age_ms", row->age_ns);
		json_bool_field(&j, "age_estimated", row->estimated);
		json_holders(&j, &row->now, row->pid, row->comm);
		json_endpoint(&j, false, s->family, s->saddr, s->sport);
		json_endpoint(&j, true, s->family, s->daddr, s->dport);
		json_u64_field(&j, "service", row->service);
		json_key(&j, "recv_q");
		if (f->no_queues)
			json_null(&j);
		else
			json_u64(&j, s->rx_queue);
		json_key(&j, "send_q");
		if (f->no_queues)
			json_null(&j);
		else
			json_u64(&j, s->tx_queue);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	out_end_line(o);
}

/* the terminal's rows (or columns), with a sane default off a terminal */
static unsigned int screen_size(bool want_rows)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) ||
	    ws.ws_row <= HEADER_ROWS + 1)
		return want_rows ? SCREEN_ROWS_DEFAULT : SCREEN_COLS_DEFAULT;
	return want_rows ? ws.ws_row : ws.ws_col;
}

/* per service port: how many, and the oldest, for the header */
static void port_totals(struct cw_run *r, const struct frame *f)
{
	struct out *o = r->fc.o;
	size_t line = o->len, cols = screen_size(false);

	out_lit(o, "by service port:");
	/* one line: stop before an entry could wrap it */
	for (size_t i = 0; i < f->n && o->len - line + 40 < cols; i++) {
		size_t count = 0;
		bool seen = false;

		/* rows are oldest first: the first row of a port is its oldest */
		for (size_t j = 0; j < i && !seen; j++)
			seen = f->rows[j].service == f->rows[i].service;
		if (seen)
			continue;
		for (size_t j = i; j < f->n; j++)
			count += f->rows[j].service == f->rows[i].service;
		out_char(o, ' ');
		out_u64(o, f->rows[i].service);
		out_char(o, ':');
		out_u64(o, count);
		out_lit(o, " (oldest ");
		out_fixed(o, f->rows[i].age_ns, 1000000000ULL, 1);
		out_lit(o, "s)");
	}
	out_char(o, '\n');
}

static void draw_frame(struct cw_run *r, const struct frame *f, __u64 now)
{
	unsigned int rows = screen_size(true) - HEADER_ROWS;
	struct out *o = r->fc.o;
	size_t start;

	/* home, clear: redraw the whole screen, as top does */
	out_lit(o, "\033[H\033[2J");
	out_lit(o, "tcptrail closewait --live   ");
	fmt_wall_time(&r->fc, now, false);
	out_lit(o, "   ");
	out_u64(o, f->n);
	out_lit(o, " sockets in CLOSE_WAIT   Ctrl-C to quit\n");
	port_totals(r, f);
	out_char(o, '\n');
	text_lit(o, "AGE(s)", 10);
	text_lit(o, "PID", W_PID);
	text_lit(o, "COMM", W_COMM);
	text_lit(o, "FD", W_FD);
	text_lit(o, "LADDR:LPORT", r->fc.wide ? W_ADDR_WIDE : W_ADDR);
	text_lit(o, "RADDR:RPORT", r->fc.wide ? W_ADDR_WIDE : W_ADDR);
	text_lit(o, "RECV-Q", 7);
	out_lit(o, "SEND-Q");
	/* the last line has no newline: a full screen must not scroll */
	if (f->n > rows)
		rows--;
	for (size_t i = 0; i < f->n && i < rows; i++) {
		const struct row *row = &f->rows[i];

		out_reserve(o, TT_LINE_MAX);
		out_char(o, '\n');
		start = o->len;
		if (row->estimated)
			out_lit(o, ">=");
		out_fixed(o, row->age_ns, 1000000000ULL, 1);
		text_pad_from(o, start, 10);
		text_holder_cols(o, &row->now, row->pid, row->comm);
		text_endpoint(&r->fc, row->rec->family, row->rec->saddr,
			      row->rec->sport);
		text_endpoint(&r->fc, row->rec->family, row->rec->daddr,
			      row->rec->dport);
		start = o->len;
		if (f->no_queues)
			out_char(o, '-');
		else
			out_u64(o, row->rec->rx_queue);
		text_pad_from(o, start, 7);
		start = o->len;
		if (f->no_queues)
			out_char(o, '-');
		else
			out_u64(o, row->rec->tx_queue);
		if (row->now.h.n > 1 || (row->now.h.n && row->pid &&
					 row->now.h.v[0].pid != row->pid)) {
			text_pad_from(o, start, 7);
			text_holders_more(o, &row->now, row->pid, row->comm);
		}
	}
	if (f->n > rows) {
		out_lit(o, "\n... ");
		out_u64(o, f->n - rows);
		out_lit(o, " more");
	}
	out_flush(o);
}

void cw_live_tick(void *ctx, __u64 now)
{
	struct cw_run *r = ctx;
	struct frame f;

	if (now < r->next_snapshot)
		return;
	r->next_snapshot = now + r->env->interval_ns;
	if (take_frame(r, &f, now))
		return;
	if (r->env->out.json)
		json_frame(r, &f, now);
	else
		draw_frame(r, &f, now);
	free_frame(&f);
}
