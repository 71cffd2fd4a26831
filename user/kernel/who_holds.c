// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "util/common.h"
#include "kernel/iters.h"
#include "kernel/who_holds.h"
#include "sys/caps.h"
#include "sys/holders.h"
#include "model/tcp_state.h"

struct who_holds {
	struct sockets *walk;
};

struct who_holds *who_holds__open(const struct tt_tracer *t,
				  const struct tt_loader_opts *lo, __u32 netns)
{
	struct who_holds *w = calloc(1, sizeof(*w));
	char missing[64];

	if (tt_missing_holder_caps(missing, sizeof(missing)))
		p_warn("holders in other users' processes need CAP_SYS_PTRACE "
		       "and CAP_DAC_READ_SEARCH (to read their /proc/PID/fd; "
		       "missing: %s): their sockets show no holder",
		       missing);
	if (!w)
		return NULL;
	w->walk = sockets__open(t, lo, 1U << TCP_CLOSE_WAIT | 1U << TCP_LISTEN,
				netns, 0);
	if (!w->walk) {
		int err = errno;

		free(w);
		errno = err;
		return NULL;
	}
	return w;
}

/* the tuple's fields lie together, with no padding: one memcmp() */
#define WHO_TUPLE_LEN                                    \
	(offsetof(struct who_key, daddr) + TT_ADDR_LEN - \
	 offsetof(struct who_key, netns))
_Static_assert(WHO_TUPLE_LEN == 4 + 3 * 2 + 2 * TT_ADDR_LEN,
	       "who_key's tuple has padding");

static int tuple_cmp(const struct who_key *a, const struct who_key *b)
{
	return memcmp(&a->netns, &b->netns, WHO_TUPLE_LEN);
}

/* a walk that looks each socket in CLOSE_WAIT up among the keys */
struct find_walk {
	const struct who_key *keys;
	size_t *order; /* the keys without an inode, by tuple */
	size_t norder;
	__u64 *ino;
	bool *seen; /* in the walk, with or without a file */
	struct tt_sock_rec *lis; /* listeners with a file */
	size_t nlis, caplis;
	int err;
};

static int order_cmp(const void *a, const void *b, void *keys)
{
	const struct who_key *k = keys;

	return tuple_cmp(&k[*(const size_t *)a], &k[*(const size_t *)b]);
}

static bool lis_push(struct find_walk *f, const struct tt_sock_rec *r)
{
	if (f->nlis == f->caplis) {
		size_t cap = f->caplis ? 2 * f->caplis : 16;
		struct tt_sock_rec *v = realloc(f->lis, cap * sizeof(*v));

		if (!v) {
			f->err = -ENOMEM;
			return false;
		}
		f->lis = v;
		f->caplis = cap;
	}
	f->lis[f->nlis++] = *r;
	return true;
}

static bool find_rec(void *ctx, const struct tt_sock_rec *r)
{
	struct find_walk *f = ctx;
	struct who_key k;
	size_t lo = 0, hi = f->norder;

	if (r->state == TCP_LISTEN)
		return !r->ino || lis_push(f, r);
	if (r->state != TCP_CLOSE_WAIT)
		return true;
	who_key_set(&k, 0, r->netns, r->family, r->saddr, r->sport, r->daddr,
		    r->dport);
	/* the first key not below the socket's tuple, then all equal ones */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tuple_cmp(&f->keys[f->order[mid]], &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < f->norder && !tuple_cmp(&f->keys[f->order[lo]], &k); lo++) {
		f->ino[f->order[lo]] = r->ino;
		f->seen[f->order[lo]] = true;
	}
	return true;
}

static bool any_addr(const __u8 *a)
{
	static const __u8 zero[TT_ADDR_LEN];

	return !memcmp(a, zero, TT_ADDR_LEN);
}

