// SPDX-License-Identifier: GPL-2.0
/* web_config_load and web_config_check_basic (user/sys/webconfig.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "sys/webconfig.h"

/* "p:w" at bcrypt cost 4: a colon in the password is allowed */
#define HASH "$2b$04$CVVz/OkPPB3oVqG1LxR3PuNqjU7eyxV/DHTLBS//NlpL5uGuZxt26"

static int load(const char *text, struct web_config *wc, char *err,
		size_t errlen)
{
	char path[] = "/tmp/tt-webconfig-XXXXXX";
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	ret = web_config_load(path, wc, err, errlen);
	unlink(path);
	return ret;
}

static void test_loads(void **state)
{
	struct web_config wc;
	char err[256];

	(void)state;
	assert_int_equal(load("tls_server_config:\n  cert_file: c.pem\n"
			      "  key_file: /k.pem\nbasic_auth_users:\n"
			      "  u: " HASH "\n",
			      &wc, err, sizeof(err)),
			 0);
	assert_string_equal(wc.cert_file, "/tmp/c.pem");
	assert_string_equal(wc.key_file, "/k.pem");
	assert_int_equal(wc.nusers, 1);
	assert_string_equal(wc.users[0].name, "u");
	web_config_free(&wc);
	assert_int_equal(load("", &wc, err, sizeof(err)), 0);
	assert_null(wc.cert_file);
	assert_int_equal(wc.nusers, 0);
	web_config_free(&wc);
}

static void rejects(const char *text, const char *hint)
{
	struct web_config wc;
	char err[256] = "";

	if (load(text, &wc, err, sizeof(err)) != -1)
		fail_msg("accepted \"%s\"", text);
	if (!strstr(err, hint) || strchr(err, '\n'))
		fail_msg("\"%s\": \"%s\" lacks \"%s\"", text, err, hint);
}

static void test_rejects(void **state)
{
	(void)state;
	rejects("x: 1\n", "unknown key 'x'");
	rejects("tls_server_config:\n  ca_file: a\n",
		"'tls_server_config.ca_file'");
	rejects("tls_server_config:\n  key_file: a\n", "needs cert_file");
	rejects("basic_auth_users:\n  u: md5\n", "not a bcrypt");
	rejects("basic_auth_users: [u]\n", "must be a mapping");
	rejects("basic_auth_users:\n  u: [a]\n", "must be a string");
	rejects("- a\n", "must be a mapping");
	rejects("basic_auth_users:\n  u: 'x\n", "line");
}

static void test_basic_auth(void **state)
{
	struct web_config wc;
	char err[256];

	(void)state;
	assert_int_equal(load("basic_auth_users:\n  u: " HASH "\n", &wc, err,
			      sizeof(err)),
			 0);
	for (int i = 0; i < 2; i++) /* bcrypt, then the cache */
		assert_true(web_config_check_basic(&wc, "Basic dTpwOnc="));
	assert_false(web_config_check_basic(&wc, "Basic dTpwOng="));
	assert_false(web_config_check_basic(&wc, "Basic djpwOnc="));
	assert_false(web_config_check_basic(&wc, NULL));
	assert_false(web_config_check_basic(&wc, "Bearer dTpwOnc="));
	assert_false(web_config_check_basic(&wc, "Basic !!!!"));
	assert_false(web_config_check_basic(&wc, "Basic dTo="));
	assert_true(web_config_check_basic(&wc, "basic dTpwOnc="));
	web_config_free(&wc);
}

UNIT_GROUP(webconfig)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_basic_auth),
	};

	return cmocka_run_group_tests_name("webconfig", tests, NULL, NULL);
}
