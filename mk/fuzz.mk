# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets: tests/fuzz/fuzz_<name>.c -> build/fuzz/<name>
#
#   make fuzz          every target for FUZZ_TIME seconds (default 60)
#   make fuzz-short    every target for FUZZ_SHORT_TIME seconds (default 5)
#   make fuzz-<name>   one target for FUZZ_TIME seconds
#   make fuzz-build    build them only
#
# fuzz and fuzz-short run FUZZ_JOBS targets at a time (default: one per
# CPU). Each run starts from the seeds in tests/fuzz/corpus/<name>/ plus
# what earlier runs found in build/fuzz/corpus/<name>/, the only place
# new inputs are written. A crash, leak, timeout or failed check fails
# the run and leaves the input in build/fuzz/artifacts/; reproduce with
# build/fuzz/<name> build/fuzz/artifacts/<name>-crash-...
# Included from the Makefile: uses its WARN, CPPFLAGS, Q and msg.

# keep the including Makefile's default goal
_fuzz_goal := $(.DEFAULT_GOAL)

FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_SHORT_TIME ?= 5
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_DIR := $(if $(OUTPUT),$(OUTPUT),build)/fuzz
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# target -> the user/ files it links; resolve, owners and proc #include
# filter.c, owners.c and common.c themselves, with their file system
# calls redirected to fakes
FUZZ_TARGETS := ports duration states addr resolve owners proc sink out \
	prom check_report hist_fmt
fuzz_user_ports := util/parse.c model/filter.c model/tcp_state.c util/common.c
fuzz_user_duration := util/parse.c util/common.c
fuzz_user_states := model/tcp_state.c util/common.c
fuzz_user_addr := cli/listen_addr.c model/service.c util/parse.c util/common.c
fuzz_user_resolve := util/parse.c model/tcp_state.c util/common.c
fuzz_user_owners := util/common.c
fuzz_user_proc := sys/proctree.c
fuzz_user_sink := output/sink.c output/sink_text.c output/sink_json.c output/textfmt.c output/out.c model/event.c \
	model/tcp_state.c util/common.c
fuzz_user_out := output/out.c output/textfmt.c output/sink.c model/event.c util/common.c
fuzz_user_prom := output/prom.c kernel/histmap.c output/out.c model/tcp_state.c util/common.c
fuzz_user_check_report := output/check_report.c model/check_rules.c model/idmap.c model/portstats.c \
	model/service.c model/event.c output/textfmt.c output/sink.c output/out.c model/tcp_state.c util/common.c
fuzz_user_hist_fmt := output/hist_fmt.c kernel/histmap.c model/service.c output/textfmt.c output/sink.c \
	model/event.c output/out.c model/tcp_state.c util/common.c
# libbpf: prom.c prints its version, histmap.c reads maps with it
fuzz_libs_prom := -lbpf
fuzz_libs_hist_fmt := -lbpf
# prom.c and check_report.c walk all 65536 ports several times per call:
# comparison tracing there costs about 2/3 of the executions, guides little
fuzz_cflags_prom := -fno-sanitize-coverage=trace-cmp
fuzz_cflags_check_report := -fno-sanitize-coverage=trace-cmp
fuzz_resolve_deps := user/sys/resolve.c
fuzz_owners_deps := user/sys/holders.c
fuzz_proc_deps := user/util/common.c

FUZZ_BINS := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
FUZZ_HDRS := $(wildcard tests/fuzz/*.h user/*/*.h bpf/*.h)

.PHONY: fuzz fuzz-short fuzz-build $(addprefix fuzz-,$(FUZZ_TARGETS))

$(FUZZ_DIR):
	$(Q)mkdir -p $@

define fuzz_rules
$(FUZZ_DIR)/$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_common.c \
		$(addprefix user/,$(fuzz_user_$(1))) $(fuzz_$(1)_deps) \
		$(FUZZ_HDRS) | $(FUZZ_DIR)
	$$(call msg,FUZZCC,$$@)
	$$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(fuzz_cflags_$(1)) $$(WARN) \
		-std=gnu11 $$(CPPFLAGS) \
		-Itests/fuzz tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_common.c \
		$(addprefix user/,$(fuzz_user_$(1))) $(fuzz_libs_$(1)) -o $$@

fuzz-$(1): $(FUZZ_DIR)/$(1)
	$$(Q)tests/fuzz/run.sh $$< $(1) $$(FUZZ_TIME) $(FUZZ_DIR)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rules,$(t))))

# every target, FUZZ_JOBS at a time; fails if any one does
fuzz_all = printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_JOBS) -I{} \
	tests/fuzz/run.sh $(FUZZ_DIR)/{} {} $(1) $(FUZZ_DIR)

fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	$(Q)$(call fuzz_all,$(FUZZ_TIME))
fuzz-short: $(FUZZ_BINS)
	$(Q)$(call fuzz_all,$(FUZZ_SHORT_TIME))

.DEFAULT_GOAL := $(_fuzz_goal)
