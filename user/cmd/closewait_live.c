// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets in CLOSE_WAIT now: adopted at start (they predate tcptrail), and
 * drawn every interval by 'closewait --live' (a full-screen table, or JSON
 * snapshots), from iter/tcp snapshots joined with what the tracer knows.
 */
#include <stdio.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cmd/closewait.h"
#include "util/common.h"
#include "model/event.h"
#include "output/holders_fmt.h"
#include "cmd/stream.h"
#include "output/live_frame.h"
#include "output/textfmt.h"

#define SCREEN_ROWS_DEFAULT 24
#define SCREEN_COLS_DEFAULT 80

struct frame {
	struct tt_sock_rec *recs;
	struct live_row *rows;
	size_t n;
	bool no_queues; /* not walked: RECV-Q and SEND-Q unknown */
};

static int by_age_desc(const void *a, const void *b)
{
	const struct live_row *x = a, *y = b;

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
static bool row_matches(const struct tt_filter *flt, const struct live_row *row)
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
		struct live_row *row = &f->rows[i];
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
		const struct live_row *row = &f.rows[i];
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
		c->cgroup_id = s->cgroup_id;
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
		const struct live_row *row = &f->rows[i];
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

static volatile sig_atomic_t resized;

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

/* the terminal's size; 80x24 where it does not say */
static void screen_of(struct live_screen *scr)
{
	struct winsize ws;

	scr->cols = SCREEN_COLS_DEFAULT;
	scr->rows = SCREEN_ROWS_DEFAULT;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		scr->cols = ws.ws_col;
		scr->rows = ws.ws_row;
	}
}

void cw_live_tick(void *ctx, __u64 now)
{
	struct cw_run *r = ctx;
	struct frame f;

	struct live_screen scr = { .tty = false };

	if (!r->live_started) {
		struct sigaction sa = { .sa_handler = on_winch,
					.sa_flags = SA_RESTART };

		r->live_started = true;
		r->live_tty = !r->env->out.json && isatty(STDOUT_FILENO);
		sigemptyset(&sa.sa_mask);
		if (r->live_tty)
			sigaction(SIGWINCH, &sa, NULL);
	}
	/* a resized terminal is redrawn at once, not at the next interval */
	if (now < r->next_snapshot && !resized)
		return;
	resized = 0;
	r->next_snapshot = now + r->env->interval_ns;
	if (take_frame(r, &f, now))
		return;
	if (r->env->out.json) {
		json_frame(r, &f, now);
	} else {
		scr.tty = r->live_tty;
		if (scr.tty)
			screen_of(&scr);
		live_frame_draw(&r->fc, f.rows, f.n, f.no_queues, now, &scr);
	}
	free_frame(&f);
}
