/* SPDX-License-Identifier: GPL-2.0 */
/* --listen ADDR:PORT for the exporter. */
#ifndef __TT_LISTEN_ADDR_H
#define __TT_LISTEN_ADDR_H

#include <stddef.h>
#include <linux/types.h>

#define LISTEN_HOST_MAX 64

/*
 * "127.0.0.1:9976", "[::1]:9976", "0.0.0.0:9976" or ":9976" (loopback):
 * a numeric address only, no names to resolve. 0, or -1 with *why set.
 */
int parse_listen_addr(const char *s, char host[LISTEN_HOST_MAX], __u16 *port,
		      const char **why);

#endif /* __TT_LISTEN_ADDR_H */
