// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's iterators (bpf/iter_*.bpf.c), each sharing the tracer's
 * maps, and the one loop that reads what an iterator link writes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "util/common.h"
#include "kernel/iters.h"
#include "kernel/kconfig.h"
#include "sys/caps.h"
#include "sys/netns.h"
#include "tcptrail.skel.h"
#include "iter_tcp.skel.h"
#include "iter_closewait.skel.h"
#include "iter_paths.skel.h"

struct sockets {
	struct iter_tcp_bpf *skel;
	struct bpf_link *link;
	__u32 netns; /* as sockets__open() was given */
	__u32 refused; /* namespaces setns refused, this walk */
	bool warned; /* said so once */
	bool warned_hidden; /* and of processes' namespaces unreadable */
	__u32 *walked; /* the namespaces the last walk went through */
	size_t nwalked;
};

struct sockets *sockets__open(const struct tt_tracer *t,
			      const struct tt_loader_opts *lo, __u32 states,
			      __u32 netns, __u64 cgroup)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = lo->btf_path,
		    .kconfig = tt_kconfig());
	struct sockets *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	s->netns = netns;
	err = tt_refused("iter_tcp");
	if (err)
		goto fail;
	s->skel = iter_tcp_bpf__open_opts(&oo);
	if (!s->skel) {
		err = -errno;
		goto fail;
	}
	s->skel->rodata->want_states = states;
	s->skel->rodata->want_cgroup = cgroup;
	s->skel->rodata->stateless = t->mode == TT_MODE_AGGREGATE_STATELESS;
	ephemeral_range(&s->skel->rodata->eph_lo, &s->skel->rodata->eph_hi);
	err = bpf_map__reuse_fd(s->skel->maps.sk_states_hash,
				bpf_map__fd(t->skel->maps.sk_states_hash));
	if (!err)
		err = bpf_map__reuse_fd(s->skel->maps.entered,
					bpf_map__fd(t->skel->maps.entered));
	if (!err)
		err = iter_tcp_bpf__load(s->skel);
	if (err)
		goto fail;
	s->link = bpf_program__attach_iter(s->skel->progs.tt_iter_tcp, NULL);
	if (!s->link) {
		err = -errno;
		goto fail;
	}
	return s;
fail:
	sockets__close(s);
	errno = -err;
	return NULL;
}

typedef bool (*iter_rec_fn)(void *ctx, const void *rec);

/*
 * Each record an iterator link writes, in turn, through a buffer of a
 * fixed size: a read may end inside a record, whose start is kept for the
 * next. fn returns false to stop early (not an error).
 */
