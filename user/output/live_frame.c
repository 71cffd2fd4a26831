// SPDX-License-Identifier: GPL-2.0
#include "util/common.h"
#include "model/event.h"
#include "output/holders_fmt.h"
#include "output/live_frame.h"
#include "output/textfmt.h"

enum col {
	C_AGE,
	C_PID,
	C_COMM,
	C_FD,
	C_LADDR,
	C_RADDR,
	C_RECVQ,
	C_SENDQ,
	NCOL
};

static const struct {
	const char *title;
	bool right; /* numbers: right-aligned, title too */
} cols[NCOL] = {
	[C_AGE] = { "AGE(s)", true },
	[C_PID] = { "PID", true },
	[C_COMM] = { "COMM", false },
	[C_FD] = { "FD", true },
	[C_LADDR] = { "LADDR:LPORT", false },
	[C_RADDR] = { "RADDR:RPORT", false },
	[C_RECVQ] = { "RECV-Q", true },
	[C_SENDQ] = { "SEND-Q", true },
};

/* what goes first when a line is too wide: a drop, or COMM narrowed */
static const int narrow_steps[] = { C_SENDQ, C_FD, -1, C_RECVQ, C_LADDR, C_PID };
#define COMM_MAX 16
#define COMM_MIN 10
#define SEP "   "

struct layout {
	size_t width[NCOL]; /* 0: dropped */
	size_t cols; /* 0: no limit */
};

size_t live_cut_escaped(const char *s, size_t len, size_t width)
{
	size_t i = 0, step;

	if (len <= width || !width)
		return len <= width ? len : 0;
	for (; i < len; i += step) {
		step = s[i] == '\\' ? 4 : 1;
		if (i + step > width - 1)
			break;
	}
	return i;
}

static void cell(struct fmt_ctx *c, const struct live_row *r, enum col col,
		 bool no_queues)
{
	const struct holder *h = r->now.h.n ? &r->now.h.v[0] : NULL;
	const struct tt_sock_rec *s = r->rec;
	struct out *o = c->o;
	char ep[TT_ENDPOINT_LEN];
	const char *comm = h ? h->comm : r->comm;
	__u32 pid = h ? h->pid : r->pid;

	switch (col) {
	case C_AGE:
		if (r->estimated)
			out_lit(o, ">=");
		out_fixed(o, r->age_ns, 1000000000ULL, 1);
		break;
	case C_PID:
		if (pid)
			out_u64(o, pid);
		else
			out_char(o, '-');
		break;
	case C_COMM:
		/* an empty name would shift the columns */
		if (pid && comm[0])
			out_text_esc(o, comm, TT_COMM_LEN);
		else
			out_char(o, '-');
		break;
	case C_FD:
		if (h && r->now.queued)
			out_lit(o, "queued");
		else if (h)
			out_u64(o, h->fd);
		else
			out_char(o, '-');
		break;
	case C_LADDR:
	case C_RADDR:
		out_mem(o, ep,
			col == C_LADDR ?
				tt_endpoint_fmt(ep, sizeof(ep), s->family,
						s->saddr, s->sport) :
				tt_endpoint_fmt(ep, sizeof(ep), s->family,
						s->daddr, s->dport));
		break;
	case C_RECVQ:
	case C_SENDQ:
		if (no_queues)
			out_char(o, '-');
		else
			out_u64(o, col == C_RECVQ ? s->rx_queue : s->tx_queue);
		break;
	default:
		break;
	}
}

static size_t line_width(const struct layout *l)
{
	size_t w = 0;

	for (int i = 0; i < NCOL; i++)
		w += l->width[i] ? l->width[i] + (w ? 1 : 0) : 0;
	return w;
}

