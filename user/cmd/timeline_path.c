// SPDX-License-Identifier: GPL-2.0
/*
 * timeline on tp_btf: the kernel keeps each connection's path and sends it
 * once, when the connection ends (struct tt_path). Here: print it, or
 * follow it into TIME_WAIT, and for --open read the paths of the open
 * ones at exit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/common.h"
#include "model/event.h"
#include "model/tcp_state.h"
#include "cmd/timeline.h"

bool tl_on_path(void *ctx, const struct tt_path *p)
{
	struct tl_run *r = ctx;
	struct tl_conn tmp, *c = NULL;

	/* only the ones handed to a time-wait socket stay here, followed */
	if (p->state == TCP_TIME_WAIT) {
		tl_tw_taken(r,
			    tt_tuple_key(p->family, p->saddr, p->sport,
					 p->daddr, p->dport),
			    p->first_ns);
		c = idmap__insert(r->conns, p->sock_id);
		/* full: a quarter of --max-conns is followed already */
		if (!c)
			r->tw_unfollowed++;
	}
	if (!c)
		c = &tmp;
	tl_conn_from_path(c, p);
	if (c != &tmp && tl_tw_enter(r, c))
		return true;
	r->rep->conn(&r->fc, c, p->ts_ns, false);
	r->printed++;
	if (c != &tmp)
		idmap__delete(r->conns, p->sock_id);
	return true;
}

int tl_paths_open(struct tl_run *r, const struct stream *s,
		  const struct tt_loader_opts *lo, const struct tt_filter *f)
{
	int err;

	r->open_paths = open_paths__open(&s->tracer, lo, f->cgroup);
	if (!r->open_paths)
		return -ENOMEM;
	err = open_paths__refused(r->open_paths);
	if (!err)
		return 0;
	/* a socket's cgroup is read in the kernel: user space cannot tell */
	r->open_no_cgroup = f->cgroup;
	p_warn("iterator over the table of paths refused (%s): open "
	       "connections %s",
	       strerror(-err),
	       r->open_no_cgroup ?
		       "are not listed (--cgroup needs the iterator)" :
		       "read from user space");
	return 0;
}

struct print_open {
	struct tl_run *r;
	__u64 now;
};

static bool print_one(void *ctx, const struct tt_path *p)
{
	struct print_open *po = ctx;
	const struct tt_filter *f = &po->r->env->filter;
	struct tl_conn c;

	if (!tt_filter_match(f, p->family, p->sport, p->dport, p->netns,
			     (p->flags & TT_F_OWNER_KNOWN) ? p->owner_tgid : 0))
		return true;
	tl_conn_from_path(&c, p);
	po->r->rep->conn(&po->r->fc, &c, po->now, true);
	return true;
}

int tl_paths_print_open(struct tl_run *r, __u64 now)
{
	struct print_open po = { .r = r, .now = now };

	if (!r->open_paths)
		return -ENOENT;
	if (r->open_no_cgroup)
		return 0;
	return open_paths__for_each(r->open_paths, print_one, &po);
}

void tl_paths_close(struct tl_run *r)
{
	open_paths__close(r->open_paths);
	r->open_paths = NULL;
}
