# SPDX-License-Identifier: GPL-2.0
# bpf/*.bpf.c -> .bpf.o -> .skel.h -> user/kernel/ -> ... -> user/main.c
# -> build/tcptrail (README.md, "Architecture", walks the layers)
OUTPUT := build
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
VMLINUX := vmlinux/$(ARCH)/vmlinux.h
PYTHON ?= /usr/bin/python3
# every pytest suite: in CI a skip fails unless tests/ci_skips.py allows it
PYTEST = PYTHONPATH=tests $(PYTHON) -m pytest -v -rfEs -p no:cacheprovider \
	-p ci_skips

include mk/cross.mk

CFLAGS ?= -g -O2
WARN := -Wall -Wextra -Werror
CPPFLAGS := -I$(OUTPUT) -Ibpf -Iuser $(CROSS_CPPFLAGS)
BPF_CFLAGS := -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(ARCH) -I$(dir $(VMLINUX)) -Ibpf
# libbpf, libelf and zlib linked in: the binary runs where they are absent
# libevent_openssl before OpenSSL, libssl before libcrypto; libyaml for
# --web.config.file, libcrypt for its bcrypt hashes
LIBS ?= -Wl,-Bstatic -lbpf -lelf -lz -levent_extra -levent_openssl \
	-levent_core -lyaml -lcrypt -lssl -lcrypto -Wl,-Bdynamic
LIBS_STATIC := -static -lbpf -lelf -lz -levent_extra -levent_openssl \
	-levent_core -lyaml -lcrypt -lssl -lcrypto

