// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/kconfig.h"
#include "kernel/tw_lookup.h"
#include "tw_lookup.skel.h"

#define TW_NEWS_MAX 16384

struct tw_lookup {
	struct tw_lookup_bpf *skel;
};

struct tw_lookup *tw_lookup__open(const struct tt_loader_opts *lo, __u32 max)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = lo->btf_path,
		    .kconfig = tt_kconfig());
	struct tw_lookup *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return NULL;
	err = tt_refused("tc");
	if (err)
		goto fail;
	p->skel = tw_lookup_bpf__open_opts(&oo);
	if (!p->skel) {
		err = -errno;
		goto fail;
	}
	bpf_map__set_max_entries(p->skel->maps.tw_follow, max);
	/* preallocated: what does not fit waits for the next run */
	bpf_map__set_max_entries(p->skel->maps.tw_news,
				 max < TW_NEWS_MAX ? max : TW_NEWS_MAX);
	err = tw_lookup_bpf__load(p->skel);
	if (!err)
		err = tw_lookup__run(p, NULL, NULL);
	if (!err)
		return p;
fail:
	tw_lookup__close(p);
	errno = -err;
	return NULL;
}

int tw_lookup__follow(struct tw_lookup *p, const struct tt_tuple *k, bool on,
		      __u8 substate)
{
	int fd = bpf_map__fd(p->skel->maps.tw_follow);
	int err;

	if (on)
		err = bpf_map_update_elem(fd, k, &substate, BPF_NOEXIST);
	else
		err = bpf_map_delete_elem(fd, k);
	return err ? -errno : 0;
}

int tw_lookup__run(struct tw_lookup *p,
		   void (*news)(void *ctx, const struct tt_tw_report *n),
		   void *ctx)
{
	/* the lookups need a packet to hang off, nothing more */
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, ro, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = 1);
	int qfd = bpf_map__fd(p->skel->maps.tw_news);
	struct tt_tw_report n;

	if (bpf_prog_test_run_opts(bpf_program__fd(p->skel->progs.tt_tw_lookup),
				   &ro))
		return -errno;
	while (!bpf_map_lookup_and_delete_elem(qfd, NULL, &n))
		if (news)
			news(ctx, &n);
	return errno == ENOENT ? 0 : -errno;
}

void tw_lookup__close(struct tw_lookup *p)
{
	if (!p)
		return;
	tw_lookup_bpf__destroy(p->skel);
	free(p);
}
