// SPDX-License-Identifier: GPL-2.0
/* Names to kernel ids: network namespaces and cgroup v2 directories. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "sys/resolve.h"
#include "util/parse.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

int resolve_netns(const char *arg, __u32 *inum, const char **why)
{
	char path[PATH_MAX];
	const char *why_num;
	struct statfs sfs;
	struct stat st;
	__u64 v;
	int n;

	if (!parse_u64(arg, 1, UINT_MAX, &v, &why_num)) {
		*inum = v;
		return 0;
	}
	if (!*arg) {
		*why = "not an inode number, name or path";
		return -1;
	}
	if (strchr(arg, '/'))
		n = snprintf(path, sizeof(path), "%s", arg);
	else
		n = snprintf(path, sizeof(path), "/run/netns/%s", arg);
	if (n >= (int)sizeof(path) || stat(path, &st)) {
		*why = strchr(arg, '/') ?
			       "no such file" :
			       "no such namespace (see 'ip netns list')";
		return -1;
	}
	if (statfs(path, &sfs) || sfs.f_type != NSFS_MAGIC) {
		*why = "not a network namespace file";
		return -1;
	}
	*inum = st.st_ino;
	return 0;
}

/* does /DIR/NAME/ns/net (or /DIR/NAME itself, for /run/netns) name inum? */
static bool dir_has_netns(const char *dir, const char *leaf, __u32 inum)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];
	struct stat st;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, leaf);
		found = !stat(path, &st) && st.st_ino == inum;
	}
	closedir(d);
	return found;
}

/*
 * A namespace given by inode number exists while a process is in it or a
 * file names it: look in /proc and /run/netns (not everywhere a bind
 * mount could be, which a path argument reaches instead).
 */
bool netns_exists(__u32 inum)
{
	return dir_has_netns("/run/netns", "", inum) ||
	       dir_has_netns("/proc", "/ns/net", inum);
}

/* a mountinfo field, the kernel's \ooo escapes decoded: its end, or NULL */
static const char *field(const char *p, char *buf, size_t len)
{
	const char *end = p + strcspn(p, " \n");
	size_t o = 0;

	while (p < end && o + 1 < len) {
		if (*p == '\\' && end - p >= 4 && p[1] >= '0' && p[1] <= '3' &&
		    p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			buf[o++] = (p[1] - '0') << 6 | (p[2] - '0') << 3 |
				   (p[3] - '0');
			p += 4;
		} else {
			buf[o++] = *p++;
		}
	}
	buf[o] = '\0';
	return p == end && o ? end : NULL;
}

/*
 * How much of the hierarchy a mount shows, from its root field: "/" is
 * the root of this cgroup namespace, each leading "/.." one level above
 * it (a host's hierarchy bound into a container), anything after that a
 * subtree.
 */
static int reach(const char *root)
{
	int up = 0;

	while (!strncmp(root, "/..", 3) && (root[3] == '/' || !root[3])) {
		up++;
		root += 3;
	}
	return 2 * up - (root[0] && strcmp(root, "/") ? 1 : 0);
}

int cgroup2_root_in(FILE *f, char *buf, size_t len)
{
	char *line = NULL, root[PATH_MAX], mnt[PATH_MAX];
	size_t cap = 0;
	int best = 0, ret = -1;

	/* lines can be longer than any fixed buffer: read each whole */
	while (getline(&line, &cap, f) > 0) {
		const char *p = line;
		int r;

		if (!strstr(line, " - cgroup2 "))
			continue;
		/* the fourth field is the mount's root, the fifth its point */
		for (int i = 0; i < 3 && p; i++)
			if ((p = strchr(p, ' ')))
				p++;
		if (!p || !(p = field(p, root, sizeof(root))) || *p != ' ' ||
		    !field(p + 1, mnt, sizeof(mnt)) || strlen(mnt) >= len)
			continue;
		r = reach(root);
		if (ret || r > best) {
			strcpy(buf, mnt);
			best = r;
			ret = 0;
		}
	}
	free(line);
	return ret;
}

/*
 * The cgroup v2 mount that shows the most of the hierarchy: in a
 * container, a host's /sys/fs/cgroup mounted beside the container's own.
 */
int cgroup2_root(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int ret;

	if (!f)
		return -1;
	ret = cgroup2_root_in(f, buf, len);
	fclose(f);
	return ret;
}

/* PATH absolute, or relative to the cgroup v2 mount */
int resolve_cgroup(const char *arg, __u64 *id, const char **why)
{
	char path[PATH_MAX], root[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	int n;

	if (!*arg) {
		*why = "empty path";
		return -1;
	}
	if (arg[0] == '/') {
		n = snprintf(path, sizeof(path), "%s", arg);
	} else if (!cgroup2_root(root, sizeof(root))) {
		n = snprintf(path, sizeof(path), "%s/%s", root, arg);
	} else {
		*why = "no cgroup v2 mount to resolve a relative path";
		return -1;
	}
	if (n >= (int)sizeof(path) || stat(path, &st) || statfs(path, &sfs)) {
		*why = "no such cgroup";
		return -1;
	}
	if (sfs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode)) {
		*why = "not a cgroup v2 directory";
		return -1;
	}
	*id = st.st_ino;
	return 0;
}
