/* SPDX-License-Identifier: GPL-2.0 */
/* the exporter's TLS server context (OpenSSL) */
#ifndef __TT_TLS_H
#define __TT_TLS_H

#include <stddef.h>
#include <openssl/ssl.h>
#include "sys/webconfig.h"

/* NULL with one line in err if the certificate or key cannot be used */
SSL_CTX *tls_server_ctx(const char *cert_file, const char *key_file, char *err,
			size_t errlen);

/*
 * web_config_load() and, if the file names a certificate, its context:
 * 0, or -1 with one line in err
 */
int web_config_open(const char *path, struct web_config *wc, SSL_CTX **ssl,
		    char *err, size_t errlen);

#endif /* __TT_TLS_H */
