// SPDX-License-Identifier: GPL-2.0
/* The TCPTRAIL_REFUSE test hook: see tt_refused() in kernel/loader.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/loader.h"

int tt_refused(const char *kind)
{
	const char *list = getenv("TCPTRAIL_REFUSE");
	size_t n = strlen(kind);

	for (const char *p = list; p && *p; p += strcspn(p, ",")) {
		p += *p == ',';
		if (!strncmp(p, kind, n) && (p[n] == ',' || !p[n]))
			return -EPERM;
	}
	return 0;
}
