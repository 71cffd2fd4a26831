// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/labels.h"
#include "util/common.h"
#include "util/parse.h"

/* cgroups whose set is remembered; the map starts again when full */
#define SET_CACHE_MAX 4096
/* distinct label sets numbered while export runs, beyond: "other" */
#define SETS_MAX 65536

enum { OPT_LABELS = 0x600, OPT_MAX_CONTAINERS };

static const struct argp_option label_options[] = {
	{ NULL, 0, NULL, 0, "Labels:", 6 },
	{ "labels", OPT_LABELS, "container", 0,
	  "container_id, pod_uid and qos beside the port, from the socket's "
	  "cgroup",
	  6 },
	{ "max-containers", OPT_MAX_CONTAINERS, "N", 0,
	  "with --labels: N label sets per print or scrape, the rest summed "
	  "under container_id \"other\" (default 64)",
	  6 },
	{},
};

static error_t labels_parse(int key, char *arg, struct argp_state *state)
{
	struct labels_opt *l = state->input;
	const char *why;
	__u64 v;

	switch (key) {
	case ARGP_KEY_INIT:
		l->max_sets = LABELS_MAX_CONTAINERS_DEFAULT;
		break;
	case OPT_LABELS:
		if (strcmp(arg, "container"))
			exit(usage_err("invalid --labels '%s': the one kind is "
				       "'container'",
				       arg));
		l->on = true;
		break;
	case OPT_MAX_CONTAINERS:
		if (parse_u64(arg, 1, 4096, &v, &why))
			exit(usage_err("invalid --max-containers '%s': %s", arg,
				       why));
		l->max_sets = v;
		l->max_set = true;
		break;
	case ARGP_KEY_END:
		if (l->max_set && !l->on)
			exit(usage_err("--max-containers bounds the labels of "
				       "--labels container"));
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp labels_argp = {
	.options = label_options,
	.parser = labels_parse,
};

int labels_open(struct labels_opt *l)
{
	if (!l->on)
		return 0;
	l->cn = cgroup_names_new(NULL, SET_CACHE_MAX);
	if (!l->cn) {
		p_err("--labels container: no cgroup v2 mount found (%s)",
		      strerror(errno));
		return TT_EXIT_FAILURE;
	}
	l->sets = label_sets_new(SETS_MAX);
	l->set_of = idmap__new(SET_CACHE_MAX, sizeof(__u32));
	if (!l->sets || !l->set_of) {
		p_err("out of memory");
		return TT_EXIT_FAILURE;
	}
	return 0;
}

void labels_close(struct labels_opt *l)
{
	cgroup_names_free(l->cn);
	label_sets_free(l->sets);
	idmap__free(l->set_of);
	l->cn = NULL;
	l->sets = NULL;
	l->set_of = NULL;
}

__u32 labels_set(struct labels_opt *l, __u64 cgroup_id)
{
	const struct cg_info *ci;
	__u32 *v, set;

	if (!l->on || !cgroup_id)
		return LS_NONE;
	v = idmap__lookup(l->set_of, cgroup_id);
	if (v)
		return *v;
	ci = cgroup_names_get(l->cn, cgroup_id);
	if (!ci || !ci->path)
		return LS_NONE; /* not remembered: looked for again */
	set = label_sets_intern(l->sets, &ci->labels);
	if (idmap__count(l->set_of) >= SET_CACHE_MAX) {
		struct idmap *fresh = idmap__new(SET_CACHE_MAX, sizeof(__u32));

		if (!fresh)
			return set;
		idmap__free(l->set_of);
		l->set_of = fresh;
	}
	v = idmap__insert(l->set_of, cgroup_id);
	if (v)
		*v = set;
	return set;
}

static int by_key(const void *pa, const void *pb)
{
	const struct hist_entry *a = pa, *b = pb;

	if (a->key.state != b->key.state)
		return a->key.state < b->key.state ? -1 : 1;
	if (a->key.port != b->key.port)
		return a->key.port < b->key.port ? -1 : 1;
	return a->key.cgroup_id < b->key.cgroup_id ?
		       -1 :
		       a->key.cgroup_id > b->key.cgroup_id;
}

/* sorted, and one entry per key */
static size_t merge_hists(struct hist_entry *h, size_t n)
{
	size_t len = 0;

	if (!n)
		return 0;
	qsort(h, n, sizeof(*h), by_key);
	for (size_t i = 1; i < n; i++) {
		if (!by_key(&h[len], &h[i]))
			hist_merge(&h[len].h, &h[i].h);
		else
			h[++len] = h[i];
	}
	return len + 1;
}

__u64 labels_apply(struct labels_opt *l, struct hist_entry *h, size_t *nh,
		   struct prom_sockets *socks, size_t *ns)
{
	size_t nsets;
	__u64 *w;
	__u32 *map;
	long folded;

	if (!l->on)
		return 0;
	/* the kernel's overflow key has a port of its own, no cgroup */
	for (size_t i = 0; i < *nh; i++)
		h[i].key.cgroup_id = h[i].key.port == TT_PORT_OTHER ?
					     LS_OTHER :
					     labels_set(l, h[i].key.cgroup_id);
	nsets = label_sets_count(l->sets);
	w = calloc(nsets, sizeof(*w));
	map = calloc(nsets, sizeof(*map));
	folded = w && map ? 0 : -1;
	for (size_t i = 0; w && i < *nh; i++)
		w[h[i].key.cgroup_id] += h[i].h.count + 1;
	for (size_t i = 0; w && i < *ns; i++)
		w[socks[i].set] += socks[i].count + 1;
	if (!folded)
		folded = label_sets_fold(w, nsets, l->max_sets, map);
	if (folded > 0) {
		for (size_t i = 0; i < *nh; i++)
			h[i].key.cgroup_id = map[h[i].key.cgroup_id];
		for (size_t i = 0; i < *ns; i++)
			socks[i].set = map[socks[i].set];
	}
	*nh = merge_hists(h, *nh);
	*ns = prom_sockets_merge(socks, *ns);
	free(w);
	free(map);
	return folded > 0 ? folded : 0;
}
