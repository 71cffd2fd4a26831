// SPDX-License-Identifier: GPL-2.0
/*
 * Container and pod labels from cgroup paths (user/model/cgroup_labels.c),
 * on paths as kubelet, containerd, CRI-O, docker and podman name them.
 */
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "model/cgroup_labels.h"

#define ID1 "3f4c9a1e0b7d2c6e8a5f1b9d0c3e7a2f4b6d8e0a1c3f5b7d9e2a4c6e8f0b1d3a"
#define ID2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID1 "8a3b1f2e-5c6d-4e7f-9a0b-1c2d3e4f5a6b"
#define UID1_ "8a3b1f2e_5c6d_4e7f_9a0b_1c2d3e4f5a6b"
/* a static pod's UID: the hash of its manifest, no dashes */
#define STATIC_UID "5d4a4a7c0e2f1b3c8d9e6f7a0b1c2d3e"

struct example {
	const char *path;
	const char *container_id;
	const char *pod_uid;
	enum cg_qos qos;
};

static const struct example examples[] = {
	/* kubelet, systemd driver, containerd */
	{ "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" UID1_ ".slice/cri-containerd-" ID1 ".scope",
	  ID1, UID1, CG_QOS_BURSTABLE },
	{ "/kubepods.slice/kubepods-besteffort.slice/"
	  "kubepods-besteffort-pod" UID1_ ".slice/cri-containerd-" ID1 ".scope",
	  ID1, UID1, CG_QOS_BESTEFFORT },
	/* guaranteed: the pod slice directly under kubepods.slice */
	{ "/kubepods.slice/kubepods-pod" UID1_ ".slice/cri-containerd-" ID1
	  ".scope",
	  ID1, UID1, CG_QOS_GUARANTEED },
	/* CRI-O, and its container's own sub-cgroup */
	{ "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" UID1_ ".slice/crio-" ID2 ".scope",
	  ID2, UID1, CG_QOS_BURSTABLE },
	{ "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" UID1_ ".slice/crio-" ID2 ".scope/container",
	  ID2, UID1, CG_QOS_BURSTABLE },
	/* conmon is not the container */
	{ "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" UID1_ ".slice/crio-conmon-" ID2 ".scope",
	  "", UID1, CG_QOS_BURSTABLE },
	/* the pod's own cgroup: a pod, no container */
	{ "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" UID1_ ".slice",
	  "", UID1, CG_QOS_BURSTABLE },
	/* a static pod */
	{ "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod" STATIC_UID ".slice/cri-containerd-" ID1
	  ".scope",
	  ID1, STATIC_UID, CG_QOS_BURSTABLE },
	/* kind: kubelet's --cgroup-root=/kubelet */
	{ "/kubelet.slice/kubelet-kubepods.slice/"
	  "kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" UID1_ ".slice/cri-containerd-" ID1
	  ".scope",
	  ID1, UID1, CG_QOS_BESTEFFORT },
	/* kubelet, cgroupfs driver */
	{ "/kubepods/besteffort/pod" UID1 "/" ID1, ID1, UID1,
	  CG_QOS_BESTEFFORT },
	{ "/kubepods/burstable/pod" UID1 "/" ID2, ID2, UID1, CG_QOS_BURSTABLE },
	{ "/kubepods/pod" UID1 "/" ID1, ID1, UID1, CG_QOS_GUARANTEED },
	{ "/kubepods/burstable/pod" UID1, "", UID1, CG_QOS_BURSTABLE },
	/* docker: systemd driver, cgroupfs driver */
	{ "/system.slice/docker-" ID1 ".scope", ID1, "", CG_QOS_NONE },
	{ "/docker/" ID2, ID2, "", CG_QOS_NONE },
	/* kubelet over docker (dockershim, cri-dockerd) */
	{ "/kubepods.slice/kubepods-besteffort.slice/"
	  "kubepods-besteffort-pod" UID1_ ".slice/docker-" ID2 ".scope",
	  ID2, UID1, CG_QOS_BESTEFFORT },
	/* podman: rootful, rootless */
	{ "/machine.slice/libpod-" ID1 ".scope", ID1, "", CG_QOS_NONE },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID2
	  ".scope",
	  ID2, "", CG_QOS_NONE },
	/* nested: the innermost container wins */
	{ "/system.slice/docker-" ID1 ".scope/docker/" ID2, ID2, "",
	  CG_QOS_NONE },
	/* a path with a trailing slash, or none at the front */
	{ "/system.slice/docker-" ID1 ".scope/", ID1, "", CG_QOS_NONE },
	{ "kubepods/burstable/pod" UID1 "/" ID1, ID1, UID1, CG_QOS_BURSTABLE },
};