static int iter_for_each(struct bpf_link *link, size_t rec_size, iter_rec_fn fn,
			 void *ctx)
{
	size_t cap = 256 * rec_size, len = 0, used;
	char *buf = malloc(cap);
	int fd = bpf_iter_create(bpf_link__fd(link)), err = 0;
	ssize_t got;

	if (fd < 0 || !buf) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = -errno;
		if (got <= 0)
			break;
		len += got;
		for (used = 0; len - used >= rec_size; used += rec_size)
			if (!fn(ctx, buf + used))
				goto out;
		memmove(buf, buf + used, len - used);
		len -= used;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

struct rec_vec {
	char *v;
	size_t rec_size, len, cap; /* len and cap in records */
	int err;
};

static bool rec_vec_push(void *ctx, const void *rec)
{
	struct rec_vec *a = ctx;

	if (a->len == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		char *nv = realloc(a->v, cap * a->rec_size);

		if (!nv) {
			a->err = -ENOMEM;
			return false;
		}
		a->v = nv;
		a->cap = cap;
	}
	memcpy(a->v + a->len++ * a->rec_size, rec, a->rec_size);
	return true;
}

/* every record an iterator link writes, in one array */
static int iter_read_all(struct bpf_link *link, size_t rec_size, void **out,
			 size_t *n)
{
	struct rec_vec a = { .rec_size = rec_size };
	int err = iter_for_each(link, rec_size, rec_vec_push, &a);

	if (!err)
		err = a.err;
	if (err) {
		free(a.v);
		a.v = NULL;
		a.len = 0;
	}
	*out = a.v;
	*n = a.len;
	return err;
}

/* a walk's callback, and whether it asked to stop */
struct sock_cb {
	sock_rec_fn fn;
	void *ctx;
	bool stopped;
};

static bool sock_rec(void *ctx, const void *rec)
{
	struct sock_cb *cb = ctx;

	/* records lie at multiples of their size in a malloc()ed buffer */
	if (cb->fn(cb->ctx, rec))
		return true;
	cb->stopped = true;
	return false;
}

/* the sockets of one namespace (the iterator walks the one it is created in) */
static int walk_in(struct sockets *s, const struct netns_ref *ns, bool ours,
		   struct sock_cb *cb)
{
	int err, back;

	if (!ours) {
		err = netns_enter(ns->path, &back);
		if (err == -ENOENT)
			return 0; /* gone since */
		if (err) {
			/* setns needs CAP_SYS_ADMIN: the others still count */
			s->refused++;
			return 0;
		}
	}
	err = iter_for_each(s->link, sizeof(struct tt_sock_rec), sock_rec, cb);
	if (!err && !cb->stopped)
		s->walked[s->nwalked++] = ns->inum;
	if (!ours) {
		int lerr = netns_leave(back);

		/* every later step would run in the wrong namespace */
		if (lerr) {
			p_err("cannot return to our network namespace: %s",
			      strerror(-lerr));
			exit(TT_EXIT_FAILURE);
		}
	}
	return err;
}

int sockets__for_each(struct sockets *s, sock_rec_fn fn, void *ctx)
{
	struct sock_cb cb = { fn, ctx, false };
	struct netns_ref *ns;
	size_t nns, walked = 0;
	unsigned int hidden = 0;
	int err;

	s->nwalked = 0;
	if (s->netns == TT_NETNS_SELF)
		return iter_for_each(s->link, sizeof(struct tt_sock_rec),
				     sock_rec, &cb);
	err = netns_list(&ns, &nns, &hidden);
	if (err)
		return err;
	free(s->walked);
	s->walked = calloc(nns + 1, sizeof(*s->walked));
	if (!s->walked) {
		free(ns);
		return -ENOMEM;
	}
	/* ns[0] is ours: no setns there */
	for (size_t i = 0; !err && !cb.stopped && i < nns; i++) {
		if (s->netns && ns[i].inum != s->netns)
			continue;
		err = walk_in(s, &ns[i], i == 0, &cb);
		walked++;
	}
	free(ns);
	if (s->refused && !s->warned) {
		p_warn("%u network namespaces refused setns (it needs "
		       "CAP_SYS_ADMIN): their sockets are not walked",
		       s->refused);
		s->warned = true;
	}
	s->refused = 0;
	/* with it, what stays unreadable is past a user namespace's edge */
	if (hidden && !s->warned_hidden && !s->netns &&
	    !tt_has_cap(CAP_SYS_PTRACE)) {
		p_warn("the network namespace of %u processes could not be "
		       "read (it needs CAP_SYS_PTRACE): sockets in a namespace "
		       "only they are in are not walked",
		       hidden);
		s->warned_hidden = true;
	}
	if (!err && !walked)
		err = -ENOENT; /* the namespace asked for has no way in */
	return err;
}

static bool snap_push(void *ctx, const struct tt_sock_rec *r)
{
	return rec_vec_push(ctx, r);
}

int sockets__snapshot(struct sockets *s, struct tt_sock_rec **out, size_t *n)
{
	struct rec_vec a = { .rec_size = sizeof(**out) };
	int err = sockets__for_each(s, snap_push, &a);

	if (!err)
		err = a.err;
	if (err) {
		free(a.v);
		a.v = NULL;
		a.len = 0;
	}
	*out = (struct tt_sock_rec *)a.v;
	*n = a.len;
	return err;
}

struct closewait_socks {
	struct iter_closewait_bpf *skel;
	struct bpf_link *link;
};

struct closewait_socks *closewait_socks__open(const struct tt_tracer *t,
					      const struct tt_loader_opts *lo,
					      __u64 cgroup)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = lo->btf_path);
	LIBBPF_OPTS(bpf_iter_attach_opts, ao);
	union bpf_iter_link_info info = {};
	struct closewait_socks *k = calloc(1, sizeof(*k));
	int err;

	if (!k)
		return NULL;
	err = tt_refused("iter_map");
	if (err)
		goto fail;
	k->skel = iter_closewait_bpf__open_opts(&oo);
	if (!k->skel) {
		err = -errno;
		goto fail;
	}
	k->skel->rodata->filter_cgroup = cgroup;
	err = iter_closewait_bpf__load(k->skel);
	if (err)
		goto fail;
	info.map.map_fd = bpf_map__fd(t->skel->maps.sk_states_hash);
	ao.link_info = &info;
	ao.link_info_len = sizeof(info);
	k->link =
		bpf_program__attach_iter(k->skel->progs.tt_iter_closewait, &ao);
	if (!k->link) {
		err = -errno;
		goto fail;
	}
	return k;
