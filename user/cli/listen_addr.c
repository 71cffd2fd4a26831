// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>
#include "cli/listen_addr.h"
#include "util/parse.h"

int parse_listen_addr(const char *s, char host[LISTEN_HOST_MAX], __u16 *port,
		      const char **why)
{
	const char *colon, *h = s;
	size_t hlen;
	__u8 buf[16];
	__u64 p;

	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':') {
			*why = "expected [IPV6]:PORT";
			return -1;
		}
		h = s + 1;
		hlen = end - h;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			*why = "expected ADDR:PORT, e.g. 127.0.0.1:9976";
			return -1;
		}
		hlen = colon - s;
		if (memchr(s, ':', hlen)) {
			*why = "an IPv6 address goes in brackets: [::1]:PORT";
			return -1;
		}
	}
	if (parse_u64(colon + 1, 1, 65535, &p, why))
		return -1;
	if (*s == '[' && !hlen) {
		*why = "empty brackets: [::1]:PORT, or :PORT for loopback";
		return -1;
	}
	if (!hlen) {
		h = "127.0.0.1";
		hlen = strlen(h);
	}
	if (hlen >= LISTEN_HOST_MAX) {
		*why = "address too long";
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (*s == '[' ? inet_pton(AF_INET6, host, buf) != 1 :
			inet_pton(AF_INET, host, buf) != 1) {
		*why = *s == '[' ? "not a numeric IPv6 address" :
				   "not a numeric IPv4 or IPv6 address";
		return -1;
	}
	*port = p;
	return 0;
}
