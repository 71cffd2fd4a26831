// SPDX-License-Identifier: GPL-2.0
/*
 * Socket holders from /proc (user/sys/holders.c), against a fake /proc: the
 * file is compiled into this one with opendir/readdir/closedir,
 * readlink and open/read/close redirected to an in-memory tree built
 * from the input, so nothing real is read. What the parser sees is what
 * the kernel could show, and more: any fd link text (socket:[N] with any
 * number, other link kinds, raw bytes, links longer than its buffer,
 * links that vanish), comm files of any content and length, processes
 * whose fd directory or comm cannot be opened, entries that are not
 * processes.
 *
 * Input: a byte for how many inodes are wanted and their values, then a
 * program of ops that builds the tree (new process, new fd, its link).
 *
 * Checked against a reference walk of the same tree written here: every
 * process holding each wanted inode and each of its fds on it, in
 * directory order, with its comm; the count returned; every directory and
 * file opened is closed again.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz_common.h"
#include "sys/holders.h"

#define MAX_PROCS 12
#define MAX_FDS 12
#define MAX_WANT 16
#define FAKE_FD_BASE 10000

struct ffd {
	char name[256];
	char link[300];
	size_t link_len;
	bool link_gone; /* closed between readdir and readlink */
};

struct fproc {
	char name[32];
	bool no_fd_dir;
	bool no_comm;
	char comm[40];
	size_t comm_len;
	struct ffd fds[MAX_FDS];
	size_t nfds;
};

static struct {
	struct fproc procs[MAX_PROCS];
	size_t nprocs;
	int dirs_open, files_open;
	bool file_open[MAX_PROCS];
} fs;

/* a directory listing: ".", "..", then names */
struct fdir {
	struct fproc *proc; /* NULL: /proc itself */
	size_t pos;
	struct dirent ent;
};

static struct fproc *find_proc(const char *name, size_t len)
{
	for (size_t i = 0; i < fs.nprocs; i++)
		if (strlen(fs.procs[i].name) == len &&
		    !memcmp(fs.procs[i].name, name, len))
			return &fs.procs[i];
	return NULL;
}

/* "/proc/NAME/<what>" -> the process, and what follows NAME */
static struct fproc *path_proc(const char *path, const char **rest)
{
	const char *name, *slash;

	if (strncmp(path, "/proc/", 6))
		return NULL;
	name = path + 6;
	slash = strchr(name, '/');
	if (!slash)
		return NULL;
	*rest = slash;
	return find_proc(name, slash - name);
}

static DIR *fake_opendir(const char *path)
{
	struct fproc *p = NULL;
	struct fdir *d;
	const char *rest;

	if (strcmp(path, "/proc")) {
		p = path_proc(path, &rest);
		if (!p || strcmp(rest, "/fd") || p->no_fd_dir) {
			errno = p ? EACCES : ENOENT;
			return NULL;
		}
	}
	d = calloc(1, sizeof(*d));
	FUZZ_CHECK(d, "out of memory");
	d->proc = p;
	fs.dirs_open++;
	return (DIR *)d;
}

static struct dirent *fake_readdir(DIR *dir)
{
	struct fdir *d = (struct fdir *)dir;
	size_t n = d->proc ? d->proc->nfds : fs.nprocs;
	const char *name;

	if (d->pos >= n + 2)
		return NULL;
	if (d->pos < 2)
		name = d->pos ? ".." : ".";
	else if (d->proc)
		name = d->proc->fds[d->pos - 2].name;
	else
		name = fs.procs[d->pos - 2].name;
	d->pos++;
	memset(&d->ent, 0, sizeof(d->ent));
	snprintf(d->ent.d_name, sizeof(d->ent.d_name), "%s", name);
	return &d->ent;
}

static int fake_closedir(DIR *dir)
{
	fs.dirs_open--;
	free(dir);
	return 0;
}

static ssize_t fake_readlink(const char *path, char *buf, size_t size)
{
	const char *rest;
	struct fproc *p = path_proc(path, &rest);

	if (p && !strncmp(rest, "/fd/", 4)) {
		for (size_t i = 0; i < p->nfds; i++) {
			struct ffd *f = &p->fds[i];
			size_t n = f->link_len < size ? f->link_len : size;

			if (strcmp(f->name, rest + 4))
				continue;
			if (f->link_gone)
				break;
			/* no NUL added, silently truncated: readlink(2) */
			memcpy(buf, f->link, n);
			return n;
		}
	}
	errno = ENOENT;
	return -1;
}