# user/<layer>/*.c: every file but main.c sits in a layer's folder
USER_SRC := $(wildcard user/*/*.c)
USER_OBJ := $(patsubst user/%.c,$(OUTPUT)/obj/%.o,$(USER_SRC))
UNIT_SRC := $(wildcard tests/unit/*.c)
BPF_OBJ := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(wildcard bpf/*.bpf.c))
SKEL := $(BPF_OBJ:.bpf.o=.skel.h)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

include mk/vm.mk
include mk/fuzz.mk
include mk/bench.mk
include mk/install.mk
include mk/deb.mk

.PHONY: all static image layers test test-build test-build-arm64 test-fresh test-vm-arm64 unit integration bench cost run format format-check vmlinux clean deps
.DELETE_ON_ERROR:
# kept once their skeleton is made; not every target: a missing object
# must be rebuilt even when the binary is newer than its sources
.SECONDARY: $(BPF_OBJ)

all: $(OUTPUT)/tcptrail

$(OUTPUT):
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@ # DWARF is not needed: BTF stays

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(OUTPUT)/obj/%.o: user/%.c | $(OUTPUT) $(CROSS_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(WARN) -std=gnu11 $(CPPFLAGS) -MMD -MP -c $< -o $@

# only the kernel layer includes skeletons: made before it compiles, and
# after that its -MMD dependencies say which object needs which
$(filter $(OUTPUT)/obj/kernel/%,$(USER_OBJ)): | $(SKEL)

$(OUTPUT)/tcptrail: $(OUTPUT)/obj/main.o $(USER_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

static: $(OUTPUT)/obj/main.o $(USER_OBJ)
	$(call msg,LINK,$(OUTPUT)/tcptrail-static)
	$(Q)$(CC) $(CFLAGS) -s $^ $(LIBS_STATIC) -o $(OUTPUT)/tcptrail-static

$(OUTPUT)/unit_tests: $(UNIT_SRC) $(USER_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -std=gnu11 $(CPPFLAGS) $^ $(LIBS) -lcmocka -o $@

# export alone in a FROM scratch image (scripts/container/Containerfile);
# the build context is build/, which holds the static binary
IMAGE ?= localhost/tcptrail:latest
PODMAN ?= podman
image: static
	$(call msg,IMAGE,$(IMAGE))
	$(Q)$(PODMAN) build -q -f scripts/container/Containerfile -t $(IMAGE) $(OUTPUT)

# the same tests again under AddressSanitizer and UndefinedBehaviorSanitizer
SAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
$(OUTPUT)/unit_tests_san: $(UNIT_SRC) $(USER_SRC) $(SKEL)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_FLAGS) $(WARN) -std=gnu11 $(CPPFLAGS) $(UNIT_SRC) \
		$(USER_SRC) -lbpf -lelf -lz -levent_extra -levent_openssl \
		-levent_core -lyaml -lcrypt -lssl -lcrypto -lcmocka -o $@

unit: $(OUTPUT)/unit_tests $(OUTPUT)/unit_tests_san
	$(Q)$(OUTPUT)/unit_tests
	$(Q)$(OUTPUT)/unit_tests_san

# Most files run side by side, a file to a worker (pytest-xdist): each
# test asserts only on its own ports, namespace or cgroup, and spends most
# of its time waiting on the kernel. The files and tests marked serial
# look at the whole machine or need it quiet: they run after, one at a
# time, even when the first part failed (the status is both parts')
INTEGRATION_JOBS ?= 2
integration: $(OUTPUT)/tcptrail
	$(Q)$(PYTEST) -n $(INTEGRATION_JOBS) --dist loadfile -m "not serial" \
		--durations=15 tests/integration; a=$$?; \
	$(PYTEST) -m serial --durations=15 tests/integration; b=$$?; \
	[ $$a -eq 0 ] && [ $$b -eq 0 ]

# on an x86_64 host, the arm64 build on arm64 kernels too (cross.mk)
ifeq ($(HOST_ARCH)$(CROSS),x86)
TEST_CROSS := test-vm-arm64
endif
NPROC := $(shell nproc 2>/dev/null || echo 1)
# What the suites run is built first, a job per CPU; then the suites run
# one after another, never side by side: their loads would overlap
# (integration spreads its own files: see above). The guests are the
# exception: their load stays in qemu, so the arm64 ones boot beside the
# x86_64 ones (each suite's output kept whole)
test:
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) test-build
	$(Q)$(MAKE) --no-print-directory -j1 layers unit fuzz-short integration
	$(Q)$(MAKE) --no-print-directory -j2 -Otarget test-vm $(TEST_CROSS)

test-build: $(OUTPUT)/tcptrail $(OUTPUT)/unit_tests $(OUTPUT)/unit_tests_san \
	fuzz-build test-vm-build $(TEST_CROSS:test-vm-%=test-build-%)

# a make of its own: nothing set on this command line (CC, OUTPUT,
# VM_SUITES) is meant for the cross build
test-vm-arm64 test-build-arm64: MAKEOVERRIDES :=
test-vm-arm64:
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 test-vm
test-build-arm64:
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 test-vm-build

# the README's two commands on a fresh Debian 12 (debootstrap, its tarball
# cached in /var/cache/tcptrail), with HEAD copied in: scripts/test-fresh.sh
test-fresh:
	$(Q)scripts/test-fresh.sh

bench: $(OUTPUT)/tcptrail
	$(Q)bench/run.sh

# the benchmark's connection churn (bench/run.sh also builds it if missing)
$(OUTPUT)/churn: bench/churn.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 -pthread $< -o $@

# user-space instructions per event (valgrind callgrind)
cost: $(OUTPUT)/tcptrail $(OUTPUT)/churn
	$(Q)bench/cost.sh

run: $(OUTPUT)/tcptrail
	$(OUTPUT)/tcptrail trace

deps:
	scripts/install-deps.sh

FORMAT_SRC = $(wildcard bpf/*.c bpf/*.h user/*.c user/*/*.c user/*/*.h tests/unit/*.c bench/*.c)
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	clang-format --dry-run -Werror $(FORMAT_SRC)

# no include in user/ runs upward (README.md, "How it works")
layers:
	$(Q)$(PYTHON) scripts/check-layers.py

# the running kernel's BTF; for a cross ARCH, Debian 12's kernel's (cross.mk)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
vmlinux: $(VMLINUX_BTF)
	mkdir -p $(dir $(VMLINUX))
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $(VMLINUX)

clean:
	rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/obj/*.d $(OUTPUT)/obj/*/*.d)