/* each column as wide as its title or widest cell, then narrowed to fit */
static void lay_out(struct layout *l, struct fmt_ctx *scratch,
		    const struct live_row *rows, size_t n, bool no_queues)
{
	size_t full[NCOL], comm, w, i;

	for (int i = 0; i < NCOL; i++) {
		l->width[i] = strlen(cols[i].title);
		for (size_t r = 0; r < n; r++) {
			scratch->o->len = 0;
			cell(scratch, &rows[r], i, no_queues);
			if (scratch->o->len > l->width[i])
				l->width[i] = scratch->o->len;
		}
	}
	if (!l->cols)
		return;
	if (l->width[C_COMM] > COMM_MAX)
		l->width[C_COMM] = COMM_MAX;
	memcpy(full, l->width, sizeof(full));
	for (i = 0; i < ARRAY_SIZE(narrow_steps); i++) {
		if (line_width(l) <= l->cols)
			break;
		if (narrow_steps[i] >= 0)
			l->width[narrow_steps[i]] = 0;
		else if (l->width[C_COMM] > COMM_MIN)
			l->width[C_COMM] = COMM_MIN;
	}
	/* a later drop may have left room for an earlier one to come back */
	while (i-- > 0) {
		int c = narrow_steps[i];

		if (c >= 0 && line_width(l) + 1 + full[c] <= l->cols)
			l->width[c] = full[c];
	}
	/* and for COMM, if it was narrowed */
	comm = full[C_COMM];
	w = line_width(l);
	if (w < l->cols)
		l->width[C_COMM] += comm - l->width[C_COMM] < l->cols - w ?
					    comm - l->width[C_COMM] :
					    l->cols - w;
}

/* s[0..len) in a column of width w, cut with '~' where it is too long */
static void put_col(struct out *o, const char *s, size_t len, size_t w,
		    bool right, bool first)
{
	size_t keep = live_cut_escaped(s, len, w);

	if (!first)
		out_char(o, ' ');
	if (right && keep < w)
		out_pad(o, w - keep - (keep < len));
	out_mem(o, s, keep);
	if (keep < len)
		out_char(o, '~');
	if (!right && keep < w)
		out_pad(o, w - keep - (keep < len));
}

/*
 * The frame is built a line at a time in its own buffer: each line is
 * cut to the terminal's width before it reaches the screen, and no flush
 * can split a line that is still being measured.
 */
struct frame_out {
	struct fmt_ctx *c;
	struct out *line;
	const struct live_screen *scr;
	size_t lines; /* written so far */
};

static void emit(struct frame_out *f)
{
	struct out *o = f->c->o;
	struct out *l = f->line;
	size_t len;

	out_trim(l);
	len = l->len;

	if (f->scr->tty && f->lines >= f->scr->rows) {
		l->len = 0;
		return;
	}
	if (f->scr->tty && len > f->scr->cols) {
		len = live_cut_escaped(l->buf, len, f->scr->cols);
		l->buf[len++] = '~';
	}
	/* on a terminal the last line has no newline: the screen must not
	 * scroll; so the newline goes before each line but the first */
	if (f->scr->tty && f->lines)
		out_char(o, '\n');
	out_mem(o, l->buf, len);
	if (!f->scr->tty)
		out_char(o, '\n');
	f->lines++;
	l->len = 0;
}

/* what goes first from a narrow title: the quit hint, the name, the time */
static void title(struct frame_out *f, struct fmt_ctx *lc, size_t n, __u64 now)
{
	static const char name[] = "tcptrail closewait --live" SEP;
	static const char quit[] = SEP "Ctrl-C to quit";
	size_t cols = f->scr->tty ? f->scr->cols : 0;
	struct out *o = lc->o;
	size_t count, clock;
	bool named;

	/* measured first: the count always stays, the rest if it fits */
	out_count(o, n, "socket", "sockets");
	out_lit(o, " in CLOSE_WAIT");
	count = o->len;
	fmt_wall_time(lc, now, false);
	clock = o->len - count;
	o->len = 0;
	named = !cols || sizeof(name) - 1 + clock + 3 + count <= cols;
	if (named)
		out_mem(o, name, sizeof(name) - 1);
	if (!cols || clock + 3 + count <= cols) {
		fmt_wall_time(lc, now, false);
		out_lit(o, SEP);
	}
	out_count(o, n, "socket", "sockets");
	out_lit(o, " in CLOSE_WAIT");
	if (cols && named && o->len + sizeof(quit) - 1 <= cols)
		out_mem(o, quit, sizeof(quit) - 1);
	emit(f);
}