static int fake_open(const char *path, int flags)
{
	const char *rest;
	struct fproc *p = path_proc(path, &rest);
	size_t i;

	FUZZ_CHECK((flags & O_ACCMODE) == O_RDONLY, "open(%s) to write", path);
	if (!p || strcmp(rest, "/comm") || p->no_comm) {
		errno = ENOENT;
		return -1;
	}
	i = p - fs.procs;
	FUZZ_CHECK(!fs.file_open[i], "%s opened twice", path);
	fs.file_open[i] = true;
	fs.files_open++;
	return FAKE_FD_BASE + i;
}

static ssize_t fake_read(int fd, void *buf, size_t n)
{
	struct fproc *p;

	FUZZ_CHECK(fd >= FAKE_FD_BASE && fd < FAKE_FD_BASE + MAX_PROCS &&
			   fs.file_open[fd - FAKE_FD_BASE],
		   "read() of fd %d", fd);
	p = &fs.procs[fd - FAKE_FD_BASE];
	if (n > p->comm_len)
		n = p->comm_len;
	memcpy(buf, p->comm, n);
	return n;
}

static int fake_close(int fd)
{
	FUZZ_CHECK(fd >= FAKE_FD_BASE && fd < FAKE_FD_BASE + MAX_PROCS &&
			   fs.file_open[fd - FAKE_FD_BASE],
		   "close() of fd %d", fd);
	fs.file_open[fd - FAKE_FD_BASE] = false;
	fs.files_open--;
	return 0;
}

#define opendir(p) fake_opendir(p)
#define readdir(d) fake_readdir(d)
#define closedir(d) fake_closedir(d)
#define readlink(p, b, n) fake_readlink(p, b, n)
#define open(p, ...) fake_open(p, __VA_ARGS__)
#define read(f, b, n) fake_read(f, b, n)
#define close(f) fake_close(f)
#include "sys/holders.c"
#undef opendir
#undef readdir
#undef closedir
#undef readlink
#undef open
#undef read
#undef close

/* a name as a directory entry can hold one: no NUL, no '/' */
static void take_name(struct fuzz_in *in, char *dst, size_t cap)
{
	size_t n = fuzz_bytes(in, dst, fuzz_u8(in) % cap);

	for (size_t i = 0; i < n; i++)
		if (!dst[i] || dst[i] == '/')
			dst[i] = '_';
	dst[n] = '\0';
}

static void build_tree(struct fuzz_in *in, const __u64 *want, size_t n)
{
	static const char *const other[] = {
		"pipe:[4026532]",
		"anon_inode:[eventfd]",
		"/dev/null",
		"socket:[]",
		"socket:[ 42]",
		"socket:[-1]",
		"socket:[18446744073709551616]",
	};
	struct fproc *p = NULL;
	struct ffd *f = NULL;

	while (in->n) {
		__u8 op = fuzz_u8(in);

		switch (op % 6) {
		case 0: /* a process, or another /proc entry */
			if (fs.nprocs == MAX_PROCS)
				return;
			p = &fs.procs[fs.nprocs];
			memset(p, 0, sizeof(*p));
			/*
			 * /proc holds PIDs (never 0) and names that do not
			 * start with a digit (self, net, sys, ...)
			 */
			if (op & 0x80) {
				take_name(in, p->name, 8);
				if (isdigit((unsigned char)p->name[0]))
					p->name[0] = 'x';
			} else
				snprintf(p->name, sizeof(p->name), "%u",
					 1 + fuzz_u32(in) % 4194304);
			if (!p->name[0] || find_proc(p->name, strlen(p->name)))
				break; /* names are unique */
			fs.nprocs++;
			p->no_fd_dir = op & 0x40;
			p->no_comm = op & 0x20;
			p->comm_len = fuzz_bytes(in, p->comm,
						 fuzz_u8(in) % sizeof(p->comm));
			f = NULL;
			break;
		case 1: /* an fd: a number, or any name */
			if (!p || p->nfds == MAX_FDS)
				break;
			f = &p->fds[p->nfds];
			memset(f, 0, sizeof(*f));
			if (op & 0x80)
				take_name(in, f->name, sizeof(f->name));
			else
				snprintf(f->name, sizeof(f->name), "%u",
					 fuzz_u16(in));
			for (size_t i = 0; i < p->nfds && f; i++)
				if (!strcmp(p->fds[i].name, f->name))
					f = NULL; /* names are unique */
			if (f && f->name[0])
				p->nfds++;
			else
				f = NULL;
			break;
		case 2: /* socket:[N] for a wanted or any inode */
			if (!f)
				break;
			f->link_len = snprintf(
				f->link, sizeof(f->link), "socket:[%llu]",
				(unsigned long long)(n && !(op & 0x80) ?
							     want[fuzz_u8(in) %
								  n] :
							     fuzz_u64(in)));
			break;
		case 3: /* any bytes, up to past the parser's buffer */
			if (f)
				f->link_len = fuzz_bytes(in, f->link,
							 fuzz_u8(in) % 200);
			break;
		case 4: /* other kinds of link, odd numbers */
			if (f)
				f->link_len = snprintf(
					f->link, sizeof(f->link), "%s",
					other[fuzz_u8(in) % (sizeof(other) /
							     sizeof(*other))]);
			break;
		default:
			if (f)
				f->link_gone = true;
			break;
		}
	}
}

