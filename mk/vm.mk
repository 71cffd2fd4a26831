# SPDX-License-Identifier: GPL-2.0
# The VM test: build/tcptrail, unchanged, on Debian's own cloud kernels in
# qemu (TCG, no KVM needed), asserted on from the host.
#   make test-vm                      every kernel of VM_SUITES, one boot each
#   make test-vm VM_SUITES=bullseye   one of them
#   make vm-kernels                   only fetch them (build/vm/SUITE/vmlinuz)
#   make ARCH=arm64 test-vm           build/arm64/tcptrail on Debian's arm64
#                                     kernels (qemu-system-aarch64 -M virt)
# Included by the top-level Makefile; alone it still knows its own targets:
#   make -f Makefile -f mk/vm.mk test-vm

# keep the including Makefile's default goal (empty when included before
# its first target: the next target parsed is then chosen, as without us)
_vm_goal := $(.DEFAULT_GOAL)

OUTPUT ?= build
CC ?= cc
PYTHON ?= /usr/bin/python3
PYTEST ?= $(PYTHON) -m pytest -v -rfEs -p no:cacheprovider
VM_OUT := $(OUTPUT)/vm
# Debian 11 (5.10), 12 (6.1), 13 (6.12); on arm64, 12 and 13
ifeq ($(ARCH),arm64)
VM_SUITES ?= bookworm trixie
else
VM_SUITES ?= bullseye bookworm trixie
endif
# the guest's busybox: a cross build's own, else the host's
VM_BUSYBOX := $(if $(SYSROOT),$(SYSROOT)/bin/busybox)

ifeq ($(V),1)
Q ?=
else
Q ?= @
endif

.PHONY: vm-kernels test-vm test-vm-build

$(VM_OUT):
	$(Q)mkdir -p $@

vm-kernels: | $(VM_OUT)
	$(Q)for s in $(VM_SUITES); do \
		tests/vm/fetch-kernel.sh $(VM_OUT)/$$s $$s $(DEB_ARCH) || exit 1; \
	done

# static: the guest's initramfs has no libc for it
$(VM_OUT)/workload: tests/vm/workload.c | $(VM_OUT) $(CROSS_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 -static $< -o $@

# what test-vm runs, built and fetched
test-vm-build: $(OUTPUT)/tcptrail $(VM_OUT)/workload vm-kernels

test-vm: test-vm-build
	$(Q)VM_SUITES="$(VM_SUITES)" VM_ARCH=$(DEB_ARCH) VM_DIR=$(VM_OUT) \
		TCPTRAIL=$(OUTPUT)/tcptrail VM_WORKLOAD=$(VM_OUT)/workload \
		VM_BUSYBOX=$(VM_BUSYBOX) $(PYTEST) tests/vm

.DEFAULT_GOAL := $(_vm_goal)
