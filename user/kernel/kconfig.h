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

/*
 * Whether the kernel's BTF (btf_path's, if set) has struct 'name' (and
 * its 'member', if set): 1 yes, 0 no, -1 no BTF to tell.
 */
int tt_kernel_has(const char *btf_path, const char *name, const char *member);

#endif /* __TT_KCONFIG_H */
