// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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
				netns);
	if (!w->walk) {
		int err = errno;

		free(w);
		errno = err;
		return NULL;
	}
	return w;
}

static bool same_socket(const struct who_key *k, const struct tt_sock_rec *r)
{
	return r->state == TCP_CLOSE_WAIT && r->netns == k->netns &&
	       r->family == k->family && r->sport == k->sport &&
	       r->dport == k->dport &&
	       !memcmp(r->saddr, k->saddr, TT_ADDR_LEN) &&
	       !memcmp(r->daddr, k->daddr, TT_ADDR_LEN);
}

static bool any_addr(const __u8 *a)
{
	static const __u8 zero[TT_ADDR_LEN];

	return !memcmp(a, zero, TT_ADDR_LEN);
}

/* the listener a queued socket came in by: its port, its address or any */
static const struct tt_sock_rec *
listener_of(const struct who_key *k, const struct tt_sock_rec *snap, size_t n)
{
	const struct tt_sock_rec *any = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct tt_sock_rec *r = &snap[i];

		if (r->state != TCP_LISTEN || r->netns != k->netns ||
		    r->sport != k->sport || !r->ino)
			continue;
		if (r->family == k->family &&
		    !memcmp(r->saddr, k->saddr, TT_ADDR_LEN))
			return r;
		if (any_addr(r->saddr))
			any = r;
	}
	return any;
}

int who_holds__find(struct who_holds *w, const struct who_key *keys, size_t n,
		    struct who *out)
{
	struct tt_sock_rec *snap = NULL;
	struct holders *h = NULL;
	__u64 *ino = NULL, *uniq = NULL;
	size_t nsnap = 0, nu = 0, nd = 0;
	int err = 0;

	memset(out, 0, n * sizeof(*out));
	if (w && sockets__snapshot(w->walk, &snap, &nsnap))
		nsnap = 0; /* the inodes known already still serve */
	ino = calloc(n + 1, sizeof(*ino));
	uniq = calloc(n + 1, sizeof(*uniq));
	if (!ino || !uniq) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tt_sock_rec *r = NULL, *l;

		ino[i] = keys[i].ino;
		for (size_t j = 0; !ino[i] && j < nsnap && !r; j++)
			if (same_socket(&keys[i], &snap[j]))
				r = &snap[j];
		if (r)
			ino[i] = r->ino;
		/* there, but no file: accept() has not taken it yet */
		if (r && !r->ino && (l = listener_of(&keys[i], snap, nsnap))) {
			ino[i] = l->ino;
			out[i].queued = true;
		}
		if (ino[i])
			uniq[nu++] = ino[i];
	}
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
	free(snap);
	return err;
}

void who_holds__close(struct who_holds *w)
{
	if (!w)
		return;
	sockets__close(w->walk);
	free(w);
}
