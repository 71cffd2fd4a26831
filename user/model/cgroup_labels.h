/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a socket lives, read from its cgroup v2 path: the container's id
 * and the Kubernetes pod's UID and QoS class, from the names that
 * container runtimes and kubelet give their cgroups. Pure: no file is
 * read here (sys/cgroup_names.h finds the path).
 */
#ifndef __TT_CGROUP_LABELS_H
#define __TT_CGROUP_LABELS_H

#include <stdbool.h>

#define CG_CONTAINER_ID_LEN 64 /* hex digits */
#define CG_POD_UID_MAX 36 /* a UUID with its dashes */

enum cg_qos {
	CG_QOS_NONE, /* not in a Kubernetes pod */
	CG_QOS_GUARANTEED,
	CG_QOS_BURSTABLE,
	CG_QOS_BESTEFFORT,
};

struct cg_labels {
	/* "" where the path names none */
	char container_id[CG_CONTAINER_ID_LEN + 1];
	char pod_uid[CG_POD_UID_MAX + 1];
	enum cg_qos qos; /* set with pod_uid, never without */
};

/*
 * Parse a cgroup path ("/kubepods.slice/...", as in /proc/PID/cgroup).
 * Containers: a scope named cri-containerd-ID, crio-ID, docker-ID or
 * libpod-ID (systemd driver), or a bare ID directly under a pod's cgroup
 * or under /docker (cgroupfs driver); ID is 64 lowercase hex digits, the
 * innermost one wins. Pods: kubepods[-QOS]-pod<UID>.slice, the UID's
 * dashes written as '_' (systemd driver), or kubepods[/QOS]/pod<UID>
 * (cgroupfs driver); a pod directly under kubepods is guaranteed.
 * Returns whether anything was found; *l is filled either way.
 */
bool cg_labels_parse(const char *path, struct cg_labels *l);
/* "guaranteed", "burstable", "besteffort"; NULL for CG_QOS_NONE */
const char *cg_qos_str(enum cg_qos q);

#endif /* __TT_CGROUP_LABELS_H */