/* the listener a queued socket came in by: its port, its address or any */
static const struct tt_sock_rec *
listener_of(const struct who_key *k, const struct tt_sock_rec *lis, size_t n)
{
	const struct tt_sock_rec *any = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct tt_sock_rec *r = &lis[i];

		if (r->netns != k->netns || r->sport != k->sport)
			continue;
		if (r->family == k->family &&
		    !memcmp(r->saddr, k->saddr, TT_ADDR_LEN))
			return r;
		if (any_addr(r->saddr))
			any = r;
	}
	return any;
}

/*
 * The inode of each key that has none: one walk, each socket looked up
 * among the keys sorted, so that its cost follows the sockets, not their
 * product with the keys. None is needed when every key has an inode.
 */
static int find_inodes(struct who_holds *w, const struct who_key *keys,
		       size_t n, __u64 *ino, struct who *out)
{
	struct find_walk f = { .keys = keys, .ino = ino };
	int err = 0;

	for (size_t i = 0; i < n; i++)
		ino[i] = keys[i].ino;
	f.order = calloc(n + 1, sizeof(*f.order));
	f.seen = calloc(n + 1, sizeof(*f.seen));
	if (!f.order || !f.seen) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!ino[i])
			f.order[f.norder++] = i;
	if (!w || !f.norder)
		goto out;
	qsort_r(f.order, f.norder, sizeof(*f.order), order_cmp, (void *)keys);
	/* the inodes known already still serve when the walk fails */
	if (sockets__for_each(w->walk, find_rec, &f) || f.err)
		goto out;
	for (size_t j = 0; j < f.norder; j++) {
		size_t i = f.order[j];
		const struct tt_sock_rec *l;

		/* there, but no file: accept() has not taken it yet */
		if (f.seen[i] && !ino[i] &&
		    (l = listener_of(&keys[i], f.lis, f.nlis))) {
			ino[i] = l->ino;
			out[i].queued = true;
		}
	}
out:
	free(f.lis);
	free(f.seen);
	free(f.order);
	return err;
}

int who_holds__find(struct who_holds *w, const struct who_key *keys, size_t n,
		    struct who *out)
{
	struct holders *h = NULL;
	__u64 *ino = NULL, *uniq = NULL;
	size_t nu = 0, nd = 0;
	int err = 0;

	memset(out, 0, n * sizeof(*out));
	ino = calloc(n + 1, sizeof(*ino));
	uniq = calloc(n + 1, sizeof(*uniq));
	if (!ino || !uniq) {
		err = -ENOMEM;
		goto out;
	}
	err = find_inodes(w, keys, n, ino, out);
	if (err)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (ino[i])
			uniq[nu++] = ino[i];
	qsort(uniq, nu, sizeof(*uniq), cmp_u64);
	for (size_t i = 0; i < nu; i++)
		if (!nd || uniq[i] != uniq[nd - 1])
			uniq[nd++] = uniq[i];
	nu = nd;
	h = calloc(nu + 1, sizeof(*h));
	if (!h || holders_find(uniq, nu, h) < 0) {
		err = -ENOMEM;
		goto out;
	}
	/* each socket gets its own copy: two may share a listener */
	for (size_t i = 0; i < n && !err; i++) {
		__u64 *hit = ino[i] ? bsearch(&ino[i], uniq, nu, sizeof(*uniq),
					      cmp_u64) :
				      NULL;
		const struct holders *src = hit ? &h[hit - uniq] : NULL;

		out[i].h.ino = ino[i];
		if (!src || !src->n)
			continue;
		out[i].h.v = malloc(src->n * sizeof(*src->v));
		if (!out[i].h.v) {
			err = -ENOMEM;
			break;
		}
		memcpy(out[i].h.v, src->v, src->n * sizeof(*src->v));
		out[i].h.n = src->n;
	}
	holders_free(h, nu);
out:
	if (err)
		who_free(out, n);
	free(h);
	free(uniq);
	free(ino);
	return err;
}

void who_holds__close(struct who_holds *w)
{
	if (!w)
		return;
	sockets__close(w->walk);
	free(w);
}