/* the holders as holders_find() must report them, walked here */
struct ref_holders {
	size_t n;
	struct holder v[MAX_PROCS * MAX_FDS];
};

static size_t reference(const __u64 *want, size_t n, struct ref_holders *ref)
{
	size_t found = 0;

	for (size_t w = 0; w < n; w++)
		ref[w].n = 0;
	for (size_t i = 0; i < fs.nprocs; i++) {
		struct fproc *p = &fs.procs[i];

		if (!isdigit((unsigned char)p->name[0]) || p->no_fd_dir)
			continue;
		for (size_t k = 0; k < p->nfds; k++) {
			struct ffd *f = &p->fds[k];
			char link[64], *end;
			size_t len = f->link_len < 63 ? f->link_len : 63;
			unsigned long long ino;
			struct holder *h;
			size_t w;

			if (!isdigit((unsigned char)f->name[0]) ||
			    f->link_gone || !len)
				continue;
			memcpy(link, f->link, len);
			link[len] = '\0';
			if (strncmp(link, "socket:[", 8))
				continue;
			/* %llu: what strtoull takes, at least one digit */
			ino = strtoull(link + 8, &end, 10);
			if (end == link + 8)
				continue;
			for (w = 0; w < n && want[w] != ino; w++)
				;
			if (w == n)
				continue;
			found += !ref[w].n;
			h = &ref[w].v[ref[w].n++];
			memset(h, 0, sizeof(*h));
			h->pid = strtoul(p->name, NULL, 10);
			h->fd = atoi(f->name);
			if (!p->no_comm) {
				size_t c = p->comm_len < TT_COMM_LEN - 1 ?
						   p->comm_len :
						   TT_COMM_LEN - 1;

				memcpy(h->comm, p->comm, c);
				if (c && h->comm[c - 1] == '\n')
					h->comm[c - 1] = '\0';
			}
		}
	}
	return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ref_holders ref[MAX_WANT];
	struct fuzz_in in = { data, size };
	struct holders got[MAX_WANT];
	__u64 want[MAX_WANT];
	size_t n = fuzz_u8(&in) % MAX_WANT, rfound;
	long found;

	/* sorted, distinct */
	for (size_t i = 0; i < n; i++)
		want[i] = (i ? want[i - 1] : 0) + 1 +
			  (i ? fuzz_u8(&in) : fuzz_u32(&in));
	memset(&fs, 0, sizeof(fs));
	build_tree(&in, want, n);
	memset(got, 0xa5, sizeof(got));

	found = holders_find(want, n, got);
	rfound = reference(want, n, ref);
	FUZZ_CHECK(!fs.dirs_open && !fs.files_open,
		   "%d directories, %d files left open", fs.dirs_open,
		   fs.files_open);
	FUZZ_CHECK(found == (long)rfound, "found %ld, want %zu", found, rfound);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(got[i].ino == want[i] && got[i].n == ref[i].n,
			   "inode %llu: %u holders, want %zu",
			   (unsigned long long)want[i], got[i].n, ref[i].n);
		FUZZ_CHECK(got[i].n || !got[i].v,
			   "inode %llu: none, but a list",
			   (unsigned long long)want[i]);
		for (size_t k = 0; k < ref[i].n; k++) {
			const struct holder *g = &got[i].v[k],
					    *r = &ref[i].v[k];

			FUZZ_CHECK(g->pid == r->pid && g->fd == r->fd &&
					   !memcmp(g->comm, r->comm,
						   TT_COMM_LEN),
				   "inode %llu holder %zu: %u fd %d '%.16s', "
				   "want %u fd %d '%.16s'",
				   (unsigned long long)want[i], k, g->pid,
				   g->fd, g->comm, r->pid, r->fd, r->comm);
		}
	}
	holders_free(got, n);
	return 0;
}
