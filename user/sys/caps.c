// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sys/caps.h"

bool tt_has_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3 ||
	    syscall(SYS_capget, &h, d))
		return false;
	return d[cap / 32].effective & (1U << (cap % 32));
}

int tt_caps_keep_only(const int *keep, int n)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};
	__u32 want[_LINUX_CAPABILITY_U32S_3] = {};
	int last = 0;
	FILE *f;

	for (int i = 0; i < n; i++)
		if (keep[i] >= 0 && keep[i] < 32 * _LINUX_CAPABILITY_U32S_3)
			want[keep[i] / 32] |= 1U << (keep[i] % 32);
	f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (!f || fscanf(f, "%d", &last) != 1)
		last = CAP_BPF;
	if (f)
		fclose(f);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		return -errno;
	/* the bounding set needs CAP_SETPCAP, still held here if at all */
	for (int cap = 0; cap <= last; cap++)
		if (!(want[cap / 32] & (1U << (cap % 32))) &&
		    prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EPERM)
			return -errno;
	if (syscall(SYS_capget, &h, d))
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		d[i].permitted &= want[i];
		d[i].effective &= want[i];
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d))
		return -errno;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}

bool tt_seccomp_filtered(void)
{
	char line[128];
	bool on = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8)) {
			on = atoi(line + 8) == 2; /* SECCOMP_MODE_FILTER */
			break;
		}
	fclose(f);
	return on;
}

int tt_missing_tracer_caps(char *buf, size_t len)
{
	bool bpf = tt_has_cap(CAP_BPF), perfmon = tt_has_cap(CAP_PERFMON);

	if (tt_has_cap(CAP_SYS_ADMIN) || (bpf && perfmon))
		return 0;
	snprintf(buf, len, "%s%s%s", bpf ? "" : "CAP_BPF",
		 !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	return -1;
}

int tt_missing_holder_caps(char *buf, size_t len)
{
	bool ptrace = tt_has_cap(CAP_SYS_PTRACE),
	     dac = tt_has_cap(CAP_DAC_READ_SEARCH) ||
		   tt_has_cap(CAP_DAC_OVERRIDE);

	if (ptrace && dac)
		return 0;
	snprintf(buf, len, "%s%s%s", ptrace ? "" : "CAP_SYS_PTRACE",
		 !ptrace && !dac ? " and " : "",
		 dac ? "" : "CAP_DAC_READ_SEARCH");
	return -1;
}

int tt_become_user(const char *name, uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};

	if (name ? initgroups(name, gid) : setgroups(0, NULL))
		return -errno;
	/* permitted survives setuid() with keepcaps; effective does not */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	if (syscall(SYS_capget, &h, d))
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		d[i].effective = d[i].permitted;
	if (syscall(SYS_capset, &h, d))
		return -errno;
	return prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) ? -errno : 0;
}
