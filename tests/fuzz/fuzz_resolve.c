// SPDX-License-Identifier: GPL-2.0
/*
 * --netns and --cgroup argument resolution (user/sys/resolve.c), with the
 * file system replaced: resolve.c is compiled into this file with fopen,
 * stat and statfs redirected to fakes, so that nothing real is opened.
 * /proc/self/mountinfo becomes a memory stream of fuzzer-made text, and
 * stat/statfs answer what the input says (missing, directory or file;
 * nsfs, cgroup2 or another file system; any inode number).
 *
 * Input: a mode byte, the inode number, the argument (a pattern and a
 * repeat count, so that paths reach PATH_MAX), then the mountinfo:
 * either the raw rest of the input, or records laid out by the kernel's
 * rules (fields split by single spaces; space, tab, newline and
 * backslash in paths escaped as \ooo; any length) from which the
 * expected cgroup2 mount point is known.
 *
 * Checked: numbers never touch the file system; stat and statfs get one
 * path, NUL-terminated, under PATH_MAX, and exactly the one the argument
 * names (never a truncated one); the result follows from what stat and
 * statfs said; every failure has a reason; the stream is closed.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "fuzz_common.h"

#define FAKE_NSFS 0x6e736673
#define FAKE_CGROUP2 0x63677270
#define MAX_ARG 8192

enum { ST_MISSING, ST_DIR, ST_FILE };
enum { FS_FAIL, FS_NSFS, FS_CGROUP2, FS_OTHER };

static struct {
	const char *mountinfo; /* NULL: cannot be opened */
	size_t mountinfo_len;
	int st, fs;
	__u64 ino;
	int fopens, stats, statfses;
	char path[PATH_MAX];
} fake;

static FILE *fake_fopen(const char *path, const char *mode)
{
	FUZZ_CHECK(!strcmp(path, "/proc/self/mountinfo") && !strcmp(mode, "r"),
		   "fopen(%s, %s)", path, mode);
	fake.fopens++;
	if (!fake.mountinfo) {
		errno = ENOENT;
		return NULL;
	}
	return fmemopen((void *)fake.mountinfo, fake.mountinfo_len, "r");
}

static int fake_stat(const char *path, struct stat *st)
{
	size_t len = strnlen(path, PATH_MAX);

	FUZZ_CHECK(len < PATH_MAX, "stat() of a path of PATH_MAX bytes");
	FUZZ_CHECK(!fake.stats, "stat() twice");
	fake.stats++;
	memcpy(fake.path, path, len + 1);
	if (fake.st == ST_MISSING) {
		errno = ENOENT;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_ino = fake.ino;
	st->st_mode = fake.st == ST_DIR ? S_IFDIR | 0755 : S_IFREG | 0644;
	return 0;
}

static int fake_statfs(const char *path, struct statfs *sfs)
{
	FUZZ_CHECK(fake.stats == 1 && !fake.statfses &&
			   !strcmp(path, fake.path),
		   "statfs() of another path or twice");
	fake.statfses++;
	if (fake.fs == FS_FAIL) {
		errno = EACCES;
		return -1;
	}
	memset(sfs, 0, sizeof(*sfs));
	sfs->f_type = fake.fs == FS_NSFS    ? FAKE_NSFS :
		      fake.fs == FS_CGROUP2 ? FAKE_CGROUP2 :
					      0xef53;
	return 0;
}

#define fopen(p, m) fake_fopen(p, m)
#define stat(p, b) fake_stat(p, b)
#define statfs(p, b) fake_statfs(p, b)
#include "sys/resolve.c"
#undef fopen
#undef stat
#undef statfs

/* a growable string */
struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		FUZZ_CHECK(b->s, "out of memory");
	}
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* as the kernel's show_mountinfo() escapes paths: mangle() */
static void put_escaped(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char e[5];

		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		    s[i] == '\\') {
			snprintf(e, sizeof(e), "\\%03o", (unsigned char)s[i]);
			put(b, e, 4);
		} else {
			put(b, s + i, 1);
		}
	}
}

/* n bytes, no NUL (paths cannot hold one): a pattern repeated */
static void fill(struct fuzz_in *in, char *dst, size_t n)
{
	char pat[64];
	size_t plen;

	if (!n)
		return;
	plen = fuzz_bytes(in, pat, 1 + fuzz_u8(in) % sizeof(pat));

	for (size_t i = 0; i < n; i++) {
		char c = plen ? pat[i % plen] : 'a';

		dst[i] = c ? c : '_';
	}
}

