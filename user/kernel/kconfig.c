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

static int btf_has(const struct btf *btf, const struct tt_btf_query *q)
{
	int id = btf__find_by_name_kind(btf, q->name, BTF_KIND_STRUCT);
	const struct btf_member *m;
	const struct btf_type *t;

	if (id < 0)
		return 0;
	if (!q->member)
		return 1;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, m[i].name_off), q->member))
			return 1;
	return 0;
}

int tt_kernel_has(const char *btf_path, struct tt_btf_query *q, int n)
{
	struct btf *btf;

	btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	for (int i = 0; i < n; i++)
		q[i].found = btf ? btf_has(btf, &q[i]) : -1;
	if (!btf)
		return -1;
	btf__free(btf);
	return 0;
}
