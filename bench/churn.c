// SPDX-License-Identifier: GPL-2.0
/*
 * churn: loopback TCP connection churn, the load for bench/run.sh.
 *
 * Every connection walks the whole state path, client closing first:
 *   client: CLOSE -> SYN_SENT -> ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2 -> CLOSE
 *   server: LISTEN -> SYN_RECV -> ESTABLISHED -> CLOSE_WAIT -> LAST_ACK ->
 *           CLOSE
 * i.e. 10 inet_sock_set_state transitions. The client half-closes and then
 * waits for the server's FIN, so a connection is counted only once both sides
 * have closed. FIN_WAIT2 -> TIME_WAIT shows up as FIN_WAIT2 -> CLOSE.
 *
 * No SO_LINGER {1, 0}: an RST would cut the path short. Instead, IPv4 clients
 * rotate their source address over 127.0.0.2-127.0.0.250 and pick the port
 * at connect() time (IP_BIND_ADDRESS_NO_PORT), so the TIME_WAIT sockets left
 * behind spread over 249 four-tuple spaces instead of exhausting one.
 * IPv6 has only ::1: with -6 the ~28k ephemeral ports are reused through
 * net.ipv4.tcp_tw_reuse (2 = loopback) once a TIME_WAIT socket is a second
 * old, which caps the rate near 15k/s while TIME_WAIT buckets are not full.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define TRANSITIONS_PER_CONN 10
#define SRC_FIRST 2 /* 127.0.0.2 */
#define SRC_COUNT 249 /* .. 127.0.0.250 */
#define MAX_THREADS 256
#define LISTEN_BACKLOG 4096
#define IO_TIMEOUT_S 2 /* bounds accept() and the reads */
#define MAX_ERR_REPORTS 5 /* first few errors get a line on stderr */

/* the format must be a string literal */
#define warn(...) fprintf(stderr, "churn: " __VA_ARGS__)

struct opts {
	unsigned int port;
	unsigned int threads;
	double seconds;
	bool ipv6;
};

static struct opts opts = {
	.port = 0,
	.threads = 2,
	.seconds = 5.0,
	.ipv6 = false,
};

static atomic_bool stopping;
static atomic_ulong n_conns;
static atomic_ulong n_errors;
static atomic_ulong n_addrnotavail;
static atomic_uint n_reported;

static int listen_fd = -1;
static struct sockaddr_storage server_addr;
static socklen_t server_addrlen;

static void usage(const char *prog)
{
	printf("usage: %s [-p PORT] [-t THREADS] [-d SECONDS] [-6]\n", prog);
}

static void report_error(const char *what, int err)
{
	unsigned int n;

	atomic_fetch_add_explicit(&n_errors, 1, memory_order_relaxed);
	if (err == EADDRNOTAVAIL)
		atomic_fetch_add_explicit(&n_addrnotavail, 1,
					  memory_order_relaxed);
	n = atomic_fetch_add_explicit(&n_reported, 1, memory_order_relaxed);
	if (n < MAX_ERR_REPORTS)
		warn("%s: %s\n", what,
		     err ? strerror(err) : "unexpected data or EOF");
	else if (n == MAX_ERR_REPORTS)
		warn("further errors not shown\n");
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

static bool parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 86400)
		return false;
	*out = v;
	return true;
}

static int parse_args(int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, ":p:t:d:6h")) != -1) {
		switch (c) {
		case 'p':
			if (!parse_uint(optarg, 0, 65535, &opts.port)) {
				warn("invalid port '%s' (0-65535)\n", optarg);
				return -1;
			}
			break;
		case 't':
			if (!parse_uint(optarg, 1, MAX_THREADS,
					&opts.threads)) {
				warn("invalid thread count '%s' (1-%d)\n",
				     optarg, MAX_THREADS);
				return -1;
			}
			break;
		case 'd':
			if (!parse_seconds(optarg, &opts.seconds)) {
				warn("invalid duration '%s' (seconds > 0)\n",
				     optarg);
				return -1;
			}
			break;
		case '6':
			opts.ipv6 = true;
			break;
		case 'h':
			usage(argv[0]);
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

static const struct timeval io_timeout = { .tv_sec = IO_TIMEOUT_S };

static int set_timeouts(int fd)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &io_timeout,
		       sizeof(io_timeout)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &io_timeout,
		       sizeof(io_timeout)))
		return -1;
	return 0;
}