/*
 * Mount records laid out as the kernel does, each showing the whole
 * hierarchy (root "/"); returns the first cgroup2 mount point that fits a
 * path (malloc'ed, unescaped), or NULL if there is none.
 */
static char *make_mountinfo(struct fuzz_in *in, struct buf *b)
{
	static const char *const types[] = { "cgroup2", "cgroup", "tmpfs",
					     "proc", "cgroup2fs" };
	char *want = NULL;

	for (int id = 20; in->n && id < 36; id++) {
		__u8 kind = fuzz_u8(in);
		const char *type = types[kind % 5];
		size_t mlen = kind & 0x80 ? fuzz_u16(in) % 5000 :
					    fuzz_u8(in) % 64;
		size_t olen = kind & 0x40 ? fuzz_u16(in) % 3000 : 0;
		char *mnt = malloc(mlen + 2), *opts = malloc(olen + 1);
		char head[64];

		FUZZ_CHECK(mnt && opts, "out of memory");
		mnt[0] = '/';
		fill(in, mnt + 1, mlen);
		mnt[mlen + 1] = '\0';
		fill(in, opts, olen);
		snprintf(head, sizeof(head), "%d %d 0:%d / ", id, id - 1,
			 id + 5);
		puts_(b, head);
		put_escaped(b, mnt, mlen + 1);
		puts_(b, " rw,nosuid,nodev");
		/* optional fields */
		for (int k = 0; k < (kind >> 3 & 3); k++) {
			snprintf(head, sizeof(head), " shared:%d", id + k);
			puts_(b, head);
		}
		puts_(b, " - ");
		puts_(b, type);
		puts_(b, " ");
		puts_(b, type);
		puts_(b, " rw,nsdelegate");
		if (olen) {
			puts_(b, ",x=");
			put_escaped(b, opts, olen);
		}
		puts_(b, "\n");
		if (!want && !strcmp(type, "cgroup2") && strlen(mnt) < PATH_MAX)
			want = strdup(mnt);
		free(mnt);
		free(opts);
	}
	return want;
}

static bool ref_inum(const char *s, __u32 *v)
{
	unsigned __int128 n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		n = n * 10 + (*s - '0');
		if (n > UINT_MAX)
			return false;
	}
	*v = n;
	return n != 0;
}

/* what stat and statfs said must decide it; want_fs: the magic needed */
static void check_outcome(int ret, const char *why, __u64 got, __u64 want,
			  int want_fs, bool want_dir, const char *arg)
{
	bool ok = fake.st != ST_MISSING && fake.fs == want_fs &&
		  (!want_dir || fake.st == ST_DIR);

	FUZZ_CHECK(fake.statfses == (fake.st != ST_MISSING),
		   "'%s': statfs() %d times", arg, fake.statfses);
	FUZZ_CHECK(ret == (ok ? 0 : -1), "'%s': %d, want %d", arg, ret,
		   ok ? 0 : -1);
	if (ok)
		FUZZ_CHECK(got == want, "'%s': inode %llu, want %llu", arg,
			   (unsigned long long)got, (unsigned long long)want);
	else
		FUZZ_CHECK(why && *why, "'%s': no reason", arg);
}

static void fuzz_netns(const char *arg)
{
	const char *why = NULL;
	__u32 inum = 0, want;
	char *path;
	int ret;

	ret = resolve_netns(arg, &inum, &why);
	FUZZ_CHECK(!fake.fopens, "--netns read mountinfo");
	if (ref_inum(arg, &want)) {
		FUZZ_CHECK(!ret && inum == want && !fake.stats,
			   "'%s': %d, inode %u, %d stat()s", arg, ret, inum,
			   fake.stats);
		return;
	}
	if (!*arg) {
		FUZZ_CHECK(ret == -1 && why && !fake.stats, "empty --netns");
		return;
	}
	if (asprintf(&path, "%s%s", strchr(arg, '/') ? "" : "/run/netns/",
		     arg) < 0)
		abort();
	if (strlen(path) >= PATH_MAX) {
		FUZZ_CHECK(ret == -1 && why && !fake.stats,
			   "a path too long was looked up");
	} else {
		FUZZ_CHECK(fake.stats == 1 && !strcmp(fake.path, path),
			   "--netns '%s' looked up '%s'", arg, fake.path);
		/* the inode truncated to 32 bits, as nsfs numbers are */
		check_outcome(ret, why, inum, (__u32)fake.ino, FS_NSFS, false,
			      arg);
	}
	free(path);
}

