# SPDX-License-Identifier: GPL-2.0
# Cross builds: make ARCH=arm64 builds build/arm64/tcptrail, fully static,
# its BPF objects against vmlinux/arm64/vmlinux.h with
# -D__TARGET_ARCH_arm64, linked against Debian 12's arm64 libraries
# unpacked into build/arm64/sysroot (scripts/cross-sysroot.sh).
#   make ARCH=arm64               the binary
#   make ARCH=arm64 test-vm       it, on Debian's arm64 kernels in qemu
#   make ARCH=arm64 vmlinux       vmlinux/arm64/vmlinux.h from Debian 12's
#                                 arm64 cloud kernel's own BTF
# Included by the Makefile before its rules: sets OUTPUT, CC, the flags.

_cross_goal := $(.DEFAULT_GOAL)

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
# ARCH -> the GNU triplet of its cross compiler and Debian's name for it
CROSS_TRIPLET_arm64 := aarch64-linux-gnu
DEB_ARCH_arm64 := arm64
DEB_ARCH_x86 := amd64
DEB_ARCH := $(DEB_ARCH_$(ARCH))

ifneq ($(ARCH),$(HOST_ARCH))
ifeq ($(CROSS_TRIPLET_$(ARCH)),)
$(error ARCH=$(ARCH): no cross build known from $(HOST_ARCH) (ARCH=arm64 is))
endif
CROSS := 1
OUTPUT := build/$(ARCH)
CC := $(CROSS_TRIPLET_$(ARCH))-gcc
SYSROOT := $(OUTPUT)/sysroot
# the triplet's directory holds the per-architecture headers (OpenSSL's)
CROSS_CPPFLAGS := -isystem $(SYSROOT)/usr/include \
	-isystem $(SYSROOT)/usr/include/$(CROSS_TRIPLET_$(ARCH))
CROSS_DEPS := $(SYSROOT)/.done
# fully static, the same libraries as make static: the guest (or host)
# needs nothing else
LIBS = -static -L$(SYSROOT)/usr/lib/$(CROSS_TRIPLET_$(ARCH)) \
	$(filter-out -static,$(LIBS_STATIC))

$(SYSROOT)/.done:
	$(Q)scripts/cross-sysroot.sh $(SYSROOT) $(DEB_ARCH)

# make vmlinux: the BTF that Debian 12's cloud kernel for ARCH serves at
# /sys/kernel/btf/vmlinux, read from its image without booting it
VMLINUX_BTF := $(OUTPUT)/vmlinux.btf
$(VMLINUX_BTF):
	tests/vm/fetch-kernel.sh $(OUTPUT)/vm/bookworm bookworm $(DEB_ARCH)
	scripts/btf-from-image.py $(OUTPUT)/vm/bookworm/vmlinuz $@
endif

.DEFAULT_GOAL := $(_cross_goal)