/* names that look close, and are not containers or pods */
static const char *const nothing[] = {
	"/",
	"",
	"/init.scope",
	"/system.slice/sshd.service",
	"/user.slice/user-0.slice/session-3.scope",
	"/system.slice/containerd.service",
	/* podman's conmon is not the container */
	"/machine.slice/libpod-conmon-" ID1 ".scope",
	"/kubepods.slice",
	"/kubepods.slice/kubepods-burstable.slice",
	/* a container id one digit short, one too long, upper case */
	"/system.slice/docker-" ID1 "0.scope",
	"/system.slice/docker-3f4c9a1e0b7d2c6e8a5f1b9d0c3e7a2f4b6d8e0a1c3f5b7d"
	"9e2a4c6e8f0b1d3.scope",
	"/system.slice/docker-3F4C9A1E0B7D2C6E8A5F1B9D0C3E7A2F4B6D8E0A1C3F5B7D"
	"9E2A4C6E8F0B1D3A.scope",
	/* a scope with an unknown runtime's prefix */
	"/system.slice/runc-" ID1 ".scope",
	/* a bare id outside a pod or /docker */
	"/system.slice/" ID1,
	"/kubepods/" ID1,
	/* pod-like names in the wrong place, or with a bad UID */
	"/system.slice/pod" UID1,
	"/burstable/pod" UID1,
	"/kubepods/burstable/pod" UID1 "x",
	"/kubepods/burstable/pod1234",
	"/kubepods.slice/kubepods-burstable.slice/"
	"kubepods-burstable-pod" UID1_ "_aaaa.slice",
	"/kubepods.slice/xkubepods-pod" UID1_ ".slice",
	"/kubepods.slice/kubepods-wobbly-pod" UID1_ ".slice",
	"/kubepods.slice/kubepods-pod" UID1_ ".scope",
};

static void test_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(examples); i++) {
		const struct example *e = &examples[i];
		struct cg_labels l;

		if (!cg_labels_parse(e->path, &l))
			fail_msg("found nothing in %s", e->path);
		assert_string_equal(l.container_id, e->container_id);
		assert_string_equal(l.pod_uid, e->pod_uid);
		assert_int_equal(l.qos, e->qos);
	}
}

static void test_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(nothing); i++) {
		struct cg_labels l;

		memset(&l, 'x', sizeof(l));
		if (cg_labels_parse(nothing[i], &l))
			fail_msg("found something in %s", nothing[i]);
		assert_string_equal(l.container_id, "");
		assert_string_equal(l.pod_uid, "");
		assert_int_equal(l.qos, CG_QOS_NONE);
	}
}

static void test_qos_str(void **state)
{
	(void)state;
	assert_null(cg_qos_str(CG_QOS_NONE));
	assert_string_equal(cg_qos_str(CG_QOS_GUARANTEED), "guaranteed");
	assert_string_equal(cg_qos_str(CG_QOS_BURSTABLE), "burstable");
	assert_string_equal(cg_qos_str(CG_QOS_BESTEFFORT), "besteffort");
	assert_null(cg_qos_str((enum cg_qos)99));
}

UNIT_GROUP(cgroup_labels)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_qos_str),
	};

	return cmocka_run_group_tests_name("cgroup_labels", tests, NULL, NULL);
}
