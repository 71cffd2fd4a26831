// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <crypt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include "sys/webconfig.h"

struct parser {
	yaml_parser_t p;
	const char *path;
	char *err;
	size_t errlen;
	char *dir;
};

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->errlen, "%s: ", ps->path);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int next(struct parser *ps, yaml_event_t *ev)
{
	if (yaml_parser_parse(&ps->p, ev))
		return 0;
	return fail(ps, "line %zu: %s", ps->p.problem_mark.line + 1,
		    ps->p.problem ? ps->p.problem : "invalid YAML");
}

/* the next event must be a scalar: its value, malloc'd */
static char *scalar(struct parser *ps, const char *key)
{
	yaml_event_t ev;
	char *s = NULL;

	if (next(ps, &ev))
		return NULL;
	if (ev.type == YAML_SCALAR_EVENT)
		s = strndup((char *)ev.data.scalar.value,
			    ev.data.scalar.length);
	else
		fail(ps, "'%s' must be a string", key);
	yaml_event_delete(&ev);
	return s;
}

static char *resolve(struct parser *ps, char *file)
{
	char *r;

	if (!file || file[0] == '/' || !ps->dir)
		return file;
	if (asprintf(&r, "%s/%s", ps->dir, file) < 0)
		r = NULL;
	free(file);
	return r;
}

static int expect_mapping(struct parser *ps, const char *key)
{
	yaml_event_t ev;
	int ok;

	if (next(ps, &ev))
		return -1;
	ok = ev.type == YAML_MAPPING_START_EVENT;
	yaml_event_delete(&ev);
	return ok ? 0 : fail(ps, "'%s' must be a mapping", key);
}

/* a key of the current mapping, or NULL (*end set) at its end */
static char *map_key(struct parser *ps, bool *end)
{
	yaml_event_t ev;
	char *s = NULL;

	*end = false;
	if (next(ps, &ev))
		return NULL;
	if (ev.type == YAML_MAPPING_END_EVENT)
		*end = true;
	else if (ev.type == YAML_SCALAR_EVENT)
		s = strndup((char *)ev.data.scalar.value,
			    ev.data.scalar.length);
	else
		fail(ps, "keys must be strings");
	yaml_event_delete(&ev);
	return s;
}

static int parse_tls(struct parser *ps, struct web_config *wc)
{
	char *k, **dst;
	bool end;

	if (expect_mapping(ps, "tls_server_config"))
		return -1;
	while ((k = map_key(ps, &end))) {
		if (!strcmp(k, "cert_file"))
			dst = &wc->cert_file;
		else if (!strcmp(k, "key_file"))
			dst = &wc->key_file;
		else {
			fail(ps, "unknown key 'tls_server_config.%s'", k);
			free(k);
			return -1;
		}
		free(*dst);
		*dst = resolve(ps, scalar(ps, k));
		free(k);
		if (!*dst)
			return -1;
	}
	if (!end)
		return -1;
	if (!wc->cert_file || !wc->key_file)
		return fail(ps, "tls_server_config needs %s",
			    wc->cert_file ? "key_file" : "cert_file");
	return 0;
}

static int parse_users(struct parser *ps, struct web_config *wc)
{
	struct web_user *u;
	char *k, *h;
	bool end;

	if (expect_mapping(ps, "basic_auth_users"))
		return -1;
	while ((k = map_key(ps, &end))) {
		h = scalar(ps, k);
		u = h ? realloc(wc->users, (wc->nusers + 1) * sizeof(*u)) :
			NULL;
		if (!u) {
			if (h)
				fail(ps, "out of memory");
			free(k);
			free(h);
			return -1;
		}
		wc->users = u;
		if (strncmp(h, "$2y$", 4) && strncmp(h, "$2b$", 4) &&
		    strncmp(h, "$2a$", 4)) {
			fail(ps, "basic_auth_users.%s: not a bcrypt hash", k);
			free(k);
			free(h);
			return -1;
		}
		wc->users[wc->nusers++] =
			(struct web_user){ .name = k, .hash = h };
	}
	return end ? 0 : -1;
}

