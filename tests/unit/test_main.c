// SPDX-License-Identifier: GPL-2.0
/* Runs every group; exits non-zero if any test failed. */
#include "unit.h"

int main(void)
{
	int failed = 0;

	failed += run_parse_tests();
	failed += run_tcp_state_tests();
	failed += run_out_tests();
	failed += run_json_tests();
	failed += run_event_tests();
	failed += run_sink_tests();
	failed += run_idmap_tests();
	failed += run_portstats_tests();
	failed += run_histmap_tests();
	failed += run_prom_tests();
	failed += run_hist_fmt_tests();
	failed += run_listen_addr_tests();
	failed += run_service_tests();
	failed += run_path_tests();
	return failed ? 1 : 0;
}
