/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers for command-line values. Each returns 0, or -1 and sets *why. */
#ifndef __TT_PARSE_H
#define __TT_PARSE_H

#include <stdbool.h>
#include <linux/types.h>

#define PORT_WORDS 1024 /* 65536 bits */

int parse_u64(const char *s, __u64 min, __u64 max, __u64 *out,
	      const char **why);
/* "80,443,8000-8100": sets the bits of every listed port */
int parse_port_set(const char *s, __u64 bits[PORT_WORDS], const char **why);
/* "500us", "200ms", "1.5s", "2m", "1h"; a bare number is seconds */
int parse_duration_ns(const char *s, __u64 *ns, const char **why);
/* "4096", "64K", "8M", "1G" (powers of 1024) */
int parse_size(const char *s, __u64 *out, const char **why);

#endif /* __TT_PARSE_H */