/* per service port: how many, and the oldest, as many as fit */
static void port_totals(struct frame_out *f, const struct live_row *rows,
			size_t n)
{
	struct out *o = f->line;

	out_lit(o, "by service port:");
	for (size_t i = 0; i < n; i++) {
		size_t count = 0, before = o->len;
		bool seen = false;

		/* rows are oldest first: the first row of a port is its oldest */
		for (size_t j = 0; j < i && !seen; j++)
			seen = rows[j].service == rows[i].service;
		if (seen)
			continue;
		for (size_t j = i; j < n; j++)
			count += rows[j].service == rows[i].service;
		out_char(o, ' ');
		out_u64(o, rows[i].service);
		out_char(o, ':');
		out_u64(o, count);
		out_lit(o, " (oldest ");
		out_fixed(o, rows[i].age_ns, 1000000000ULL, 1);
		out_lit(o, "s)");
		if (f->scr->tty && o->len > f->scr->cols) {
			o->len = before;
			break;
		}
	}
	emit(f);
}

static void row_line(struct frame_out *f, struct fmt_ctx *lc,
		     struct out *cellbuf, const struct layout *lay,
		     const struct live_row *r, bool no_queues)
{
	struct fmt_ctx cc = *lc;
	bool first = true;

	cc.o = cellbuf;
	for (int i = 0; i < NCOL; i++) {
		if (!lay->width[i])
			continue;
		cellbuf->len = 0;
		cell(&cc, r, i, no_queues);
		put_col(f->line, cellbuf->buf, cellbuf->len, lay->width[i],
			cols[i].right, first);
		first = false;
	}
	text_holders_more(f->line, &r->now, r->pid, r->comm);
	emit(f);
}

void live_frame_draw(struct fmt_ctx *c, const struct live_row *rows, size_t n,
		     bool no_queues, __u64 now, const struct live_screen *scr)
{
	struct out line, cellbuf;
	struct frame_out f = { .c = c, .line = &line, .scr = scr };
	struct fmt_ctx lc = *c, sc = *c;
	struct layout lay = { .cols = scr->tty ? scr->cols : 0 };
	size_t shown = n;
	bool first = true;

	if (out_init(&line, -1, TT_LINE_MAX))
		return;
	if (out_init(&cellbuf, -1, TT_LINE_MAX)) {
		out_free(&line);
		return;
	}
	lc.o = &line;
	sc.o = &cellbuf;
	/* title, ports, a blank line, column titles: then the sockets */
	if (scr->tty) {
		size_t room = scr->rows > 4 ? scr->rows - 4 : 0;

		shown = n > room ? (room ? room - 1 : 0) : n;
		/* home, clear: redraw the whole screen, as top does */
		out_lit(c->o, "\033[H\033[2J");
	}
	lay_out(&lay, &sc, rows, shown, no_queues);
	title(&f, &lc, n, now);
	port_totals(&f, rows, n);
	/* a blank line separates plain snapshots: none inside one */
	if (scr->tty)
		emit(&f);
	for (int i = 0; i < NCOL; i++) {
		if (!lay.width[i])
			continue;
		put_col(&line, cols[i].title, strlen(cols[i].title),
			lay.width[i], cols[i].right, first);
		first = false;
	}
	emit(&f);
	for (size_t i = 0; i < shown; i++)
		row_line(&f, &lc, &cellbuf, &lay, &rows[i], no_queues);
	if (shown < n) {
		out_lit(&line, "... ");
		out_u64(&line, n - shown);
		out_lit(&line, " more");
		emit(&f);
	}
	if (!scr->tty)
		out_char(c->o, '\n');
	out_flush(c->o);
	out_free(&cellbuf);
	out_free(&line);
}