static int setup_listener(void)
{
	int one = 1;
	int fd;

	fd = socket(opts.ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		warn("socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto err_close;
	/*
	 * Accepted sockets inherit the timeouts: their reads are bounded too,
	 * and idle accept() calls come back to look at the stop flag.
	 */
	if (set_timeouts(fd))
		goto err_close;

	memset(&server_addr, 0, sizeof(server_addr));
	if (opts.ipv6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&server_addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons(opts.port);
		server_addrlen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&server_addr;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(opts.port);
		server_addrlen = sizeof(*sin);
	}
	if (bind(fd, (struct sockaddr *)&server_addr, server_addrlen))
		goto err_close;
	if (listen(fd, LISTEN_BACKLOG))
		goto err_close;
	/* learn the port the kernel picked for -p 0 */
	if (getsockname(fd, (struct sockaddr *)&server_addr, &server_addrlen))
		goto err_close;
	return fd;

err_close:
	warn("listener on port %u: %s\n", opts.port, strerror(errno));
	close(fd);
	return -1;
}

static unsigned int server_port(void)
{
	if (server_addr.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&server_addr)->sin6_port);
	return ntohs(((struct sockaddr_in *)&server_addr)->sin_port);
}

static void *server_thread(void *arg)
{
	char buf[16];
	ssize_t n;
	int fd;

	(void)arg;
	for (;;) {
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (atomic_load(&stopping))
				break;
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EAGAIN)
				continue;
			report_error("accept", errno);
			/* e.g. EMFILE: do not spin */
			usleep(1000);
			continue;
		}
		/* one byte, then EOF: the client's FIN puts us in CLOSE_WAIT */
		n = read(fd, buf, 1);
		if (n == 1)
			n = read(fd, buf, sizeof(buf));
		else if (n == 0)
			n = -2;
		if (n < 0)
			report_error("server read", n == -1 ? errno : 0);
		else if (n > 0)
			report_error("server read", 0);
		/* CLOSE_WAIT -> LAST_ACK; the client's ACK then gives CLOSE */
		close(fd);
	}
	return NULL;
}

static void set_source(struct sockaddr_in *src, unsigned int *next)
{
	src->sin_addr.s_addr = htonl(0x7f000000 | (SRC_FIRST + *next));
	*next = (*next + 1) % SRC_COUNT;
}

/* One connection, start to finish. Returns 0 when it walked the full path. */
static int one_conn(struct sockaddr_in *src)
{
	static const char byte = 'x';
	int one = 1;
	char buf[16];
	ssize_t n;
	int fd;

	fd = socket(server_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		report_error("socket", errno);
		/* probably EMFILE or ENOBUFS: back off a little */
		usleep(1000);
		return -1;
	}
	/*
	 * Only the final read can wait on the peer for long; a syscall more
	 * per connection costs ~1.5% of the rate, so connect() goes without.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &io_timeout,
		       sizeof(io_timeout))) {
		report_error("SO_RCVTIMEO", errno);
		goto err_close;
	}
	if (src) {
		/* port chosen by connect(), where TIME_WAIT reuse applies */
		if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
			       sizeof(one))) {
			report_error("IP_BIND_ADDRESS_NO_PORT", errno);
			goto err_close;
		}
		if (bind(fd, (struct sockaddr *)src, sizeof(*src))) {
			report_error("bind", errno);
			goto err_close;
		}
	}
	if (connect(fd, (struct sockaddr *)&server_addr, server_addrlen)) {
		report_error("connect", errno);
		goto err_close;
	}
	if (send(fd, &byte, 1, MSG_NOSIGNAL) != 1) {
		report_error("send", errno);
		goto err_close;
	}
	/* ESTABLISHED -> FIN_WAIT1; the server's ACK gives FIN_WAIT2 */
	if (shutdown(fd, SHUT_WR)) {
		report_error("shutdown", errno);
		goto err_close;
	}
	/* EOF means the server closed: FIN_WAIT2 -> (TIME_WAIT) CLOSE */
	n = read(fd, buf, sizeof(buf));
	if (n != 0) {
		report_error("client read", n < 0 ? errno : 0);
		goto err_close;
	}
	close(fd);
	return 0;

