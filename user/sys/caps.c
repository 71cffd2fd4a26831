// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "sys/caps.h"

/* older uapi headers: the numbers are fixed by the kernel's ABI */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

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

int tt_missing_tracer_caps(char *buf, size_t len)
{
	bool bpf = tt_has_cap(CAP_BPF), perfmon = tt_has_cap(CAP_PERFMON);

	if (tt_has_cap(CAP_SYS_ADMIN) || (bpf && perfmon))
		return 0;
	snprintf(buf, len, "%s%s%s", bpf ? "" : "CAP_BPF",
		 !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	return -1;
}
