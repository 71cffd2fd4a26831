// SPDX-License-Identifier: GPL-2.0
/* parse_listen_addr (user/listen_addr.c): the exporter's --listen. */
#include <string.h>
#include "unit.h"
#include "cli/listen_addr.h"

#define PORT_SENTINEL 0x5a5a

static void listen_ok(const char *s, const char *want_host, __u16 want_port)
{
	char host[LISTEN_HOST_MAX];
	const char *why = NULL;
	__u16 port = PORT_SENTINEL;

	memset(host, 'x', sizeof(host));
	assert_int_equal(parse_listen_addr(s, host, &port, &why), 0);
	assert_string_equal(host, want_host);
	assert_int_equal(port, want_port);
}

/* rejected, *why set and mentioning 'hint'; *port untouched */
static void listen_fails(const char *s, const char *hint)
{
	char host[LISTEN_HOST_MAX];
	const char *why = NULL;
	__u16 port = PORT_SENTINEL;

	if (parse_listen_addr(s, host, &port, &why) != -1)
		fail_msg("accepted \"%s\"", s);
	assert_non_null(why);
	assert_true(why[0] != '\0');
	if (!strstr(why, hint))
		fail_msg("\"%s\": why \"%s\", expected it to mention \"%s\"", s,
			 why, hint);
	assert_int_equal(port, PORT_SENTINEL);
}

static void test_accepts(void **state)
{
	(void)state;
	listen_ok("127.0.0.1:9976", "127.0.0.1", 9976);
	listen_ok("[::1]:9976", "::1", 9976);
	listen_ok(":9976", "127.0.0.1", 9976);
	listen_ok("0.0.0.0:1", "0.0.0.0", 1);
	listen_ok("1.2.3.4:65535", "1.2.3.4", 65535);
	listen_ok("[::]:80", "::", 80);
	listen_ok("[::ffff:10.0.0.1]:8080", "::ffff:10.0.0.1", 8080);
	listen_ok("[2001:db8::42]:443", "2001:db8::42", 443);
	/* the longest IPv6 text form, 45 characters */
	listen_ok("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:1",
		  "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 1);
}

static void test_rejects_host(void **state)
{
	(void)state;
	listen_fails("localhost:1", "numeric");
	listen_fails("example.com:80", "numeric");
	listen_fails("1.2.3:80", "numeric");
	listen_fails("1.2.3.4.5:80", "numeric");
	listen_fails("256.0.0.1:80", "numeric");
	listen_fails("[fe80::1%lo]:80", "numeric");
	listen_fails("[::g]:80", "numeric");
	listen_fails(" 1.2.3.4:80", "numeric");
}

static void test_rejects_shape(void **state)
{
	(void)state;
	listen_fails("127.0.0.1", "ADDR:PORT");
	listen_fails("", "ADDR:PORT");
	listen_fails("9976", "ADDR:PORT");
	/* IPv6 without brackets is ambiguous: where does the port start? */
	listen_fails("::1:9976", "brackets");
	listen_fails("::1", "brackets");
	listen_fails("[::1]9976", "[IPV6]:PORT");
	listen_fails("[::1]", "[IPV6]:PORT");
	listen_fails("[::1", "[IPV6]:PORT");
	listen_fails("[]:9976", "empty brackets");
	listen_fails("[1.2.3.4]:80", "not a numeric IPv6");
	listen_fails("[", "[IPV6]:PORT");
}

static void test_rejects_port(void **state)
{
	(void)state;
	listen_fails("1.2.3.4:0", "range");
	listen_fails("1.2.3.4:65536", "range");
	listen_fails("1.2.3.4:99999999999999999999999", "range");
	listen_fails("1.2.3.4:-1", "number");
	listen_fails("1.2.3.4:+1", "number");
	listen_fails("1.2.3.4:", "number");
	listen_fails("1.2.3.4:80x", "number");
	listen_fails("1.2.3.4:80 ", "number");
	listen_fails("1.2.3.4:0x50", "number");
	listen_fails("[::1]:", "number");
	listen_fails("[::1]:0", "range");
	listen_fails(":", "number");
}

static void test_rejects_long(void **state)
{
	char s[LISTEN_HOST_MAX * 4 + 16];
	size_t n;

	(void)state;
	/* LISTEN_HOST_MAX - 1 characters fit; not numeric, but no overflow */
	memset(s, '1', LISTEN_HOST_MAX - 1);
	strcpy(s + LISTEN_HOST_MAX - 1, ":80");
	listen_fails(s, "numeric");

	for (n = LISTEN_HOST_MAX; n < LISTEN_HOST_MAX * 4; n += 37) {
		memset(s, '1', n);
		strcpy(s + n, ":80");
		listen_fails(s, "too long");
		s[0] = '[';
		memset(s + 1, ':', n);
		strcpy(s + 1 + n, "]:80");
		listen_fails(s, "too long");
	}
}

UNIT_GROUP(listen_addr)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_rejects_host),
		cmocka_unit_test(test_rejects_shape),
		cmocka_unit_test(test_rejects_port),
		cmocka_unit_test(test_rejects_long),
	};

	return cmocka_run_group_tests_name("listen_addr", tests, NULL, NULL);
}