static int parse_doc(struct parser *ps, struct web_config *wc)
{
	yaml_event_t ev;
	char *k;
	bool end;
	int err = 0;

	/* stream start, document start (none: an empty file), top mapping */
	for (int i = 0; i < 2; i++) {
		if (next(ps, &ev))
			return -1;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			return 0; /* plain HTTP, no auth */
		}
		yaml_event_delete(&ev);
	}
	if (next(ps, &ev))
		return -1;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		yaml_event_delete(&ev);
		return fail(ps, "must be a mapping of keys");
	}
	yaml_event_delete(&ev);
	while (!err && (k = map_key(ps, &end))) {
		if (!strcmp(k, "tls_server_config"))
			err = parse_tls(ps, wc);
		else if (!strcmp(k, "basic_auth_users"))
			err = parse_users(ps, wc);
		else
			err = fail(ps, "unknown key '%s'", k);
		free(k);
	}
	return err || !end ? -1 : 0;
}

int web_config_load(const char *path, struct web_config *wc, char *err,
		    size_t errlen)
{
	struct parser ps = { .path = path, .err = err, .errlen = errlen };
	const char *slash = strrchr(path, '/');
	FILE *f = fopen(path, "r");
	int ret;

	memset(wc, 0, sizeof(*wc));
	if (!f) {
		snprintf(err, errlen, "%s: %m", path);
		return -1;
	}
	if (slash)
		ps.dir = strndup(path, slash == path ? 1 : slash - path);
	yaml_parser_initialize(&ps.p);
	yaml_parser_set_input_file(&ps.p, f);
	ret = parse_doc(&ps, wc);
	if (!ret && RAND_bytes(wc->mac_key, sizeof(wc->mac_key)) != 1)
		ret = fail(&ps, "no random bytes for the password cache");
	yaml_parser_delete(&ps.p);
	fclose(f);
	free(ps.dir);
	if (ret)
		web_config_free(wc);
	return ret;
}

void web_config_free(struct web_config *wc)
{
	for (size_t i = 0; i < wc->nusers; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
	}
	free(wc->users);
	free(wc->cert_file);
	free(wc->key_file);
	memset(wc, 0, sizeof(*wc));
}

static struct crypt_data cd; /* 32 KiB: not on the stack */

static bool check_password(struct web_config *wc, struct web_user *u,
			   const char *pass)
{
	unsigned char mac[32];
	unsigned int len = sizeof(mac);
	const char *out;
	bool ok;

	if (!HMAC(EVP_sha256(), wc->mac_key, sizeof(wc->mac_key),
		  (const unsigned char *)pass, strlen(pass), mac, &len))
		return false;
	if (u->ok_cached && !CRYPTO_memcmp(mac, u->ok_mac, sizeof(mac)))
		return true;
	out = crypt_r(pass, u->hash, &cd);
	ok = out && strlen(out) == strlen(u->hash) &&
	     !CRYPTO_memcmp(out, u->hash, strlen(u->hash));
	if (ok) {
		memcpy(u->ok_mac, mac, sizeof(mac));
		u->ok_cached = true;
	}
	return ok;
}

bool web_config_check_basic(struct web_config *wc, const char *header)
{
	unsigned char dec[512];
	char *colon;
	int n;

	if (!header || strncasecmp(header, "Basic ", 6))
		return false;
	header += 6;
	if (strlen(header) > 4 * (sizeof(dec) - 1) / 3)
		return false;
	n = EVP_DecodeBlock(dec, (const unsigned char *)header, strlen(header));
	if (n < 0)
		return false;
	/* EVP_DecodeBlock counts the padding's zero bytes */
	for (const char *p = header + strlen(header);
	     p > header && p[-1] == '='; p--)
		n--;
	dec[n] = 0;
	if (strlen((char *)dec) != (size_t)n)
		return false;
	colon = strchr((char *)dec, ':');
	if (!colon)
		return false;
	*colon = 0;
	for (size_t i = 0; i < wc->nusers; i++)
		if (!strcmp(wc->users[i].name, (char *)dec))
			return check_password(wc, &wc->users[i], colon + 1);
	/* as slow for an unknown user as for a wrong password: no probing */
	if (wc->nusers)
		crypt_r(colon + 1, wc->users[0].hash, &cd);
	return false;
}