static void fuzz_cgroup(const char *arg, const char *root, bool known)
{
	const char *why = NULL;
	__u64 id = 0;
	char *path = NULL;
	int ret;

	ret = resolve_cgroup(arg, &id, &why);
	if (!*arg) {
		FUZZ_CHECK(ret == -1 && why && !fake.stats, "empty --cgroup");
		return;
	}
	if (arg[0] == '/') {
		FUZZ_CHECK(!fake.fopens, "absolute --cgroup read mountinfo");
		path = strdup(arg);
	} else {
		FUZZ_CHECK(fake.fopens == 1, "relative --cgroup: %d fopen()s",
			   fake.fopens);
		if (!known) {
			/* raw mountinfo: only the argument's part is known */
			size_t pl = strlen(fake.path), al = strlen(arg);

			FUZZ_CHECK(!fake.stats ||
					   (pl > al &&
					    !strcmp(fake.path + pl - al, arg) &&
					    fake.path[pl - al - 1] == '/'),
				   "'%s' looked up as '%s'", arg, fake.path);
			if (fake.stats)
				check_outcome(ret, why, id, fake.ino,
					      FS_CGROUP2, true, arg);
			else
				FUZZ_CHECK(ret == -1 && why, "no lookup");
			return;
		}
		if (!root) {
			FUZZ_CHECK(ret == -1 && why && !fake.stats,
				   "no cgroup2 mount, but '%s' looked up",
				   fake.path);
			return;
		}
		if (asprintf(&path, "%s/%s", root, arg) < 0)
			abort();
	}
	if (strlen(path) >= PATH_MAX) {
		FUZZ_CHECK(ret == -1 && why && !fake.stats,
			   "a path too long was looked up: '%s'", fake.path);
	} else {
		FUZZ_CHECK(fake.stats == 1 && !strcmp(fake.path, path),
			   "--cgroup '%s' looked up '%s', want '%s'", arg,
			   fake.stats ? fake.path : "(nothing)", path);
		check_outcome(ret, why, id, fake.ino, FS_CGROUP2, true, arg);
	}
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	__u8 mode = fuzz_u8(&in);
	struct buf mi = { 0 };
	size_t alen;
	char *arg, *root = NULL;
	bool structured = mode & 0x40;

	memset(&fake, 0, sizeof(fake));
	fake.st = (mode >> 1 & 3) % 3;
	fake.fs = mode >> 3 & 3;
	fake.ino = fuzz_u64(&in);

	/* the argument: up to 255 bytes, repeated up to MAX_ARG */
	arg = fuzz_str(&in, false);
	alen = strlen(arg) * (1 + fuzz_u8(&in) % 32);
	if (alen > MAX_ARG)
		alen = MAX_ARG;
	if (alen > strlen(arg)) {
		char *big = malloc(alen + 1);
		size_t pl = strlen(arg);

		FUZZ_CHECK(big, "out of memory");
		for (size_t i = 0; i < alen; i++)
			big[i] = arg[i % pl];
		big[alen] = '\0';
		free(arg);
		arg = big;
	}

	if (mode & 1) {
		fuzz_netns(arg);
	} else {
		if (structured) {
			root = make_mountinfo(&in, &mi);
		} else {
			put(&mi, "", 0);
			put(&mi, in.p, in.n);
		}
		if (!(mode & 0x80)) {
			fake.mountinfo = mi.s;
			fake.mountinfo_len = mi.len;
		} else {
			free(root);
			root = NULL;
		}
		if (getenv("FUZZ_DEBUG"))
			fprintf(stderr, "arg '%s'\nroot '%s'\nmountinfo:\n%s\n",
				arg, root ? root : "(none)",
				fake.mountinfo ? fake.mountinfo : "(none)");
		fuzz_cgroup(arg, root, structured || (mode & 0x80));
		if (getenv("FUZZ_DEBUG"))
			fprintf(stderr, "looked up '%s'\n", fake.path);
	}
	free(root);
	free(mi.s);
	free(arg);
	return 0;
}
