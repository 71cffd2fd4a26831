// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/report_file.h"

int report_file_open(struct report_file *f, const char *path)
{
	mode_t mask;

	f->path = path;
	f->fd = -1;
	if (snprintf(f->tmp, sizeof(f->tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(f->tmp))
		return -ENAMETOOLONG;
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	/* mkstemp makes it 0600: a report is as readable as any new file */
	mask = umask(0);
	umask(mask);
	fchmod(f->fd, 0666 & ~mask);
	return 0;
}

int report_file_commit(struct report_file *f, const void *buf, size_t len)
{
	const char *p = buf;
	int err = 0;

	if (f->fd < 0)
		return -EBADF;
	while (len && !err) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
		} else {
			p += n;
			len -= n;
		}
	}
	if (!err && fsync(f->fd))
		err = -errno;
	if (close(f->fd) && !err)
		err = -errno;
	f->fd = -1;
	if (!err && rename(f->tmp, f->path))
		err = -errno;
	if (err)
		unlink(f->tmp);
	return err;
}

void report_file_abort(struct report_file *f)
{
	if (f->fd < 0)
		return;
	close(f->fd);
	unlink(f->tmp);
	f->fd = -1;
}
