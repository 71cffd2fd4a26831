// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "util/common.h"

bool tt_verbose;
volatile sig_atomic_t tt_exiting;
volatile sig_atomic_t tt_exit_by_group;
volatile sig_atomic_t tt_signals;
const char *tt_prog = "tcptrail";

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("Error: ", fmt, ap);
	va_end(ap);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("Warning: ", fmt, ap);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (!tt_verbose)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

int usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("Error: ", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", tt_prog);
	return TT_EXIT_USAGE;
}

/*
 * A terminal's Ctrl-C reaches the whole foreground process group, a
 * kill() only us: si_code tells them apart (SI_KERNEL for the terminal).
 */
static void on_signal(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	tt_exiting = sig;
	tt_signals++;
	tt_exit_by_group = si && si->si_code == SI_KERNEL;
}

const char *tt_ctrl_c_hint(void)
{
	return isatty(STDERR_FILENO) ? " Hit Ctrl-C to end." : "";
}

int tt_install_signals(void)
{
	static const int stop[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stop); i++)
		if (sigaction(stop[i], &sa, NULL))
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

void ephemeral_range(__u16 *lo, __u16 *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned int l, h;

	*lo = 32768;
	*hi = 60999;
	if (!f)
		return;
	if (fscanf(f, "%u %u", &l, &h) == 2 && l <= h && h <= 65535) {
		*lo = l;
		*hi = h;
	}
	fclose(f);
}
