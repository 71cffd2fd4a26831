// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel config values the BPF objects read (__kconfig externs),
 * handed to libbpf as text, so that it never fails a load for want of a
 * config file: where none is found the value is 0 and the programs make
 * do without it. And the types the kernel's BTF has, for what a kernel
 * does that no program can test from inside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <bpf/btf.h>
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

int tt_kernel_has(const char *btf_path, const char *name, const char *member)
{
	const struct btf_member *m;
	const struct btf_type *t;
	struct btf *btf;
	int id, found = 0;

	btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	if (id >= 0 && !member)
		found = 1;
	t = id >= 0 && member ? btf__type_by_id(btf, id) : NULL;
	m = t ? btf_members(t) : NULL;
	for (int i = 0; m && i < btf_vlen(t) && !found; i++)
		found = !strcmp(btf__name_by_offset(btf, m[i].name_off),
				member);
	btf__free(btf);
	return found;
}
