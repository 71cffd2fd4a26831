// SPDX-License-Identifier: GPL-2.0
/*
 * timeline on tp_btf: the kernel keeps each connection's path and sends it
 * once, when the connection ends (struct tt_path). Here: turn a path into
 * a connection, and, for --open, read the paths of the open ones at exit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "event.h"
#include "paths.skel.h"
#include "tcp_state.h"
#include "tcptrail.skel.h"
#include "timeline.h"

#define HALF (TT_PATH_STEPS / 2)

_Static_assert(PATH_MAX_STEPS == TT_PATH_STEPS, "path lengths differ");

/* the iterator where the kernel takes it, else a walk from user space */
struct tl_paths {
	struct paths_bpf *skel;
	struct bpf_link *link;
	int map_fd; /* the tracer's table of paths, for the walk */
	bool no_cgroup; /* --cgroup and no iterator: nothing can be listed */
};

static void set_step(struct tl_conn *c, int i, const struct tt_path *p, int j)
{
	c->steps[i].state = p->states[j];
	c->steps[i].ns = p->steps_ns[j];
}

void tl_conn_from_path(struct tl_conn *c, const struct tt_path *p)
{
	__u32 n = p->nsteps;

	memset(c, 0, sizeof(*c));
	c->id = p->sock_id;
	c->first_ns = p->first_ns;
	c->since_ns = p->ts_ns;
	if (p->flags & TT_F_OWNER_KNOWN) {
		c->pid = p->owner_tgid;
		memcpy(c->comm, p->owner_comm, TT_COMM_LEN);
	}
	c->family = p->family;
	c->lport = p->sport;
	c->rport = p->dport;
	memcpy(c->laddr, p->saddr, TT_ADDR_LEN);
	memcpy(c->raddr, p->daddr, TT_ADDR_LEN);
	c->flags = p->flags & TT_F_OPENER;
	c->state = p->state;
	c->closer = p->closer <= TT_CLOSER_RESET ? p->closer : CLOSER_UNKNOWN;
	c->partial = p->partial;
	c->listener = p->listener;
	c->netns = p->netns;
	if (n <= TT_PATH_STEPS) {
		for (__u32 i = 0; i < n; i++)
			set_step(c, i, p, i);
		c->nsteps = n;
		return;
	}
	/* the first half in order, then the ring from its oldest step */
	for (int i = 0; i < HALF; i++)
		set_step(c, i, p, i);
	for (int j = 0; j < HALF; j++)
		set_step(c, HALF + j, p, HALF + (n + j) % HALF);
	c->nsteps = TT_PATH_STEPS;
	c->truncated = true;
}

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
	tl_print_conn(r, c, p->ts_ns, false);
	r->printed++;
	if (c != &tmp)
		idmap__delete(r->conns, p->sock_id);
	return true;
}

static int attach_iter(struct tl_paths *tp, const struct stream *s,
		       const struct tt_loader_opts *lo,
		       const struct tt_filter *f)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = lo->btf_path);
	LIBBPF_OPTS(bpf_iter_attach_opts, ao);
	union bpf_iter_link_info info = {};
	int err = tt_refused("iter_map");

	if (err)
		return err;
	tp->skel = paths_bpf__open_opts(&oo);
	if (!tp->skel)
		return -errno;
	tp->skel->rodata->filter_cgroup = f->cgroup;
	err = bpf_map__reuse_fd(tp->skel->maps.sk_paths,
				bpf_map__fd(s->tracer.skel->maps.sk_paths));
	if (!err)
		err = bpf_map__reuse_fd(
			tp->skel->maps.entered,
			bpf_map__fd(s->tracer.skel->maps.entered));
	if (!err)
		err = paths_bpf__load(tp->skel);
	if (err)
		return err;
	info.map.map_fd = bpf_map__fd(s->tracer.skel->maps.sk_paths);
	ao.link_info = &info;
	ao.link_info_len = sizeof(info);
	tp->link = bpf_program__attach_iter(tp->skel->progs.tt_open_paths, &ao);
	return tp->link ? 0 : -errno;
}

int tl_paths_open(struct tl_run *r, const struct stream *s,
		  const struct tt_loader_opts *lo, const struct tt_filter *f)
{
	struct tl_paths *tp = calloc(1, sizeof(*tp));
	int err;

	if (!tp)
		return -ENOMEM;
	r->open_paths = tp;
	tp->map_fd = bpf_map__fd(s->tracer.skel->maps.sk_paths);
	err = attach_iter(tp, s, lo, f);
	if (!err)
		return 0;
	bpf_link__destroy(tp->link);
	tp->link = NULL;
	paths_bpf__destroy(tp->skel);
	tp->skel = NULL;
	/* a socket's cgroup is read in the kernel: user space cannot tell */
	tp->no_cgroup = f->cgroup;
	p_warn("iterator over the table of paths refused (%s): open "
	       "connections %s",
	       strerror(-err),
	       tp->no_cgroup ? "are not listed (--cgroup needs the iterator)" :
			       "read from user space");
	return 0;
}

static void print_one(struct tl_run *r, const struct tt_path *p, __u64 now)
{
	const struct tt_filter *f = &r->env->filter;
	struct tl_conn c;

	if (!tt_filter_match(f, p->family, p->sport, p->dport, p->netns,
			     (p->flags & TT_F_OWNER_KNOWN) ? p->owner_tgid : 0))
		return;
	tl_conn_from_path(&c, p);
	tl_print_conn(r, &c, now, true);
}

/*
 * The iterator's choice (bpf/paths.bpf.c), from user space: the programs
 * are detached by now, so the table holds still while it is walked.
 */
static int walk_open(struct tl_run *r, int fd, __u64 now)
{
	struct sk_path_state ps;
	__u64 key, *prev = NULL;
	struct tt_path *p = &ps.path;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &ps))
			continue; /* gone since: it ended */
		if (!p->sock_id || p->sent)
			continue;
		p->flags |= ps.st.flags & (TT_F_OPENER | TT_F_OWNER_KNOWN);
		p->owner_tgid = ps.st.owner_tgid;
		memcpy(p->owner_comm, ps.st.owner_comm, sizeof(p->owner_comm));
		print_one(r, p, now);
	}
	return errno == ENOENT ? 0 : -errno;
}

int tl_paths_print_open(struct tl_run *r, __u64 now)
{
	struct tl_paths *tp = r->open_paths;
	struct tt_path buf[64];
	size_t len = 0;
	ssize_t got;
	int fd, err;

	if (!tp)
		return -ENOENT;
	if (!tp->link)
		return tp->no_cgroup ? 0 : walk_open(r, tp->map_fd, now);
	fd = bpf_iter_create(bpf_link__fd(tp->link));
	if (fd < 0)
		return -errno;
	/* a read may end inside a record: keep the rest for the next */
	for (;;) {
		size_t n;

		got = read(fd, (char *)buf + len, sizeof(buf) - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
		n = len / sizeof(buf[0]);
		for (size_t i = 0; i < n; i++)
			print_one(r, &buf[i], now);
		len -= n * sizeof(buf[0]);
		memmove(buf, &buf[n], len);
	}
	err = got < 0 ? -errno : 0;
	close(fd);
	return err;
}

void tl_paths_close(struct tl_run *r)
{
	struct tl_paths *tp = r->open_paths;

	if (!tp)
		return;
	bpf_link__destroy(tp->link);
	paths_bpf__destroy(tp->skel);
	free(tp);
	r->open_paths = NULL;
}
