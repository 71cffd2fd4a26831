// SPDX-License-Identifier: GPL-2.0
/*
 * hold: open N loopback TCP connections and keep them open, the load for
 * bench/scale.sh.
 *
 * Both ends are local, so N connections are 2N sockets: N clients and the N
 * sockets accepted for them. Clients bind to one of SRCS source addresses
 * (127.1.0.1 and up) with IP_BIND_ADDRESS_NO_PORT and connect to one of
 * PORTS listeners on 127.0.0.1, so every (source, listener) pair needs only
 * N / (SRCS * PORTS) ephemeral ports.
 *
 * RLIMIT_NOFILE is per process, and raising its hard limit takes
 * CAP_SYS_RESOURCE, which a container may not grant: hold raises the soft
 * limit to the hard one and forks as many workers as it takes, each with
 * its own listeners and its share of the connections.
 *
 * Once all are ESTABLISHED, hold prints "ready N SECONDS" and reads commands,
 * one per line, from stdin:
 *   half   shutdown(SHUT_WR) every client: every accepted socket goes to
 *          CLOSE_WAIT (the clients to FIN_WAIT2, not orphaned); prints
 *          "half M" once M accepted sockets are seen in CLOSE_WAIT
 *   quit   (or EOF) close everything with SO_LINGER {1, 0}: an RST, so
 *          nothing is left in TIME_WAIT; prints "done" and exits
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAX_CONNS 4000000
#define MAX_PORTS 256
#define MAX_SRCS 65535
#define MAX_WORKERS 1024
#define SRC_BASE 0x7f010001 /* 127.1.0.1 */
#define FD_SLACK 64
#define HALF_TIMEOUT_S 30

#define warn(...) fprintf(stderr, "hold: " __VA_ARGS__)

static unsigned int n_conns = 1000;
static unsigned int n_ports = 4;
static unsigned int n_srcs = 32;

/* one worker's share */
struct worker {
	unsigned int first; /* global index of its first connection */
	unsigned int count;
	int *cli;
	int *srv;
	int lfd[MAX_PORTS];
	struct sockaddr_in laddr[MAX_PORTS];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool parse_uint(const char *s, unsigned int min, unsigned int max,
		       unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_args(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, ":n:p:s:h")) != -1) {
		switch (c) {
		case 'n':
			if (!parse_uint(optarg, 1, MAX_CONNS, &n_conns)) {
				warn("invalid -n '%s' (1-%d)\n", optarg,
				     MAX_CONNS);
				return -1;
			}
			break;
		case 'p':
			if (!parse_uint(optarg, 1, MAX_PORTS, &n_ports)) {
				warn("invalid -p '%s' (1-%d)\n", optarg,
				     MAX_PORTS);
				return -1;
			}
			break;
		case 's':
			if (!parse_uint(optarg, 1, MAX_SRCS, &n_srcs)) {
				warn("invalid -s '%s' (1-%d)\n", optarg,
				     MAX_SRCS);
				return -1;
			}
			break;
		case 'h':
			printf("usage: %s [-n CONNS] [-p PORTS] [-s SRCS]\n",
			       argv[0]);
			exit(0);
		case ':':
			warn("option '-%c' needs an argument\n", optopt);
			return -1;
		default:
			warn("unknown option '-%c'\n", optopt);
			return -1;
		}
	}
	if (optind < argc) {
		warn("unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* Raise the soft limit as far as the hard one; return connections/worker. */
static unsigned int conns_per_worker(void)
{
	struct rlimit rl;
	rlim_t fds;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	fds = rl.rlim_cur;
	if (fds == RLIM_INFINITY || fds > 2 * (rlim_t)MAX_CONNS + 1024)
		fds = 2 * (rlim_t)MAX_CONNS + 1024;
	if (fds < 2 + n_ports + FD_SLACK)
		return 0;
	return (fds - n_ports - FD_SLACK) / 2;
}

static int setup_listeners(struct worker *w)
{
	socklen_t len;
	unsigned int i;

	for (i = 0; i < n_ports; i++) {
		w->lfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (w->lfd[i] < 0)
			goto err;
		w->laddr[i].sin_family = AF_INET;
		w->laddr[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		w->laddr[i].sin_port = 0;
		if (bind(w->lfd[i], (struct sockaddr *)&w->laddr[i],
			 sizeof(w->laddr[i])))
			goto err;
		if (listen(w->lfd[i], 4096))
			goto err;
		len = sizeof(w->laddr[i]);
		if (getsockname(w->lfd[i], (struct sockaddr *)&w->laddr[i],
				&len))
			goto err;
	}
	return 0;
err:
	warn("listener %u: %s\n", i, strerror(errno));
	return -1;
}

/*
 * Connection i of the worker (global index g): client from source g % SRCS
 * to listener (g / SRCS) % PORTS.
 */
static int open_one(struct worker *w, unsigned int i)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	unsigned int g = w->first + i;
	unsigned int port = (g / n_srcs) % n_ports;
	int one = 1;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		warn("socket: %s\n", strerror(errno));
		return -1;
	}
	w->cli[i] = fd;
	src.sin_addr.s_addr = htonl(SRC_BASE + g % n_srcs);
	if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		       sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src))) {
		warn("bind: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&w->laddr[port],
		    sizeof(w->laddr[port]))) {
		warn("connect %u: %s\n", g, strerror(errno));
		return -1;
	}
	/* the queue holds just this one: accept it now */
	w->srv[i] = accept4(w->lfd[port], NULL, NULL, SOCK_CLOEXEC);
	if (w->srv[i] < 0) {
		warn("accept %u: %s\n", g, strerror(errno));
		return -1;
	}
	return 0;
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_state;
}

