// SPDX-License-Identifier: GPL-2.0
/*
 * Guest traffic for the VM test: TCP over loopback with a known shape.
 * Built statically (it runs in an initramfs with no libc of its own).
 *
 *   workload clean PORT [COUNT [HOLD_MS]]
 *	COUNT connections (default 1) to a listener on 127.0.0.1:PORT, one
 *	after the other. The client closes first; the server reads the
 *	peer's FIN (its socket is then in CLOSE_WAIT), waits HOLD_MS
 *	(default 0) and closes. The listener is closed last. Every socket
 *	is closed before exit 0.
 *
 *   workload leak PORT HOLD_MS
 *	One connection as above, but the accepted socket is never closed by
 *	the program's own code path: after the peer's FIN a forked child
 *	keeps it, still in CLOSE_WAIT, for HOLD_MS after the parent has
 *	exited with status 0 (the child's stdio is /dev/null, so nobody
 *	waits on a pipe for it). The kernel closes it when the child exits.
 *
 * One line on stdout: "workload MODE pid=N port=N conns=N [holder=N]".
 * Every run is bounded: a watchdog alarm ends the process after
 * HOLD_MS * COUNT + 30 s at most; HOLD_MS is at most 60000.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HOLD_MS 60000UL
#define MAX_COUNT 1000UL

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: workload clean PORT [COUNT [HOLD_MS]]\n"
			"       workload leak PORT HOLD_MS\n");
	exit(2);
}

static unsigned long number(const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		fprintf(stderr, "workload: bad number '%s' (%lu-%lu)\n", s, min,
			max);
		exit(2);
	}
	return v;
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static struct sockaddr_in loopback(unsigned int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int listener(unsigned int port)
{
	struct sockaddr_in a = loopback(port);
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	if (listen(fd, 16))
		die("listen");
	return fd;
}

/*
 * One connection: the client closes first; returns the accepted socket
 * once the peer's FIN has been read (the socket is in CLOSE_WAIT).
 */
static int exchange(int lfd, unsigned int port)
{
	struct sockaddr_in a = loopback(port);
	char buf[64];
	int cfd, sfd;
	ssize_t n;

	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		die("socket");
	if (connect(cfd, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (sfd < 0)
		die("accept");
	if (write(cfd, "x", 1) != 1)
		die("write");
	if (close(cfd))
		die("close client");
	do {
		n = read(sfd, buf, sizeof(buf));
	} while (n > 0 || (n < 0 && errno == EINTR));
	if (n < 0)
		die("read");
	return sfd;
}

static int do_clean(unsigned int port, unsigned long count,
		    unsigned long hold_ms)
{
	int lfd = listener(port);

	for (unsigned long i = 0; i < count; i++) {
		int sfd = exchange(lfd, port);

		sleep_ms(hold_ms);
		if (close(sfd))
			die("close server");
	}
	if (close(lfd))
		die("close listener");
	printf("workload clean pid=%d port=%u conns=%lu\n", (int)getpid(), port,
	       count);
	return 0;
}

static void quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static int do_leak(unsigned int port, unsigned long hold_ms)
{
	int lfd = listener(port), sfd;
	pid_t holder;

	sfd = exchange(lfd, port);
	fflush(NULL);
	holder = fork();
	if (holder < 0)
		die("fork");
	if (holder == 0) {
		/* the listener goes; the CLOSE_WAIT socket stays */
		close(lfd);
		quiet_stdio();
		alarm((unsigned int)(hold_ms / 1000) + 30);
		sleep_ms(hold_ms);
		_exit(0);
	}
	/* our copy only: the socket stays open in the holder */
	close(sfd);
	close(lfd);
	printf("workload leak pid=%d port=%u conns=1 holder=%d\n",
	       (int)getpid(), port, (int)holder);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long count = 1, hold_ms = 0;
	unsigned int port;

	if (argc < 3)
		usage();
	port = (unsigned int)number(argv[2], 1, 65535);
	if (!strcmp(argv[1], "clean") && argc <= 5) {
		if (argc > 3)
			count = number(argv[3], 1, MAX_COUNT);
		if (argc > 4)
			hold_ms = number(argv[4], 0, MAX_HOLD_MS);
		alarm((unsigned int)(count * hold_ms / 1000) + 30);
		return do_clean(port, count, hold_ms);
	}
	if (!strcmp(argv[1], "leak") && argc == 4) {
		hold_ms = number(argv[3], 0, MAX_HOLD_MS);
		alarm(30);
		return do_leak(port, hold_ms);
	}
	usage();
	return 2;
}
