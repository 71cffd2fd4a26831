// SPDX-License-Identifier: GPL-2.0
/* --key and the service-port rule (user/service.c). */
#include <string.h>
#include "unit.h"
#include "util/common.h"
#include "model/service.h"

/* the kernel's default ip_local_port_range */
#define EPH_LO 32768
#define EPH_HI 60999

static void test_parse_key_mode(void **state)
{
	static const struct {
		const char *s;
		enum tt_key_mode key;
	} ok[] = {
		{ "service", TT_KEY_SERVICE },
		{ "lport", TT_KEY_LPORT },
		{ "rport", TT_KEY_RPORT },
	};
	static const char *const bad[] = {
		"",	 "Service",  "LPORT",  "lport ", " rport", "sport",
		"dport", "services", "servic", "port",	 "l",	   "service\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		enum tt_key_mode key = (enum tt_key_mode) - 1;
		const char *why = NULL;

		assert_int_equal(parse_key_mode(ok[i].s, &key, &why), 0);
		assert_int_equal(key, ok[i].key);
		/* and back */
		assert_string_equal(key_mode_str(key), ok[i].s);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		enum tt_key_mode key = TT_KEY_LPORT;
		const char *why = NULL;

		assert_int_equal(parse_key_mode(bad[i], &key, &why), -1);
		assert_non_null(why);
		assert_non_null(strstr(why, "service"));
		assert_int_equal(key, TT_KEY_LPORT); /* untouched */
	}
}

static void test_key_mode_str(void **state)
{
	(void)state;
	assert_string_equal(key_mode_str(TT_KEY_SERVICE), "service");
	assert_string_equal(key_mode_str(TT_KEY_LPORT), "lport");
	assert_string_equal(key_mode_str(TT_KEY_RPORT), "rport");
	assert_string_equal(key_mode_str((enum tt_key_mode)3), "?");
	assert_string_equal(key_mode_str((enum tt_key_mode)1000), "?");
}

static __u16 svc(__u8 flags, __u16 sport, __u16 dport)
{
	return service_port(TT_KEY_SERVICE, flags, sport, dport, EPH_LO,
			    EPH_HI);
}

static void test_service_opener(void **state)
{
	/* flags that say nothing about the opener */
	static const __u8 noise[] = { 0, TT_F_PROCESS_CTX, TT_F_OWNER_KNOWN,
				      TT_F_OWNER_LISTENER | TT_F_OWNER_ACCEPT,
				      TT_F_TIME_WAIT };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(noise); i++) {
		__u8 f = noise[i];

		/* passive: our listener's port, whatever the ports look like */
		assert_int_equal(svc(f | TT_F_PASSIVE, 8080, 40000), 8080);
		assert_int_equal(svc(f | TT_F_PASSIVE, 40000, 8080), 40000);
		assert_int_equal(svc(f | TT_F_PASSIVE, 40000, 50000), 40000);
		/* active: the peer's listening port */
		assert_int_equal(svc(f | TT_F_ACTIVE, 40000, 443), 443);
		assert_int_equal(svc(f | TT_F_ACTIVE, 443, 40000), 40000);
		assert_int_equal(svc(f | TT_F_ACTIVE, 22, 443), 443);
	}
}

static void test_service_unknown_opener(void **state)
{
	(void)state;
	/* the port outside the ephemeral range */
	assert_int_equal(svc(0, 8080, 40000), 8080);
	assert_int_equal(svc(0, 40000, 8080), 8080);
	assert_int_equal(svc(TT_F_OWNER_KNOWN, 50000, 5432), 5432);
	/* both or neither ephemeral: the local port */
	assert_int_equal(svc(0, 40000, 50000), 40000);
	assert_int_equal(svc(0, 80, 443), 80);
	assert_int_equal(svc(0, 0, 0), 0);
	/* the range is inclusive at both ends */
	assert_int_equal(svc(0, EPH_LO, EPH_LO - 1), EPH_LO - 1);
	assert_int_equal(svc(0, EPH_HI, EPH_HI + 1), EPH_HI + 1);
	assert_int_equal(svc(0, EPH_LO - 1, EPH_LO), EPH_LO - 1);
	assert_int_equal(svc(0, EPH_HI + 1, EPH_HI), EPH_HI + 1);
	/* another range */
	assert_int_equal(service_port(TT_KEY_SERVICE, 0, 1500, 80, 1024, 2000),
			 80);
	assert_int_equal(service_port(TT_KEY_SERVICE, 0, 40000, 80, 1024, 2000),
			 40000);
}

static void test_service_overrides(void **state)
{
	static const __u8 flags[] = { 0, TT_F_PASSIVE, TT_F_ACTIVE,
				      TT_F_PASSIVE | TT_F_OWNER_KNOWN };
	static const __u16 ports[][2] = {
		{ 8080, 40000 }, { 40000, 8080 }, { 40000, 50000 }, { 80, 443 }
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(ports); j++) {
			__u16 sp = ports[j][0], dp = ports[j][1];

			assert_int_equal(service_port(TT_KEY_LPORT, flags[i],
						      sp, dp, EPH_LO, EPH_HI),
					 sp);
			assert_int_equal(service_port(TT_KEY_RPORT, flags[i],
						      sp, dp, EPH_LO, EPH_HI),
					 dp);
		}
	}
}

UNIT_GROUP(service)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_key_mode),
		cmocka_unit_test(test_key_mode_str),
		cmocka_unit_test(test_service_opener),
		cmocka_unit_test(test_service_unknown_opener),
		cmocka_unit_test(test_service_overrides),
	};

	return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
