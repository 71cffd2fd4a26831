// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "common.h"
#include "filter.h"
#include "tcp_state.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#define PID_MAX_LIMIT 4194304
/* set outside inet_sock_set_state: a filter on them would match nothing */
#define UNREPORTED_STATES                                   \
	((1U << TCP_TIME_WAIT) | (1U << TCP_NEW_SYN_RECV) | \
	 (1U << TCP_BOUND_INACTIVE))

enum {
	OPT_LPORT = 0x100,
	OPT_RPORT,
	OPT_PORT,
	OPT_PID,
	OPT_CGROUP,
	OPT_NETNS,
	OPT_STATE,
};

static const struct argp_option filter_options[] = {
	{ NULL, 0, NULL, 0, "Filters (applied in the kernel):", 10 },
	{ "ipv4", '4', NULL, 0, "IPv4 only", 10 },
	{ "ipv6", '6', NULL, 0, "IPv6 only", 10 },
	{ "lport", OPT_LPORT, "PORTS", 0,
	  "local port in PORTS, e.g. 80,443,8000-8100", 10 },
	{ "rport", OPT_RPORT, "PORTS", 0, "remote port in PORTS", 10 },
	{ "port", OPT_PORT, "PORTS", 0, "local or remote port in PORTS", 10 },
	{ "pid", OPT_PID, "PID", 0,
	  "sockets owned by process PID (see OWNER in --help)", 10 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "sockets created in cgroup v2 PATH or below it", 10 },
	{ "netns", OPT_NETNS, "NS", 0,
	  "network namespace: inode number, 'ip netns' name or a path", 10 },
	{ "state", OPT_STATE, "STATES", 0,
	  "transitions into or out of STATES, e.g. close_wait,last_ack", 10 },
	{},
};

int resolve_netns(const char *arg, __u32 *inum, const char **why)
{
	char path[PATH_MAX];
	const char *why_num;
	struct statfs sfs;
	struct stat st;
	__u64 v;
	int n;

	if (!parse_u64(arg, 1, UINT_MAX, &v, &why_num)) {
		*inum = v;
		return 0;
	}
	if (!*arg) {
		*why = "not an inode number, name or path";
		return -1;
	}
	if (strchr(arg, '/'))
		n = snprintf(path, sizeof(path), "%s", arg);
	else
		n = snprintf(path, sizeof(path), "/run/netns/%s", arg);
	if (n >= (int)sizeof(path) || stat(path, &st)) {
		*why = strchr(arg, '/') ?
			       "no such file" :
			       "no such namespace (see 'ip netns list')";
		return -1;
	}
	if (statfs(path, &sfs) || sfs.f_type != NSFS_MAGIC) {
		*why = "not a network namespace file";
		return -1;
	}
	*inum = st.st_ino;
	return 0;
}

/* does /DIR/NAME/ns/net (or /DIR/NAME itself, for /run/netns) name inum? */
static bool dir_has_netns(const char *dir, const char *leaf, __u32 inum)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];
	struct stat st;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, leaf);
		found = !stat(path, &st) && st.st_ino == inum;
	}
	closedir(d);
	return found;
}

/*
 * A namespace given by inode number exists while a process is in it or a
 * file names it: look in /proc and /run/netns (not everywhere a bind
 * mount could be, which a path argument reaches instead).
 */
static bool netns_exists(__u32 inum)
{
	return dir_has_netns("/run/netns", "", inum) ||
	       dir_has_netns("/proc", "/ns/net", inum);
}

