// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses given on the command line: --listen ADDR:PORT of export
 * (user/cli/listen_addr.c), and the --key keyword (user/model/service.c).
 *
 * Input: a mode byte, then the string (exactly sized, NUL-terminated).
 *
 * The reference splits the string by the documented grammar: "[V6]:PORT"
 * (the first ']' closes the brackets and a ':' must follow it),
 * otherwise "V4:PORT" split at the last ':' with no other ':' before
 * it, ":PORT" meaning 127.0.0.1; PORT 1-65535 in decimal digits only;
 * the host under 64 bytes and accepted by inet_pton() for its family.
 * The parser must agree on accepting, and give back exactly that host
 * and port; the host it returns must be NUL-terminated in its buffer.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "cli/listen_addr.h"
#include "model/service.h"

static bool ref_port(const char *s, __u16 *port)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return false;
	}
	*port = v;
	return v >= 1;
}

static bool ref_listen(const char *s, char *host, __u16 *port)
{
	const char *h, *colon;
	size_t hlen;
	__u8 bin[16];
	bool v6 = *s == '[';

	if (v6) {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return false;
		h = s + 1;
		hlen = end - h;
		colon = end + 1;
		if (!hlen)
			return false;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		h = s;
		hlen = colon - s;
		if (memchr(s, ':', hlen))
			return false;
		if (!hlen) {
			h = "127.0.0.1";
			hlen = 9;
		}
	}
	if (!ref_port(colon + 1, port) || hlen >= LISTEN_HOST_MAX)
		return false;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	return inet_pton(v6 ? AF_INET6 : AF_INET, host, bin) == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	__u8 mode = fuzz_u8(&in);
	char *s = fuzz_str(&in, true);
	char host[LISTEN_HOST_MAX], want[LISTEN_HOST_MAX];
	__u16 port = 4242, wport = 0;
	enum tt_key_mode key = 42;
	const char *why = NULL;
	bool ok, ref;

	if (mode & 1) {
		ok = !parse_key_mode(s, &key, &why);
		ref = !strcmp(s, "service") || !strcmp(s, "lport") ||
		      !strcmp(s, "rport");
		FUZZ_CHECK(ok == ref, "--key '%s': %d", s, ok);
		if (ok)
			FUZZ_CHECK(!strcmp(key_mode_str(key), s),
				   "--key '%s' gave %d", s, key);
		else
			FUZZ_CHECK(key == 42 && why && *why,
				   "--key '%s' refused badly", s);
		free(s);
		return 0;
	}

	memset(host, 0xa5, sizeof(host));
	ok = !parse_listen_addr(s, host, &port, &why);
	ref = ref_listen(s, want, &wport);
	FUZZ_CHECK(ok == ref, "--listen '%s': parser %s, reference %s", s,
		   ok ? "accepts" : "refuses", ref ? "accepts" : "refuses");
	if (ok) {
		FUZZ_CHECK(memchr(host, '\0', sizeof(host)),
			   "--listen '%s': host not terminated", s);
		FUZZ_CHECK(!strcmp(host, want) && port == wport,
			   "--listen '%s': '%s' port %u, want '%s' %u", s, host,
			   port, want, wport);
	} else {
		FUZZ_CHECK(port == 4242 && why && *why,
			   "--listen '%s': refused, but port set or no reason",
			   s);
	}
	free(s);
	return 0;
}
