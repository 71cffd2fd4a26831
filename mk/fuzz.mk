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
# Included from the Makefile: uses its WARN, CPPFLAGS, SKEL, Q and msg.

# keep the including Makefile's default goal
_fuzz_goal := $(.DEFAULT_GOAL)

FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_SHORT_TIME ?= 5
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_DIR := $(if $(OUTPUT),$(OUTPUT),build)/fuzz
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# Every user/ file but main.c is built once, instrumented
# (-fsanitize=fuzzer-no-link), into an archive; each target links it and
# the linker takes only the members that define what the target calls,
# so no target lists its files. resolve, owners and proc #include
# sys/resolve.c, sys/holders.c and util/common.c themselves, with their
# file system calls redirected to fakes, and proc sys/proctree.c for its
# static parser (fuzz_<name>_deps): defining those files' symbols
# themselves, they never pull the archive's copies.
# Every target links the same libraries.
FUZZ_TARGETS := ports duration states addr resolve owners proc sink out \
	prom check_report hist_fmt
FUZZ_LIB_CFLAGS := -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_OBJ := $(patsubst user/%.c,$(FUZZ_DIR)/obj/%.o,$(wildcard user/*/*.c))
FUZZ_LIB := $(FUZZ_DIR)/libtcptrail-fuzz.a
FUZZ_LIBS := -lbpf -lelf -lz -levent_extra -levent_core
# prom.c, check_report.c and check_json.c walk all 65536 ports several times per call:
# comparison tracing there costs about 2/3 of the executions, guides little
$(FUZZ_DIR)/obj/output/prom.o $(FUZZ_DIR)/obj/output/check_report.o \
$(FUZZ_DIR)/obj/output/check_json.o: \
	FUZZ_OBJ_CFLAGS := -fno-sanitize-coverage=trace-cmp
fuzz_resolve_deps := user/sys/resolve.c
fuzz_owners_deps := user/sys/holders.c
fuzz_proc_deps := user/util/common.c user/sys/proctree.c

FUZZ_BINS := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
FUZZ_HDRS := $(wildcard tests/fuzz/*.h user/*/*.h bpf/*.h)

.PHONY: fuzz fuzz-short fuzz-build $(addprefix fuzz-,$(FUZZ_TARGETS))

$(FUZZ_DIR):
	$(Q)mkdir -p $@

$(FUZZ_DIR)/obj/%.o: user/%.c | $(FUZZ_DIR)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_LIB_CFLAGS) $(FUZZ_OBJ_CFLAGS) $(WARN) -std=gnu11 \
		$(CPPFLAGS) -MMD -MP -c $< -o $@
# as in the Makefile: only kernel/ includes the skeletons, made before
# its first build; then -MMD says which object needs which header
$(filter $(FUZZ_DIR)/obj/kernel/%,$(FUZZ_LIB_OBJ)): | $(SKEL)
-include $(FUZZ_LIB_OBJ:.o=.d)

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

define fuzz_rules
$(FUZZ_DIR)/$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_common.c \
		$(fuzz_$(1)_deps) $(FUZZ_LIB) $(FUZZ_HDRS) | $(FUZZ_DIR)
	$$(call msg,FUZZCC,$$@)
	$$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $$(WARN) -std=gnu11 $$(CPPFLAGS) \
		-Itests/fuzz tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_common.c \
		$(FUZZ_LIB) $(FUZZ_LIBS) -o $$@

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