/* the cgroup v2 mount point, from /proc/self/mountinfo */
int cgroup2_root(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char *line = NULL;
	size_t cap = 0, o = 0;
	int ret = -1;

	if (!f)
		return -1;
	/* lines can be longer than any fixed buffer: read each whole */
	while (getline(&line, &cap, f) > 0) {
		const char *p = line, *end;

		if (!strstr(line, " - cgroup2 "))
			continue;
		/* the fifth field, with the kernel's \ooo escapes decoded */
		for (int i = 0; i < 4 && p; i++)
			if ((p = strchr(p, ' ')))
				p++;
		if (!p)
			break;
		end = p + strcspn(p, " \n");
		while (p < end && o + 1 < len) {
			if (*p == '\\' && end - p >= 4 && p[1] >= '0' &&
			    p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
			    p[3] >= '0' && p[3] <= '7') {
				buf[o++] = (p[1] - '0') << 6 |
					   (p[2] - '0') << 3 | (p[3] - '0');
				p += 4;
			} else {
				buf[o++] = *p++;
			}
		}
		if (p == end && o) {
			buf[o] = '\0';
			ret = 0;
		}
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

/* PATH absolute, or relative to the cgroup v2 mount */
int resolve_cgroup(const char *arg, __u64 *id, const char **why)
{
	char path[PATH_MAX], root[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	int n;

	if (!*arg) {
		*why = "empty path";
		return -1;
	}
	if (arg[0] == '/') {
		n = snprintf(path, sizeof(path), "%s", arg);
	} else if (!cgroup2_root(root, sizeof(root))) {
		n = snprintf(path, sizeof(path), "%s/%s", root, arg);
	} else {
		*why = "no cgroup v2 mount to resolve a relative path";
		return -1;
	}
	if (n >= (int)sizeof(path) || stat(path, &st) || statfs(path, &sfs)) {
		*why = "no such cgroup";
		return -1;
	}
	if (sfs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode)) {
		*why = "not a cgroup v2 directory";
		return -1;
	}
	*id = st.st_ino;
	return 0;
}

static bool port_in(const __u64 *bits, __u16 port)
{
	return bits[port >> 6] & (1ULL << (port & 63));
}

bool tt_filter_match(const struct tt_filter *f, __u16 family, __u16 sport,
		     __u16 dport, __u32 netns, __u32 owner_pid)
{
	if (f->family && family != f->family)
		return false;
	if (f->port_on[PORTS_LOCAL] && !port_in(f->ports[PORTS_LOCAL], sport))
		return false;
	if (f->port_on[PORTS_REMOTE] && !port_in(f->ports[PORTS_REMOTE], dport))
		return false;
	if (f->port_on[PORTS_ANY] && !port_in(f->ports[PORTS_ANY], sport) &&
	    !port_in(f->ports[PORTS_ANY], dport))
		return false;
	if (f->netns && netns != f->netns)
		return false;
	if (f->tgid && owner_pid != f->tgid)
		return false;
	return true;
}

static int set_ports(struct tt_filter *f, int which, const char *arg)
{
	static const char *const names[PORTS_MAX] = {
		[PORTS_LOCAL] = "--lport",
		[PORTS_REMOTE] = "--rport",
		[PORTS_ANY] = "--port",
	};
	const char *why;

	if (parse_port_set(arg, f->ports[which], &why))
		return usage_err("invalid %s '%s': %s", names[which], arg, why);
	f->port_on[which] = true;
	return 0;
}

static error_t filter_parse(int key, char *arg, struct argp_state *state)
{
	struct tt_filter *f = state->input;
	const char *why, *bad;
	char path[32];
	__u32 states;
	int bad_len;
	__u64 v;

	switch (key) {
	case '4':
	case '6':
		if (f->family)
			exit(usage_err("-4 and -6 exclude each other"));
		f->family = key == '4' ? AF_INET : AF_INET6;
		break;
	case OPT_LPORT:
	case OPT_RPORT:
	case OPT_PORT:
		if (set_ports(f, key - OPT_LPORT, arg))
			exit(TT_EXIT_USAGE);
		break;
	case OPT_PID:
		if (parse_u64(arg, 1, PID_MAX_LIMIT, &v, &why))
			exit(usage_err("invalid --pid '%s': %s", arg, why));
		snprintf(path, sizeof(path), "/proc/%llu",
			 (unsigned long long)v);
		if (access(path, F_OK))
			exit(usage_err("invalid --pid '%s': no such process",
				       arg));
		f->tgid = v;
		break;
	case OPT_CGROUP:
		if (resolve_cgroup(arg, &f->cgroup, &why))
			exit(usage_err("invalid --cgroup '%s': %s", arg, why));
		break;
	case OPT_NETNS:
		if (resolve_netns(arg, &f->netns, &why))
			exit(usage_err("invalid --netns '%s': %s", arg, why));
		/* a name or a path was there; a number may name nothing */
		if (!parse_u64(arg, 1, UINT_MAX, &v, &why) &&
		    !netns_exists(f->netns))
			exit(usage_err("invalid --netns '%s': no network "
				       "namespace has that inode (no process "
				       "in it, none in /run/netns)",
				       arg));
		break;
	case OPT_STATE:
		if (tcp_state_parse_list(arg, &states, &bad, &bad_len))
			exit(usage_err(
				"invalid --state '%.*s': known states are "
				"established, syn_sent, syn_recv, "
				"fin_wait1, fin_wait2, close, close_wait, "
				"last_ack, listen, closing",
				bad_len, bad));
		if (states & UNREPORTED_STATES)
			exit(usage_err("invalid --state '%s': the kernel does "
				       "not report time_wait, new_syn_recv or "
				       "bound_inactive; "
				       "the time-wait hand-off shows as "
				       "fin_wait2 (or closing) -> close",
				       arg));
		f->states |= states;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp filter_argp = {
	.options = filter_options,
	.parser = filter_parse,
};
