#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the VM test's initramfs (busybox sh, PID 1). Runs build/tcptrail,
# unchanged, against loopback traffic from /bin/workload, and reports on
# the serial console, for tests/vm/test_vm.py to read:
#   TT_KERNEL <uname -r>
#   TT_RESULT <step> rc=<n>          one per command
#   TT_BEGIN <name> ... TT_END <name>  a file's content, verbatim
#   TT_DONE                          every step ran
# Every step is bounded by timeout; at the end the machine powers off.
# Never exits on error: a step that fails is a result, not a stop.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# kernel messages from here on go to the dmesg dump, not between our lines
dmesg -n 1
ip link set lo up
hostname tcptrail-vm

result()
{
	echo "TT_RESULT $1 rc=$2"
}

# dump NAME FILE: FILE between markers; awk ends the last line for us
dump()
{
	echo "TT_BEGIN $1"
	[ -f "$2" ] && awk 1 "$2"
	echo "TT_END $1"
}

# bg_step NAME ARGS...: tcptrail ARGS in the background, its output in
# /tmp/NAME.out and .err; back once it says it has attached (or ended, or
# after 60 s). bg_done NAME: its result and output.
bg_step()
{
	name=$1
	shift
	timeout 60 tcptrail "$@" >"/tmp/$name.out" 2>"/tmp/$name.err" &
	tpid=$!
	i=0
	while ! grep -qE '^(Tracing|Measuring|Serving)' "/tmp/$name.err" 2>/dev/null; do
		kill -0 "$tpid" 2>/dev/null || break
		i=$((i + 1))
		[ "$i" -ge 600 ] && break
		sleep 0.1
	done
}
bg_done()
{
	wait "$tpid"
	result "$1" $?
	dump "$1.out" "/tmp/$1.out"
	dump "$1.err" "/tmp/$1.err"
}

# trace_step NAME PORT [tcptrail trace options]: trace --json for 3 s
# while the workload makes one connection to 127.0.0.1:PORT, the server
# holding CLOSE_WAIT for 300 ms (longer than a delayed ACK, so the
# client's path does not depend on timing)
trace_step()
{
	name=$1
	port=$2
	shift 2
	bg_step "$name" trace --json -d 3 --port "$port" "$@"
	timeout 30 workload clean "$port" 1 300 >"/tmp/$name.wl" 2>&1
	result "$name.workload" $?
	dump "$name.workload" "/tmp/$name.wl"
	bg_done "$name"
}

# check_step NAME [tcptrail check arguments]: --json and --junit files
# are /tmp/NAME.json and /tmp/NAME.xml
check_step()
{
	name=$1
	shift
	timeout 60 tcptrail check "$@" >"/tmp/$name.out" 2>"/tmp/$name.err"
	result "$name" $?
	dump "$name.out" "/tmp/$name.out"
	dump "$name.err" "/tmp/$name.err"
	dump "$name.json" "/tmp/$name.json"
	dump "$name.xml" "/tmp/$name.xml"
}

# a fresh line, whatever the firmware left on the last one
echo
echo "TT_KERNEL $(uname -r)"
echo "TT_PROC_VERSION $(cat /proc/version)"
echo "TT_NPROC $(nproc)"
echo "TT_BTF_SHA256 $(sha256sum /sys/kernel/btf/vmlinux | cut -d' ' -f1)"

# The syscalls' exit tracepoint held on from here to the end, so that no
# step turns it off and on again. On Debian 12's arm64 6.1 under TCG, a
# tcptrail started just after another had exited, each the tracepoint's
# only user, in 6 of 139 trace steps never had its sys_exit_accept4 program
# run (run count 0) for the workload's accept4(); in none of 40 with this
EV=/sys/kernel/tracing/events/syscalls/sys_exit_accept4/enable
[ -w "$EV" ] && echo 1 >"$EV"

# (a) what the kernel lets tcptrail do
timeout 60 tcptrail version --json >/tmp/version.out 2>/tmp/version.err
result version $?
dump version.out /tmp/version.out
dump version.err /tmp/version.err

# (b) trace with the kernel's BTF
trace_step trace 5555

# (c) the same with BTF from a file
cp /sys/kernel/btf/vmlinux /tmp/vmlinux.btf
trace_step trace-btf 5555 --btf /tmp/vmlinux.btf

# (b') the classic tracepoint fallback
trace_step trace-tp 5555 --attach tracepoint

# (b3) perf buffers in place of the ring buffer (kernels before 5.8)
trace_step trace-perf 5555 --perf-buffer

# (b'') which path each probe-and-degrade choice took: -v's summary line
timeout 60 tcptrail trace -v -d 1 >/dev/null 2>/tmp/attach.err
result attach $?
grep -E '^(attached|fexit|tp_btf)' /tmp/attach.err >/tmp/attach.out
dump attach.out /tmp/attach.out

# (d) check: a socket left in CLOSE_WAIT, held by the workload's child for
# 10 s after the workload itself exits: a leak, exit status 3
check_step check-leak --max-closewait 1s --grace 2s \
	--json /tmp/check-leak.json --junit /tmp/check-leak.xml \
	-- workload leak 5556 10000

# (e) check: three connections, every socket closed at once: exit status 0
check_step check-clean --max-closewait 1s --grace 2s \
	--json /tmp/check-clean.json --junit /tmp/check-clean.xml \
	-- workload clean 5557 3

# (f) the end of TIME_WAIT from fentry: one connection in a network
# namespace of its own; when the workload exits the namespace goes, and
# the client's time-wait socket with it, 60 s early
bg_step timeline-tw timeline -j -d 6 --port 5560
timeout 30 unshare -n sh -c 'ip link set lo up && workload clean 5560 1 100' \
	>/tmp/timeline-tw.wl 2>&1
result timeline-tw.workload $?
bg_done timeline-tw

# (f') an orphaned FIN_WAIT2: the workload's client closes first and lets
# go; the server holds its CLOSE_WAIT 300 ms, so the client's time-wait
# socket sits in FIN_WAIT2 that long before TIME_WAIT
bg_step timeline-orphan timeline -j -d 3 --port 5564
timeout 30 workload clean 5564 1 300 >/dev/null 2>&1
result timeline-orphan.workload $?
bg_done timeline-orphan

# (g) closewait, hist and export on the same exchange each: one
# connection, the server holding CLOSE_WAIT for 300 ms
bg_step closewait closewait --json -d 3 --port 5561
timeout 30 workload clean 5561 1 300 >/dev/null 2>&1
result closewait.workload $?
bg_done closewait

bg_step hist hist --json -d 3 --port 5562
timeout 30 workload clean 5562 1 300 >/dev/null 2>&1
result hist.workload $?
bg_done hist

bg_step export export --listen 127.0.0.1:9560 --port 5563
timeout 30 workload clean 5563 1 300 >/dev/null 2>&1
result export.workload $?
timeout 10 wget -q -O /tmp/export.metrics http://127.0.0.1:9560/metrics
result export.scrape $?
kill -INT "$tpid"
bg_done export
dump export.metrics /tmp/export.metrics

dmesg >/tmp/dmesg
dump dmesg /tmp/dmesg
echo TT_DONE
sync
poweroff -f
# not reached; if it were, PID 1 exiting panics and panic=-1 ends qemu
sleep 5