fail:
	closewait_socks__close(k);
	errno = -err;
	return NULL;
}

int closewait_socks__snapshot(struct closewait_socks *k,
			      struct tt_sock_rec **out, size_t *n)
{
	return iter_read_all(k->link, sizeof(**out), (void **)out, n);
}

int closewait_socks__for_each(struct closewait_socks *k, sock_rec_fn fn,
			      void *ctx)
{
	struct sock_cb cb = { fn, ctx, false };

	return iter_for_each(k->link, sizeof(struct tt_sock_rec), sock_rec,
			     &cb);
}

void closewait_socks__close(struct closewait_socks *k)
{
	if (!k)
		return;
	bpf_link__destroy(k->link);
	iter_closewait_bpf__destroy(k->skel);
	free(k);
}

bool sockets__walked(const struct sockets *s, __u32 netns)
{
	for (size_t i = 0; i < s->nwalked; i++)
		if (s->walked[i] == netns)
			return true;
	return false;
}

void sockets__close(struct sockets *s)
{
	if (!s)
		return;
	free(s->walked);
	bpf_link__destroy(s->link);
	iter_tcp_bpf__destroy(s->skel);
	free(s);
}

struct open_paths {
	struct iter_paths_bpf *skel;
	struct bpf_link *link; /* NULL: the iterator was refused */
	int map_fd; /* the tracer's table of paths, for the walk */
	int refused; /* why there is no iterator: -errno, or 0 */
};

static int open_paths_attach(struct open_paths *op, const struct tt_tracer *t,
			     const struct tt_loader_opts *lo, __u64 cgroup)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = lo->btf_path);
	LIBBPF_OPTS(bpf_iter_attach_opts, ao);
	union bpf_iter_link_info info = {};
	int err = tt_refused("iter_map");

	if (err)
		return err;
	op->skel = iter_paths_bpf__open_opts(&oo);
	if (!op->skel)
		return -errno;
	op->skel->rodata->filter_cgroup = cgroup;
	err = bpf_map__reuse_fd(op->skel->maps.sk_paths,
				bpf_map__fd(t->skel->maps.sk_paths));
	if (!err)
		err = bpf_map__reuse_fd(op->skel->maps.entered,
					bpf_map__fd(t->skel->maps.entered));
	if (!err)
		err = iter_paths_bpf__load(op->skel);
	if (err)
		return err;
	info.map.map_fd = op->map_fd;
	ao.link_info = &info;
	ao.link_info_len = sizeof(info);
	op->link = bpf_program__attach_iter(op->skel->progs.tt_iter_paths, &ao);
	return op->link ? 0 : -errno;
}

struct open_paths *open_paths__open(const struct tt_tracer *t,
				    const struct tt_loader_opts *lo,
				    __u64 cgroup)
{
	struct open_paths *op = calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	op->map_fd = bpf_map__fd(t->skel->maps.sk_paths);
	op->refused = open_paths_attach(op, t, lo, cgroup);
	if (op->refused) {
		bpf_link__destroy(op->link);
		op->link = NULL;
		iter_paths_bpf__destroy(op->skel);
		op->skel = NULL;
	}
	return op;
}

int open_paths__refused(const struct open_paths *op)
{
	return op->refused;
}

/*
 * The iterator's choice (bpf/iter_paths.bpf.c), from user space: the
 * programs are detached by now, so the table holds still while it is
 * walked.
 */
static int walk_paths(int fd, open_path_fn fn, void *ctx)
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
		if (!fn(ctx, p))
			return 0;
	}
	return errno == ENOENT ? 0 : -errno;
}

struct path_cb {
	open_path_fn fn;
	void *ctx;
};

static bool path_rec(void *ctx, const void *rec)
{
	struct path_cb *cb = ctx;
	struct tt_path p;

	memcpy(&p, rec, sizeof(p));
	return cb->fn(cb->ctx, &p);
}

int open_paths__for_each(struct open_paths *op, open_path_fn fn, void *ctx)
{
	struct path_cb cb = { fn, ctx };

	if (op->link)
		return iter_for_each(op->link, sizeof(struct tt_path), path_rec,
				     &cb);
	return walk_paths(op->map_fd, fn, ctx);
}

void open_paths__close(struct open_paths *op)
{
	if (!op)
		return;
	bpf_link__destroy(op->link);
	iter_paths_bpf__destroy(op->skel);
	free(op);
}
