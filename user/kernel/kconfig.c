// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel config values the BPF objects read (__kconfig externs),
 * handed to libbpf as text, so that it never fails a load for want of a
 * config file: where none is found the value is 0 and the programs make
 * do without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include "kernel/kconfig.h"

static unsigned int hz_from(const char *path)
{
	gzFile f = gzopen(path, "r"); /* reads plain text too */
	unsigned int hz = 0;
	char line[256];

	if (!f)
		return 0;
	while (gzgets(f, line, sizeof(line)))
		if (sscanf(line, "CONFIG_HZ=%u", &hz) == 1)
			break;
	gzclose(f);
	return hz;
}

const char *tt_kconfig(void)
{
	static char text[64];
	char path[128];
	struct utsname u;
	unsigned int hz;

	if (text[0])
		return text;
	hz = hz_from("/proc/config.gz");
	if (!hz && !uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		hz = hz_from(path);
	}
	snprintf(text, sizeof(text), "CONFIG_HZ=%u\n", hz);
	return text;
}
