/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A report file that appears whole or not at all: written to a temporary
 * file beside it, synced, then renamed over the path.
 */
#ifndef __TT_REPORT_FILE_H
#define __TT_REPORT_FILE_H

#include <limits.h>
#include <stddef.h>

struct report_file {
	const char *path;
	char tmp[PATH_MAX];
	int fd; /* -1: none */
};

/* create the temporary file now, so a bad path fails early: 0 or -errno */
int report_file_open(struct report_file *f, const char *path);
/* write, sync, rename: 0 or -errno; the temporary file is gone either way */
int report_file_commit(struct report_file *f, const void *buf, size_t len);
/* remove the temporary file, if any */
void report_file_abort(struct report_file *f);

#endif /* __TT_REPORT_FILE_H */
