// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <openssl/err.h>
#include "sys/tls.h"

static SSL_CTX *tls_fail(SSL_CTX *ctx, const char *what, const char *file,
			 char *err, size_t errlen)
{
	char e[256];

	ERR_error_string_n(ERR_get_error(), e, sizeof(e));
	snprintf(err, errlen, "cannot load %s %s: %s", what, file, e);
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *tls_server_ctx(const char *cert_file, const char *key_file, char *err,
			size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		return tls_fail(NULL, "TLS", "context", err, errlen);
	/* as exporter-toolkit: TLS 1.2 at least */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1)
		return tls_fail(ctx, "certificate", cert_file, err, errlen);
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1)
		return tls_fail(ctx, "key", key_file, err, errlen);
	if (SSL_CTX_check_private_key(ctx) != 1)
		return tls_fail(ctx, "key", key_file, err, errlen);
	return ctx;
}

int web_config_open(const char *path, struct web_config *wc, SSL_CTX **ssl,
		    char *err, size_t errlen)
{
	char why[384];

	*ssl = NULL;
	if (web_config_load(path, wc, err, errlen))
		return -1;
	if (!wc->cert_file)
		return 0;
	*ssl = tls_server_ctx(wc->cert_file, wc->key_file, why, sizeof(why));
	if (*ssl)
		return 0;
	snprintf(err, errlen, "%s: %s", path, why);
	web_config_free(wc);
	return -1;
}