/* Returns how many accepted sockets reached CLOSE_WAIT. */
static unsigned int half_close(struct worker *w)
{
	double end = now_s() + HALF_TIMEOUT_S;
	unsigned int i, n = 0;

	for (i = 0; i < w->count; i++)
		if (shutdown(w->cli[i], SHUT_WR))
			warn("shutdown: %s\n", strerror(errno));
	/* the FIN crosses loopback in softirq: wait until all have it */
	for (i = 0; i < w->count; i++) {
		while (tcp_state(w->srv[i]) != 8 /* TCP_CLOSE_WAIT */) {
			if (now_s() > end)
				return n;
			usleep(1000);
		}
		n++;
	}
	return n;
}

static void reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void close_all(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < w->count; i++) {
		reset_close(w->cli[i]);
		reset_close(w->srv[i]);
	}
	for (i = 0; i < n_ports; i++)
		if (w->lfd[i] >= 0)
			close(w->lfd[i]);
}

/*
 * A worker: open its share, say "ready" on out, then answer the parent's
 * commands from in (the same words as on hold's stdin) until EOF.
 */
static int worker_main(struct worker *w, FILE *in, FILE *out)
{
	char line[64];
	unsigned int i;

	w->cli = malloc(w->count * sizeof(*w->cli));
	w->srv = malloc(w->count * sizeof(*w->srv));
	if (!w->cli || !w->srv) {
		warn("out of memory\n");
		return 1;
	}
	memset(w->cli, 0xff, w->count * sizeof(*w->cli));
	memset(w->srv, 0xff, w->count * sizeof(*w->srv));
	memset(w->lfd, 0xff, sizeof(w->lfd));
	if (setup_listeners(w))
		goto fail;
	for (i = 0; i < w->count; i++)
		if (open_one(w, i))
			goto fail;
	fprintf(out, "ready\n");
	fflush(out);
	while (fgets(line, sizeof(line), in)) {
		if (!strcmp(line, "half\n")) {
			fprintf(out, "%u\n", half_close(w));
			fflush(out);
		} else {
			break;
		}
	}
	close_all(w);
	return 0;
fail:
	close_all(w);
	fprintf(out, "fail\n");
	fflush(out);
	return 1;
}

