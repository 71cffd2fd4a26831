# SPDX-License-Identifier: GPL-2.0
# The VM test: build/tcptrail, unchanged, on Debian 12's own 6.1 cloud
# kernel in qemu (TCG, no KVM needed), asserted on from the host.
#   make test-vm      fetch the kernel (cached), build, boot, pytest
#   make vm-kernel    only fetch build/vm/vmlinuz
# Included by the top-level Makefile; alone it still knows its own targets:
#   make -f Makefile -f mk/vm.mk test-vm

# keep the including Makefile's default goal (empty when included before
# its first target: the next target parsed is then chosen, as without us)
_vm_goal := $(.DEFAULT_GOAL)

OUTPUT ?= build
CC ?= cc
PYTHON ?= /usr/bin/python3
VM_OUT := $(OUTPUT)/vm

ifeq ($(V),1)
Q ?=
else
Q ?= @
endif

.PHONY: vm-kernel test-vm

$(VM_OUT):
	$(Q)mkdir -p $@

vm-kernel: | $(VM_OUT)
	$(Q)tests/vm/fetch-kernel.sh $(VM_OUT)

# static: the guest's initramfs has no libc for it
$(VM_OUT)/workload: tests/vm/workload.c | $(VM_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 -static $< -o $@

test-vm: $(OUTPUT)/tcptrail $(VM_OUT)/workload vm-kernel
	$(Q)$(PYTHON) -m pytest -v -rfE -p no:cacheprovider tests/vm

.DEFAULT_GOAL := $(_vm_goal)
