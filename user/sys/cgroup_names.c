// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "model/idmap.h"
#include "sys/cgroup_names.h"
#include "sys/resolve.h"

#define SEC_NS 1000000000ULL
#define RETRY_MIN_NS SEC_NS
#define RETRY_MAX_NS (64 * SEC_NS)
/* deeper cgroups are not walked: the kernel's own limit is far lower */
#define MAX_DEPTH 64

struct entry {
	struct cg_info info;
	__u64 retry_at; /* unknown: look again from then */
	__u64 backoff;
};

struct cgroup_names {
	char root[PATH_MAX];
	size_t max;
	struct idmap *map;
	__u64 walked_at;
	__u64 walks;
	__u64 want; /* the id the walk is for: kept even when full */
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC_NS + ts.tv_nsec;
}

struct cgroup_names *cgroup_names_new(const char *root, size_t max)
{
	struct cgroup_names *cn = calloc(1, sizeof(*cn));

	if (!cn)
		return NULL;
	if (root && strlen(root) < sizeof(cn->root)) {
		strcpy(cn->root, root);
	} else if (root || cgroup2_root(cn->root, sizeof(cn->root))) {
		free(cn);
		errno = ENOENT;
		return NULL;
	}
	cn->max = max ? max : 1;
	cn->map = idmap__new(cn->max, sizeof(struct entry));
	if (!cn->map) {
		free(cn);
		return NULL;
	}
	return cn;
}

static void free_entry(void *ctx, __u64 id, void *value)
{
	struct entry *e = value;

	(void)ctx;
	(void)id;
	free((char *)e->info.path);
}

void cgroup_names_free(struct cgroup_names *cn)
{
	if (!cn)
		return;
	idmap__for_each(cn->map, free_entry, NULL);
	idmap__free(cn->map);
	free(cn);
}

/* full: start again (what is still in use is found by the next walk) */
static struct entry *insert(struct cgroup_names *cn, __u64 id)
{
	struct entry *e = idmap__lookup(cn->map, id);
	struct idmap *fresh;

	if (e)
		return e;
	if (idmap__count(cn->map) >= cn->max) {
		fresh = idmap__new(cn->max, sizeof(struct entry));
		if (!fresh)
			return NULL;
		idmap__for_each(cn->map, free_entry, NULL);
		idmap__free(cn->map);
		cn->map = fresh;
	}
	return idmap__insert(cn->map, id);
}

static void learn(struct cgroup_names *cn, __u64 id, const char *path)
{
	struct entry *e = idmap__lookup(cn->map, id);
	char *p;

	if (e && e->info.path && !strcmp(e->info.path, path))
		return;
	/* the cache is for what is asked: a walk does not empty it */
	if (!e && id != cn->want && idmap__count(cn->map) >= cn->max)
		return;
	p = strdup(path);
	e = p ? insert(cn, id) : NULL;
	if (!e) {
		free(p);
		return;
	}
	free((char *)e->info.path);
	e->info.path = p;
	cg_labels_parse(p, &e->info.labels);
	e->retry_at = 0;
	e->backoff = 0;
}

/*
 * path[0..len) names dir (open), its id: learn it and everything below.
 * Returns whether want was found.
 */
static bool walk(struct cgroup_names *cn, int dir, char *path, size_t len,
		 int depth, __u64 want)
{
	bool found = false;
	struct dirent *d;
	DIR *dp;

	if (depth >= MAX_DEPTH) {
		close(dir);
		return false;
	}
	dp = fdopendir(dir);
	if (!dp) {
		close(dir);
		return false;
	}
	while ((d = readdir(dp))) {
		size_t n = strlen(d->d_name);
		struct stat st;
		int fd;

		if (d->d_type != DT_DIR || d->d_name[0] == '.' ||
		    len + 1 + n >= PATH_MAX)
			continue;
		fd = openat(dirfd(dp), d->d_name,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue; /* removed meanwhile */
		if (fstat(fd, &st)) {
			close(fd);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, d->d_name, n + 1);
		learn(cn, st.st_ino, path);
		found |= st.st_ino == want;
		found |= walk(cn, fd, path, len + 1 + n, depth + 1, want);
		path[len] = '\0';
	}
	closedir(dp);
	return found;
}

static bool walk_all(struct cgroup_names *cn, __u64 want)
{
	char path[PATH_MAX] = "";
	struct stat st;
	int fd;

	cn->walks++;
	cn->want = want;
	fd = open(cn->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st)) {
		close(fd);
		return false;
	}
	learn(cn, st.st_ino, "/");
	return walk(cn, fd, path, 0, 0, want) || st.st_ino == want;
}

const struct cg_info *cgroup_names_get(struct cgroup_names *cn, __u64 id)
{
	static const struct cg_info unknown;
	struct entry *e;
	__u64 now;

	if (!id)
		return NULL;
	e = idmap__lookup(cn->map, id);
	if (e && e->info.path)
		return &e->info;
	now = mono_ns();
	if (e && now < e->retry_at)
		return &e->info;
	if (cn->walks && now - cn->walked_at < CG_WALK_GAP_NS) {
		/* not looked for yet: at the next walk, whatever asks */
		e = insert(cn, id);
		if (!e)
			return &unknown;
		e->retry_at = cn->walked_at + CG_WALK_GAP_NS;
		return &e->info;
	}
	cn->walked_at = now;
	if (walk_all(cn, id)) {
		e = idmap__lookup(cn->map, id);
		if (e && e->info.path)
			return &e->info;
	}
	e = insert(cn, id);
	if (!e)
		return &unknown;
	e->backoff = !e->backoff		   ? RETRY_MIN_NS :
		     e->backoff * 2 > RETRY_MAX_NS ? RETRY_MAX_NS :
						     e->backoff * 2;
	e->retry_at = now + e->backoff;
	return &e->info;
}

__u64 cgroup_names_walks(const struct cgroup_names *cn)
{
	return cn->walks;
}