struct child {
	pid_t pid;
	FILE *cmd; /* parent -> worker */
	FILE *reply; /* worker -> parent */
};

static struct child kids[MAX_WORKERS];
static unsigned int n_kids;

static int spawn(unsigned int first, unsigned int count)
{
	struct worker *w;
	int down[2], up[2], rc;
	struct child *k = &kids[n_kids];

	if (pipe2(down, O_CLOEXEC) || pipe2(up, O_CLOEXEC)) {
		warn("pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(stdout);
	k->pid = fork();
	if (k->pid < 0) {
		warn("fork: %s\n", strerror(errno));
		return -1;
	}
	if (k->pid == 0) {
		FILE *in = fdopen(down[0], "r");
		FILE *out = fdopen(up[1], "w");
		unsigned int j;

		/* a worker keeps only its own pipes */
		for (j = 0; j < n_kids; j++) {
			fclose(kids[j].cmd);
			fclose(kids[j].reply);
		}
		close(down[1]);
		close(up[0]);
		w = calloc(1, sizeof(*w));
		if (!in || !out || !w)
			_exit(1);
		w->first = first;
		w->count = count;
		rc = worker_main(w, in, out);
		_exit(rc);
	}
	close(down[0]);
	close(up[1]);
	k->cmd = fdopen(down[1], "w");
	k->reply = fdopen(up[0], "r");
	if (!k->cmd || !k->reply)
		return -1;
	n_kids++;
	return 0;
}

/* One line from every worker; the sum of their numbers, or -1 on failure. */
static long gather(void)
{
	char line[64];
	long sum = 0;
	unsigned int i;

	for (i = 0; i < n_kids; i++) {
		if (!fgets(line, sizeof(line), kids[i].reply) ||
		    !strcmp(line, "fail\n"))
			return -1;
		sum += strtol(line, NULL, 10);
	}
	return sum;
}

static int finish(void)
{
	unsigned int i;
	int status, rc = 0;

	for (i = 0; i < n_kids; i++)
		fclose(kids[i].cmd);
	for (i = 0; i < n_kids; i++) {
		if (waitpid(kids[i].pid, &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			rc = 1;
		fclose(kids[i].reply);
	}
	return rc;
}

int main(int argc, char **argv)
{
	unsigned int per, left, first = 0, n;
	char line[64];
	double t0;
	long got;
	int rc = 0;

	if (parse_args(argc, argv))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	per = conns_per_worker();
	if (!per) {
		warn("RLIMIT_NOFILE too low for even one connection\n");
		return 1;
	}
	if ((n_conns + per - 1) / per > MAX_WORKERS) {
		warn("%u connections need more than %d workers of %u\n",
		     n_conns, MAX_WORKERS, per);
		return 1;
	}

	t0 = now_s();
	/* even shares: the workers open theirs in parallel */
	n = (n_conns + per - 1) / per;
	for (left = n_conns; left; left -= per, first += per) {
		per = (left + n - n_kids - 1) / (n - n_kids);
		if (spawn(first, per)) {
			finish();
			return 1;
		}
	}
	if (gather() < 0) {
		warn("a worker could not open its connections\n");
		finish();
		return 1;
	}
	printf("ready %u %.3f %u\n", n_conns, now_s() - t0, n_kids);
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin)) {
		if (!strcmp(line, "half\n")) {
			for (unsigned int i = 0; i < n_kids; i++) {
				fputs(line, kids[i].cmd);
				fflush(kids[i].cmd);
			}
			got = gather();
			printf("half %ld\n", got);
			fflush(stdout);
		} else if (!strcmp(line, "quit\n")) {
			break;
		} else {
			warn("unknown command '%.*s'\n",
			     (int)strcspn(line, "\n"), line);
			rc = 1;
		}
	}
	rc |= finish();
	printf("done\n");
	return rc;
}
