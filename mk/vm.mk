# SPDX-License-Identifier: GPL-2.0
# The VM test: build/tcptrail, unchanged, on Debian's own cloud kernels in
# qemu (TCG, no KVM needed), asserted on from the host.
#   make test-vm                      every kernel of VM_SUITES, one boot each
#   make test-vm VM_SUITES=bullseye   one of them
#   make vm-kernels                   only fetch them (build/vm/SUITE/vmlinuz)
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
# Debian 11 (5.10), 12 (6.1), 13 (6.12)
VM_SUITES ?= bullseye bookworm trixie

ifeq ($(V),1)
Q ?=
else
Q ?= @
endif

.PHONY: vm-kernels test-vm

$(VM_OUT):
	$(Q)mkdir -p $@

vm-kernels: | $(VM_OUT)
	$(Q)for s in $(VM_SUITES); do \
		tests/vm/fetch-kernel.sh $(VM_OUT)/$$s $$s || exit 1; done

# static: the guest's initramfs has no libc for it
$(VM_OUT)/workload: tests/vm/workload.c | $(VM_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 -static $< -o $@

test-vm: $(OUTPUT)/tcptrail $(VM_OUT)/workload vm-kernels
	$(Q)VM_SUITES="$(VM_SUITES)" $(PYTEST) tests/vm

.DEFAULT_GOAL := $(_vm_goal)
