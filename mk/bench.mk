# SPDX-License-Identifier: GPL-2.0
# Memory at scale and a soak under churn; neither is part of make test.
#   make scale    RSS and kernel memory while tracking 10k-200k connections
#                 (bench/scale.sh; about 5 minutes)
#   make soak     SOAK_MINUTES (10) of loopback churn under trace, timeline
#                 and closewait; RSS slope PASS/FAIL (bench/soak.sh)
# Both need root. Their knobs are environment variables, also accepted on
# the command line: make soak SOAK_MINUTES=2, make scale SCALE_N="10000 50000"
# (see the comments at the top of each script).
# Included by the top-level Makefile; alone it still knows its own targets:
#   make -f Makefile -f mk/bench.mk soak

# keep the including Makefile's default goal
_bench_goal := $(.DEFAULT_GOAL)

OUTPUT ?= build
CC ?= cc

ifeq ($(V),1)
Q ?=
else
Q ?= @
endif

export SCALE_N SCALE_MODES SCALE_ALL SETTLE SHRINK SAMPLE_DELAY KEEP
export SOAK_MINUTES SOAK_INTERVAL SOAK_MODES SOAK_CPU SOAK_THREADS SOAK_SLOPE_MAX

.PHONY: scale soak

# connection holder for scale.sh
$(OUTPUT)/hold: bench/hold.c
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 $< -o $@

scale: $(OUTPUT)/tcptrail $(OUTPUT)/hold
	$(Q)TCPTRAIL=$(OUTPUT)/tcptrail HOLD=$(OUTPUT)/hold bench/scale.sh

soak: $(OUTPUT)/tcptrail
	$(Q)TCPTRAIL=$(OUTPUT)/tcptrail bench/soak.sh

.DEFAULT_GOAL := $(_bench_goal)
