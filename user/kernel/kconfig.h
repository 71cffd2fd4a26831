/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel is: config values for the BPF objects' __kconfig externs,
 * and the types its BTF has.
 */
#ifndef __TT_KCONFIG_H
#define __TT_KCONFIG_H

/*
 * "CONFIG_HZ=250\n", from /proc/config.gz or /boot/config-RELEASE, or
 * "CONFIG_HZ=0\n" where neither says: for bpf_object_open_opts.kconfig.
 */
const char *tt_kconfig(void);

struct tt_btf_query {
	const char *name; /* a struct */
	const char *member; /* one of its members, or NULL for the struct */
	int found; /* out: 1 yes, 0 no, -1 no BTF to tell */
};

/*
 * Answers the queries from the kernel's BTF (btf_path's, if set), loaded
 * once for all of them (it takes tens of ms): 0, or -1 with no BTF.
 */
int tt_kernel_has(const char *btf_path, struct tt_btf_query *q, int n);

#endif /* __TT_KCONFIG_H */
