// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "sockets.h"
#include "tcptrail.skel.h"
#include "sockets.skel.h"
#include "tracked.skel.h"

struct sockets {
	struct sockets_bpf *skel;
	struct bpf_link *link;
};

struct sockets *sockets__open(const struct tt_tracer *t,
			      const struct tt_loader_opts *lo, __u32 states)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = lo->btf_path);
	struct sockets *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	err = tt_refused("iter_tcp");
	if (err)
		goto fail;
	s->skel = sockets_bpf__open_opts(&oo);
	if (!s->skel) {
		err = -errno;
		goto fail;
	}
	s->skel->rodata->want_states = states;
	s->skel->rodata->stateless = t->skel->rodata->agg_stateless;
	ephemeral_range(&s->skel->rodata->eph_lo, &s->skel->rodata->eph_hi);
	err = bpf_map__reuse_fd(s->skel->maps.sk_states_hash,
				bpf_map__fd(t->skel->maps.sk_states_hash));
	if (!err)
		err = bpf_map__reuse_fd(s->skel->maps.entered,
					bpf_map__fd(t->skel->maps.entered));
	if (!err)
		err = sockets_bpf__load(s->skel);
	if (err)
		goto fail;
	s->link = bpf_program__attach_iter(s->skel->progs.tt_sockets, NULL);
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

/* every record an iterator link writes */
static int read_all(struct bpf_link *link, struct tt_sock_rec **out, size_t *n)
{
	size_t cap = 64, len = 0;
	char *buf = malloc(cap * sizeof(struct tt_sock_rec));
	int fd = bpf_iter_create(bpf_link__fd(link));
	ssize_t got;

	*out = NULL;
	*n = 0;
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return fd < 0 ? -errno : -ENOMEM;
	}
	for (;;) {
		if (len == cap * sizeof(struct tt_sock_rec)) {
			char *p = realloc(buf, 2 * len);

			if (!p) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		got = read(fd, buf + len,
			   cap * sizeof(struct tt_sock_rec) - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
	}
	close(fd);
	if (got < 0) {
		free(buf);
		return -errno;
	}
	*out = (struct tt_sock_rec *)buf;
	*n = len / sizeof(struct tt_sock_rec);
	return 0;
}

int sockets__snapshot(struct sockets *s, struct tt_sock_rec **out, size_t *n)
{
	return read_all(s->link, out, n);
}

struct tracked {
	struct tracked_bpf *skel;
	struct bpf_link *link;
};

struct tracked *tracked__open(const struct tt_tracer *t,
			      const struct tt_loader_opts *lo, __u64 cgroup)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = lo->btf_path);
	LIBBPF_OPTS(bpf_iter_attach_opts, ao);
	union bpf_iter_link_info info = {};
	struct tracked *k = calloc(1, sizeof(*k));
	int err;

	if (!k)
		return NULL;
	err = tt_refused("iter_map");
	if (err)
		goto fail;
	k->skel = tracked_bpf__open_opts(&oo);
	if (!k->skel) {
		err = -errno;
		goto fail;
	}
	k->skel->rodata->filter_cgroup = cgroup;
	err = tracked_bpf__load(k->skel);
	if (err)
		goto fail;
	info.map.map_fd = bpf_map__fd(t->skel->maps.sk_states_hash);
	ao.link_info = &info;
	ao.link_info_len = sizeof(info);
	k->link = bpf_program__attach_iter(k->skel->progs.tt_tracked, &ao);
	if (!k->link) {
		err = -errno;
		goto fail;
	}
	return k;
fail:
	tracked__close(k);
	errno = -err;
	return NULL;
}

int tracked__snapshot(struct tracked *k, struct tt_sock_rec **out, size_t *n)
{
	return read_all(k->link, out, n);
}

void tracked__close(struct tracked *k)
{
	if (!k)
		return;
	bpf_link__destroy(k->link);
	tracked_bpf__destroy(k->skel);
	free(k);
}

void sockets__close(struct sockets *s)
{
	if (!s)
		return;
	bpf_link__destroy(s->link);
	sockets_bpf__destroy(s->skel);
	free(s);
}
