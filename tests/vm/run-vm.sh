#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot a Debian suite's cloud kernel in qemu (TCG: no KVM needed) with a
# minimal initramfs that runs build/tcptrail, unchanged, and its checks
# (tests/vm/init.sh); the serial console goes to VM_OUT/console.log.
#   tests/vm/run-vm.sh [SUITE]     bullseye, bookworm (default) or trixie
# Needs: build/tcptrail, build/vm/workload (make test-vm builds both),
# qemu-system-x86_64, busybox (busybox-static), apt-get (the kernel is
# fetched once, see fetch-kernel.sh).
# Environment: VM_ARCH (amd64, default, or arm64: qemu-system-aarch64 -M
# virt), TCPTRAIL (binary, default build/tcptrail), VM_WORKLOAD (default
# build/vm/workload), VM_BUSYBOX (the guest's busybox, default the host's;
# the host's always lists the applets), VM_OUT (default build/vm/SUITE), VM_TIMEOUT (seconds before qemu is killed, default 240),
# VM_MEM (default 512M), VM_SMP (default 2), VM_APPEND (extra kernel
# command line), VM_BOOT_TRIES (boots when the guest kernel panics before
# /init runs, default 2).
# Exit status: 0 when the guest ran every step (whatever their results:
# the caller reads the TT_RESULT lines), 1 otherwise, with the last 40
# lines of the console.
set -eu

cd "$(dirname "$0")/../.."
suite=${1:-bookworm}
tcptrail=${TCPTRAIL:-build/tcptrail}
out=${VM_OUT:-build/vm/$suite}
vm_timeout=${VM_TIMEOUT:-240}
log=$out/console.log
stage=$out/initramfs.d
initrd=$out/initramfs.cpio

fail()
{
	echo "run-vm: $*" >&2
	exit 1
}

workload=${VM_WORKLOAD:-build/vm/workload}
for f in "$tcptrail" "$workload"; do
	[ -x "$f" ] || fail "$f is missing: run 'make test-vm'"
done
arch=${VM_ARCH:-amd64}
case $arch in
amd64)
	qemu=qemu-system-x86_64
	set -- -accel tcg
	console=ttyS0
	;;
arm64)
	qemu=qemu-system-aarch64
	# every feature of max, but pointer authentication by QEMU's own
	# cheap algorithm rather than QARMA's: the guests' kernels sign every
	# return, and under TCG the standard one took 2.4 times as long
	# (151 s against 63 s for the arm64 suite)
	set -- -accel tcg -M virt -cpu max,pauth-impdef=on
	console=ttyAMA0
	;;
*) fail "VM_ARCH=$arch: amd64 or arm64" ;;
esac
command -v $qemu >/dev/null ||
	fail "$qemu not found (Debian: qemu-system-x86, qemu-system-arm)"
host_busybox=$(command -v busybox) || fail "busybox not found (busybox-static)"
busybox=${VM_BUSYBOX:-$host_busybox}
[ -x "$busybox" ] || fail "$busybox is missing"

tests/vm/fetch-kernel.sh "$out" "$suite" "$arch"

# copy FILE into the initramfs at DEST, with the shared libraries and the
# loader it names (ldd), at their own paths: nothing is relinked
add_bin()
{
	mkdir -p "$stage/${2%/*}"
	cp -L "$1" "$stage/$2"
	for lib in $(ldd "$1" 2>/dev/null |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage/${lib%/*}"
		cp -L "$lib" "$stage$lib"
	done
}

rm -rf "$stage"
mkdir -p "$stage"
(cd "$stage" && mkdir -p bin sbin usr/bin usr/sbin dev proc sys tmp etc root)
add_bin "$busybox" bin/busybox
for applet in $("$host_busybox" --list-full); do
	[ -e "$stage/$applet" ] || [ -L "$stage/$applet" ] ||
		ln -s /bin/busybox "$stage/$applet"
done
add_bin "$tcptrail" bin/tcptrail
add_bin "$workload" bin/workload
cp tests/vm/init.sh "$stage/init"
chmod 755 "$stage/init"
# uncompressed: quicker to unpack under TCG than to gunzip
(cd "$stage" && find . | LC_ALL=C sort | "$host_busybox" cpio -o -H newc) \
	>"$initrd"

# The guest kernel's stuck-CPU detectors (RCU stall 21 s, soft lockup 20 s,
# workqueue lockup 30 s) count host time, and under TCG, with up to five
# guests on two host cores, a vCPU thread can wait that long through no
# fault of the guest. Set to the longest each takes (300 s, 120 s, 300 s;
# a guest may run 240 s), a report from them still means a hang
stuck="rcupdate.rcu_cpu_stall_timeout=300 watchdog_thresh=60"
stuck="$stuck workqueue.watchdog_thresh=300"

# boot ONCE: run qemu, the console in $log; rc is qemu's (or timeout's) status
boot()
{
	rm -f "$log"
	rc=0
	# qemu exits 0 whatever happens in the guest: the log says what happened
	timeout -k 10 "$vm_timeout" $qemu "$@" \
		-smp "${VM_SMP:-2}" -m "${VM_MEM:-512M}" \
		-nodefaults -display none -no-reboot \
		-serial "file:$log" \
		-kernel "$out/vmlinuz" -initrd "$initrd" \
		-append "console=$console panic=-1 quiet $stuck ${VM_APPEND:-}" || rc=$?
}

rm -f "$out"/console.panic.*.log
start=$(date +%s)
boot "$@"
# Under TCG a guest kernel now and then panics in its own early boot (seen
# once: 6.12 in sched_clock_cpu, 2.7 s in; cause not known). Before
# TT_KERNEL, /init has not run and tcptrail has not been started, so that
# boot says nothing about tcptrail: boot once more, and say so. A panic
# after TT_KERNEL is a result, never retried.
tries=1
while [ "$tries" -lt "${VM_BOOT_TRIES:-2}" ] && [ "$rc" -eq 0 ] &&
	! grep -aq '^TT_KERNEL' "$log" 2>/dev/null &&
	grep -aq 'Kernel panic' "$log" 2>/dev/null; do
	echo "run-vm: the guest kernel panicked before /init ran" \
		"(tcptrail had not started); booting again. It said:" >&2
	grep -a -m 3 -E 'Kernel panic|RIP:|BUG|Oops' "$log" | tr -d '\r' >&2
	cp "$log" "$out/console.panic.$tries.log"
	tries=$((tries + 1))
	boot "$@"
done
secs=$(($(date +%s) - start))

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "run-vm: qemu killed after ${vm_timeout} s; last console lines:" >&2
elif [ "$rc" -ne 0 ]; then
	echo "run-vm: qemu failed (status $rc); last console lines:" >&2
elif ! grep -aq '^TT_DONE' "$log" 2>/dev/null; then
	echo "run-vm: the guest stopped before TT_DONE; last console lines:" >&2
	rc=1
else
	grep -a '^TT_RESULT' "$log" | tr -d '\r'
	echo "run-vm: guest ran in $secs s; console in $log"
	exit 0
fi
[ -f "$log" ] && tail -n 40 "$log" | tr -d '\r' >&2
exit 1
