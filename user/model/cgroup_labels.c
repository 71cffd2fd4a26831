// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "model/cgroup_labels.h"

/* a part of the path between slashes */
struct comp {
	const char *s;
	size_t n;
};

static bool comp_is(struct comp c, const char *word)
{
	return c.n == strlen(word) && !memcmp(c.s, word, c.n);
}

static bool ends_with(struct comp c, const char *suffix)
{
	size_t k = strlen(suffix);

	return c.n >= k && !memcmp(c.s + c.n - k, suffix, k);
}

static bool is_hex_id(const char *s, size_t n)
{
	if (n != CG_CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * A pod UID: a UUID (36), or a static pod's config hash (32 hex digits);
 * in systemd unit names its dashes are '_'. Written to out with dashes.
 */
static bool take_uid(const char *s, size_t n, char *out)
{
	if (n < 32 || n > CG_POD_UID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] == '_' ? '-' : s[i];
	out[n] = '\0';
	return true;
}

/* cri-containerd-ID.scope and its kin */
static bool scope_container(struct comp c, char *id)
{
	static const char *const prefix[] = { "cri-containerd-", "crio-",
					      "docker-", "libpod-" };

	if (!ends_with(c, ".scope"))
		return false;
	c.n -= strlen(".scope");
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
		size_t k = strlen(prefix[i]);

		if (c.n > k && !memcmp(c.s, prefix[i], k) &&
		    is_hex_id(c.s + k, c.n - k)) {
			memcpy(id, c.s + k, CG_CONTAINER_ID_LEN);
			id[CG_CONTAINER_ID_LEN] = '\0';
			return true;
		}
	}
	return false;
}

/*
 * kubepods-pod<UID>.slice, kubepods-burstable-pod<UID>.slice, ...; the
 * kubepods may have a prefix of its own (kubelet's --cgroup-root, as kind
 * sets it: kubelet-kubepods-...).
 */
static bool slice_pod(struct comp c, struct cg_labels *l)
{
	static const struct {
		const char *tail;
		enum cg_qos qos;
	} qos[] = {
		{ "kubepods", CG_QOS_GUARANTEED },
		{ "kubepods-burstable", CG_QOS_BURSTABLE },
		{ "kubepods-besteffort", CG_QOS_BESTEFFORT },
	};
	const char *pod = NULL;

	if (!ends_with(c, ".slice"))
		return false;
	c.n -= strlen(".slice");
	for (size_t i = 0; i + 4 <= c.n; i++)
		if (!memcmp(c.s + i, "-pod", 4))
			pod = c.s + i;
	if (!pod)
		return false;
	for (size_t i = 0; i < sizeof(qos) / sizeof(qos[0]); i++) {
		struct comp head = { c.s, pod - c.s };
		size_t k = strlen(qos[i].tail);

		if (!ends_with(head, qos[i].tail) ||
		    (head.n > k && head.s[head.n - k - 1] != '-'))
			continue;
		if (!take_uid(pod + 4, c.s + c.n - pod - 4, l->pod_uid))
			return false;
		l->qos = qos[i].qos;
		return true;
	}
	return false;
}

/* kubepods/pod<UID>, kubepods/burstable/pod<UID>, ... */
static bool dir_pod(struct comp c, struct comp up, struct comp up2,
		    struct cg_labels *l)
{
	enum cg_qos q;

	if (c.n < 3 || memcmp(c.s, "pod", 3))
		return false;
	if (comp_is(up, "kubepods"))
		q = CG_QOS_GUARANTEED;
	else if (comp_is(up, "burstable") && comp_is(up2, "kubepods"))
		q = CG_QOS_BURSTABLE;
	else if (comp_is(up, "besteffort") && comp_is(up2, "kubepods"))
		q = CG_QOS_BESTEFFORT;
	else
		return false;
	if (!take_uid(c.s + 3, c.n - 3, l->pod_uid))
		return false;
	l->qos = q;
	return true;
}

bool cg_labels_parse(const char *path, struct cg_labels *l)
{
	struct comp up = { "", 0 }, up2 = { "", 0 };
	bool up_is_pod = false;
	const char *p = path;

	memset(l, 0, sizeof(*l));
	while (p && *p) {
		const char *slash = strchr(p, '/');
		struct comp c = { p, slash ? (size_t)(slash - p) : strlen(p) };
		bool is_pod = false;

		p = slash ? slash + 1 : NULL;
		if (!c.n)
			continue;
		if (scope_container(c, l->container_id)) {
			;
		} else if ((up_is_pod || comp_is(up, "docker")) &&
			   is_hex_id(c.s, c.n)) {
			memcpy(l->container_id, c.s, c.n);
			l->container_id[c.n] = '\0';
		} else {
			is_pod = slice_pod(c, l) || dir_pod(c, up, up2, l);
		}
		up2 = up;
		up = c;
		up_is_pod = is_pod;
	}
	return l->container_id[0] || l->pod_uid[0];
}

const char *cg_qos_str(enum cg_qos q)
{
	switch (q) {
	case CG_QOS_GUARANTEED:
		return "guaranteed";
	case CG_QOS_BURSTABLE:
		return "burstable";
	case CG_QOS_BESTEFFORT:
		return "besteffort";
	default:
		return NULL;
	}
}
