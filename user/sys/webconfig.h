/* SPDX-License-Identifier: GPL-2.0 */
/*
 * node_exporter's web configuration file (exporter-toolkit): TLS
 * certificate and key, and basic auth users with bcrypt hashes.
 */
#ifndef __TT_WEBCONFIG_H
#define __TT_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct web_user {
	char *name;
	char *hash;
	/*
	 * HMAC of the last password bcrypt accepted, under a key of this
	 * process: a scrape need not pay bcrypt's cost each time, and no
	 * password is kept in memory
	 */
	unsigned char ok_mac[32];
	bool ok_cached;
};

struct web_config {
	char *cert_file; /* resolved against the file's directory */
	char *key_file;
	struct web_user *users;
	size_t nusers;
	unsigned char mac_key[32];
};

/* 0, or -1 with one line naming the file and the key in err */
int web_config_load(const char *path, struct web_config *wc, char *err,
		    size_t errlen);
void web_config_free(struct web_config *wc);

/* an "Authorization: Basic ..." header value against the users */
bool web_config_check_basic(struct web_config *wc, const char *header);

#endif /* __TT_WEBCONFIG_H */