err_close:
	close(fd);
	return -1;
}

static void *client_thread(void *arg)
{
	unsigned int next = (unsigned int)(unsigned long)arg % SRC_COUNT;
	struct sockaddr_in src = { .sin_family = AF_INET };
	unsigned long done = 0;

	while (!atomic_load_explicit(&stopping, memory_order_relaxed)) {
		if (!opts.ipv6)
			set_source(&src, &next);
		if (one_conn(opts.ipv6 ? NULL : &src) == 0)
			done++;
	}
	atomic_fetch_add(&n_conns, done);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * CPU time of the whole process, user and system: with the kernel's
 * loopback work done in the sending thread's context (softirq on
 * local_bh_enable), it holds most of a connection's kernel cost, and a
 * tracer's programs with it, whatever share of the CPUs the run got.
 */
static double cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
}

/* Sleep for the run, or until SIGINT/SIGTERM: both stop the run early. */
static void wait_for_end(const sigset_t *sigs, double end)
{
	struct timespec ts;
	double left;

	for (;;) {
		left = end - now_s();
		if (left <= 0)
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		if (sigtimedwait(sigs, NULL, &ts) >= 0)
			return;
		if (errno != EAGAIN && errno != EINTR)
			return;
	}
}

int main(int argc, char **argv)
{
	pthread_t servers[MAX_THREADS], clients[MAX_THREADS];
	unsigned int n_servers = 0, n_clients = 0, i;
	double start, elapsed;
	unsigned long conns, errors;
	sigset_t sigs;
	int err;

	/* one line on stderr for bad input: parse_args() printed it */
	if (parse_args(argc, argv))
		return 2;

	/* threads inherit the mask; only wait_for_end() takes the signals */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	listen_fd = setup_listener();
	if (listen_fd < 0)
		return 1;

	for (i = 0; i < opts.threads; i++) {
		err = pthread_create(&servers[i], NULL, server_thread, NULL);
		if (err)
			goto err_threads;
		n_servers++;
	}
	start = now_s();
	for (i = 0; i < opts.threads; i++) {
		err = pthread_create(&clients[i], NULL, client_thread,
				     (void *)(unsigned long)i);
		if (err)
			goto err_threads;
		n_clients++;
	}

	wait_for_end(&sigs, start + opts.seconds);
	atomic_store(&stopping, true);
	/* each client finishes the connection it is on: none is cut short */
	for (i = 0; i < n_clients; i++)
		pthread_join(clients[i], NULL);
	elapsed = now_s() - start;
	/* wakes the blocked accept() calls with EINVAL */
	shutdown(listen_fd, SHUT_RDWR);
	for (i = 0; i < n_servers; i++)
		pthread_join(servers[i], NULL);
	close(listen_fd);

	conns = atomic_load(&n_conns);
	errors = atomic_load(&n_errors);
	/* one line, key=value, for bench/run.sh */
	printf("conns=%lu seconds=%.3f rate=%.0f transitions_expected=%lu",
	       conns, elapsed, conns / elapsed, conns * TRANSITIONS_PER_CONN);
	printf(" errors=%lu eaddrnotavail=%lu threads=%u family=%s port=%u",
	       errors, atomic_load(&n_addrnotavail), opts.threads,
	       opts.ipv6 ? "ipv6" : "ipv4", server_port());
	printf(" cpu_ns_per_conn=%.0f\n", conns ? cpu_ns() / conns : 0.0);
	return errors ? 1 : 0;

err_threads:
	warn("pthread_create: %s\n", strerror(err));
	atomic_store(&stopping, true);
	for (i = 0; i < n_clients; i++)
		pthread_join(clients[i], NULL);
	shutdown(listen_fd, SHUT_RDWR);
	for (i = 0; i < n_servers; i++)
		pthread_join(servers[i], NULL);
	close(listen_fd);
	return 1;
}
