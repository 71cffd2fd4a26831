/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel config values for the BPF objects' __kconfig externs. */
#ifndef __TT_KCONFIG_H
#define __TT_KCONFIG_H

/*
 * "CONFIG_HZ=250\n", from /proc/config.gz or /boot/config-RELEASE, or
 * "CONFIG_HZ=0\n" where neither says: for bpf_object_open_opts.kconfig.
 */
const char *tt_kconfig(void);

#endif /* __TT_KCONFIG_H */
