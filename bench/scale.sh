#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale: what tcptrail costs in memory while it follows many concurrent
# connections. For each N, bench/hold.c opens N idle loopback connections
# (both ends local: 2N sockets) in a network namespace of its own, with one
# tcptrail mode attached before the first connect; once all are
# ESTABLISHED, and again once every accepted socket is in CLOSE_WAIT (the
# clients half-close), the script reads:
#   - the tracer's VmRSS/VmHWM (/proc/PID/status), and VmHWM up to its exit
#     (polled while it prints its exit summary)
#   - the kernel map memory it holds: 'memlock' of every map it has open
#     or its programs use (/proc/PID/fdinfo, bpftool)
#   - the memory charged to the sockets themselves: BPF socket storage
#     (which tcptrail does not use: its per-socket tables are hashes, in
#     memlock above; another tracer's would show here) goes to the socket's
#     option memory, which ss -m prints as o<bytes>; and the growth of
#     Slab in /proc/meminfo, against the same run without a tracer
# Then it fits RSS = a + b*N per mode and extrapolates to 1,000,000.
#
# Environment:
#   SCALE_N="10000 50000 100000 200000"   connection counts
#   SCALE_MODES="baseline timeline timeline-cap closewait check hist trace"
#                  (not by default: check-open, check with --fail-on-open)
#   TCPTRAIL=build/tcptrail  HOLD=build/hold (built with ${CC:-cc} if missing)
#   SETTLE=1       seconds to wait after a tracer attached
#   SHRINK=1       drop unused dentries/inodes and shrink slab caches before
#                  each Slab reading (steadier deltas; nothing to restore)
#   SAMPLE_DELAY=3 seconds from all connections up to the first sample
#   SCALE_CW_LIST_MAX=N  closewait's --list-max (default: tcptrail's)
#   SCALE_ALL=1    trace the whole host, not only the namespace (--netns):
#                  other traffic then adds to what the tracers hold
#   KEEP=1         keep the temporary directory with all outputs
#
# RLIMIT_NOFILE: hold raises its soft limit to the hard one and forks
# workers for the rest (raising the hard limit needs CAP_SYS_RESOURCE).
# Ephemeral ports: the namespace has its own ip_local_port_range, and hold
# spreads connections over 32 source addresses x 4 listeners per worker;
# no sysctl of the host is changed.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TCPTRAIL=${TCPTRAIL:-$ROOT/build/tcptrail}
HOLD=${HOLD:-$ROOT/build/hold}
SCALE_N=${SCALE_N:-10000 50000 100000 200000}
DEFAULT_MODES="baseline timeline timeline-cap closewait check hist trace"
SCALE_MODES=${SCALE_MODES:-$DEFAULT_MODES}
SETTLE=${SETTLE:-1}
SHRINK=${SHRINK:-1}
SAMPLE_DELAY=${SAMPLE_DELAY:-3}
SCALE_ALL=${SCALE_ALL:-0}
KEEP=${KEEP:-0}

ATTACH_TIMEOUT=20	# s
READY_TIMEOUT=300	# s: hold opening its connections
QUIET_TIMEOUT=60	# s: a tracer still busy after this is sampled anyway
STOP_TIMEOUT=120	# s: printing 2N open connections at exit takes a while
KERNEL_PER_SOCK=8192	# bytes: generous kernel cost of one idle socket
TARGET_MIB=64		# the issue's RSS target at 1M connections

die()
{
	echo "scale.sh: $*" >&2
	exit 2
}

note()
{
	echo "scale.sh: $*" >&2
}

# The modes. For mode $1 and connection count $2 set:
#   CMD     tracer command line (empty: no tracer)
#   VERIFY  how to check it followed everything at exit: open (timeline
#           --open lines with "open":true), cwopen (closewait summary's
#           still-open list, and those it counted past --list-max), ckleak (check's count of sockets left in
#           CLOSE_WAIT, from its JSON verdict), none
#   WANT    how many of those to expect
mode_def()
{
	local n=$2 filter=()

	# only this namespace: other traffic on the host is not counted
	((SCALE_ALL)) || filter=(--netns "$NS")
	CMD=()
	VERIFY=none
	WANT=0
	case $1 in
	baseline) ;;
	timeline)
		# sized for the load: every socket plus the listeners
		CMD=("$TCPTRAIL" timeline --open -j --max-conns $((2 * n + 4096)) "${filter[@]}")
		VERIFY=open
		WANT=$((2 * n))
		;;
	timeline-cap)
		# the default --max-conns (65536): bounded, drops the rest
		CMD=("$TCPTRAIL" timeline --open -j "${filter[@]}")
		VERIFY=open
		WANT=$((2 * n))
		;;
	closewait)
		CMD=("$TCPTRAIL" closewait -j --max-open $((n + 4096))
			${SCALE_CW_LIST_MAX:+--list-max "$SCALE_CW_LIST_MAX"} "${filter[@]}")
		VERIFY=cwopen
		WANT=$n
		;;
	check)
		# host mode: every held connection is a leak at the end
		CMD=("$TCPTRAIL" check --max-closewait off
			--json "${TMP:-/tmp}/check.$n.json" "${filter[@]}")
		VERIFY=ckleak
		WANT=$n
		;;
	check-open)
		# and a record for every open socket (--fail-on-open)
		CMD=("$TCPTRAIL" check --max-closewait off --fail-on-open
			--json "${TMP:-/tmp}/check.$n.json" "${filter[@]}")
		VERIFY=ckleak
		WANT=$n
		;;
	hist)
		CMD=("$TCPTRAIL" hist -j "${filter[@]}")
		;;
	trace)
		CMD=("$TCPTRAIL" trace -j "${filter[@]}")
		;;
	*)
		return 1
		;;
	esac
}

# /proc/PID/status field $2 in kB, or empty once the process is gone
status_kb()
{
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

# Bytes in active slab objects: "all kmalloc-cg" (the kmalloc-cg-* caches
# hold memcg-accounted allocations, socket storage among them)
slab_bytes()
{
	awk 'NR > 2 {
			b = $2 * $4
			all += b
			if ($1 ~ /^kmalloc-cg-/)
				cg += b
		}
		END { printf "%d %d\n", all, cg }' /proc/slabinfo
}

meminfo_kb()
{
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

cpu_ticks()
{
	local stat f

	{ stat=$(<"/proc/$1/stat"); } 2>/dev/null || { echo 0; return; }
	stat=${stat##*) }
	read -r -a f <<<"$stat"
	echo $((f[11] + f[12]))
}

wait_attached()
{
	local pid=$1 i fds

	for ((i = 0; i < ATTACH_TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		fds=$(ls -l "/proc/$pid/fd" 2>/dev/null || true)
		[[ $fds == *bpf_link* || $fds == *perf_event* ]] && return 0
		sleep 0.1
	done
	note "pid $pid: no BPF link after ${ATTACH_TIMEOUT}s, going on anyway"
}

# Until the tracer has used no CPU for a second: it has read all events.
wait_quiet()
{
	local pid=$1 last now still=0 i

	[[ -n $pid ]] || return 0
	last=$(cpu_ticks "$pid")
	for ((i = 0; i < QUIET_TIMEOUT * 4; i++)); do
		sleep 0.25
		now=$(cpu_ticks "$pid")
		if ((now == last)); then
			((++still >= 4)) && return 0
		else
			still=0
		fi
		last=$now
	done
	note "pid $pid still busy after ${QUIET_TIMEOUT}s"
}

# Wait for a line matching ERE $2 in file $1; print it.
wait_line()
{
	local file=$1 re=$2 timeout=$3 i line

	for ((i = 0; i < timeout * 10; i++)); do
		line=$(grep -E -m1 "$re" "$file" 2>/dev/null || true)
		if [[ -n $line ]]; then
			echo "$line"
			return 0
		fi
		kill -0 "$HOLD_PID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# Drop unused dentries and inodes (a /proc walk by anything on the host
# leaves one per file descriptor it looked at) and empty slabs, so that
# Slab deltas count what the sockets and the tracer hold.
shrink_slabs()
{
	local f

	((SHRINK)) || return 0
	sync
	echo 2 >/proc/sys/vm/drop_caches 2>/dev/null || true
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null || true
	done
}

# Map ids of process $1: its map fds and the maps its programs use.
map_ids()
{
	local pid=$1 f ids progs p

	ids=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | awk '$1 == "map_id:" { print $2 }')
	progs=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -u)
	for p in $progs; do
		f=$(bpftool -j prog show id "$p" 2>/dev/null || true)
		ids+=$'\n'$(sed -n 's/.*"map_ids":\[\([0-9,]*\)\].*/\1/p' <<<"$f" | tr ',' '\n')
	done
	sort -un <<<"$ids" | sed '/^$/d'
}

# One line per map: id name type max_entries memlock, for process $1.
maps_of()
{
	local id j

	for id in $(map_ids "$1"); do
		j=$(bpftool -j map show id "$id" 2>/dev/null) || continue
		/usr/bin/python3 -c '
import json, sys
m = json.loads(sys.argv[1])
print(m["id"], m.get("name", "-"), m["type"], m["max_entries"],
      m.get("bytes_memlock", 0))' "$j"
	done
}

# Sum of the option memory (socket storage) of the namespace's TCP
# sockets, and how many sockets: "bytes sockets"
omem_sum()
{
	ip netns exec "$NS" ss -tmnH 2>/dev/null | awk '
		/skmem:/ {
			if (match($0, /,o[0-9]+,/)) {
				s += substr($0, RSTART + 2, RLENGTH - 3)
				n++
			}
		}
		END { printf "%d %d\n", s, n }'
}

# Rss of process $1's mappings of BPF maps (the ring buffer, mapped twice), kB
bpf_mapped_kb()
{
	awk '/^[0-9a-f]+-[0-9a-f]+ / { bpf = ($6 == "anon_inode:bpf-map") }
		bpf && $1 == "Rss:" { s += $2 }
		END { print s + 0 }' "/proc/$1/smaps" 2>/dev/null || echo 0
}

# sk_storage maps loaded on the host: another tracer's add to every socket
sk_maps_total()
{
	bpftool map show 2>/dev/null | grep -c ' sk_storage ' || true
}

stop_tracer()
{
	local pid=$1 sig i hwm peak

	# a zombie has no VmHWM: start from the one before the signal
	peak=$(status_kb "$pid" VmHWM)
	peak=${peak:-0}

	for sig in INT TERM KILL; do
		kill -s "$sig" "$pid" 2>/dev/null || break
		for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
			hwm=$(status_kb "$pid" VmHWM)
			[[ -n $hwm ]] || break 2
			((hwm > peak)) && peak=$hwm
			sleep 0.1
		done
		note "pid $pid ignored SIG$sig"
	done
	wait "$pid" 2>/dev/null || true
	echo "$peak"
}

start_hold()
{
	local n=$1

	rm -f "$TMP/ctl"
	mkfifo "$TMP/ctl"
	: >"$TMP/hold.out"
	ip netns exec "$NS" "$HOLD" -n "$n" <"$TMP/ctl" >"$TMP/hold.out" \
		2>"$TMP/hold.err" &
	HOLD_PID=$!
	exec {CTL}>"$TMP/ctl"
}

end_hold()
{
	[[ -n ${HOLD_PID:-} ]] || return 0
	if [[ -n ${CTL:-} ]]; then
		{ echo quit >&"$CTL"; } 2>/dev/null || true
		exec {CTL}>&-
		CTL=
	fi
	wait "$HOLD_PID" 2>/dev/null || true
	HOLD_PID=
}

# One run: mode $1 with $2 connections. Appends a line to $RESULTS.
run_one()
{
	local mode=$1 n=$2 out err tpid="" rss0=- rss_est=- hwm_est=- rss_cw=-
	local peak=- slab0 slab1 cg0 cg1 om socks memlock=- lost=- got=-
	local ready opened half cw ok=ok msgs='' mapped=- others t_ready missed=-

	mode_def "$mode" "$n"
	out=$TMP/$mode.$n.out
	err=$TMP/$mode.$n.err
	: >"$err"
	if ((${#CMD[@]})); then
		set -m
		"${CMD[@]}" >"$out" 2>"$err" </dev/null &
		tpid=$!
		set +m
		TRACER_PID=$tpid
		if ! wait_attached "$tpid"; then
			note "$mode: tracer exited before attaching:"
			sed 's/^/  /' "$err" >&2
			TRACER_PID=
			return 1
		fi
		sleep "$SETTLE"
		rss0=$(status_kb "$tpid" VmRSS)
	fi
	shrink_slabs
	sleep 0.5
	read -r slab0 cg0 < <(slab_bytes)
	cp /proc/slabinfo "$TMP/$mode.$n.slab0"

	start_hold "$n"
	if ! ready=$(wait_line "$TMP/hold.out" '^ready ' "$READY_TIMEOUT"); then
		note "$mode N=$n: hold did not get its connections up:"
		sed 's/^/  /' "$TMP/hold.err" >&2
		end_hold
		[[ -n $tpid ]] && stop_tracer "$tpid" >/dev/null
		TRACER_PID=
		return 1
	fi
	opened=$(awk '{ print $3 }' <<<"$ready")
	t_ready=$(date +%s.%N)
	wait_quiet "$tpid"
	# the same delay for every mode (a /proc/*/fd walk by anything on the
	# host adds a /proc inode per socket; shrink_slabs drops those)
	sleep "$(awk -v t="$t_ready" -v now="$(date +%s.%N)" -v d="$SAMPLE_DELAY" \
		'BEGIN { s = t + d - now; printf "%.2f", (s > 0 ? s : 0) }')"

	# all ESTABLISHED
	shrink_slabs
	read -r slab1 cg1 < <(slab_bytes)
	cp /proc/slabinfo "$TMP/$mode.$n.slab1"
	read -r om socks < <(omem_sum)
	if [[ -n $tpid ]]; then
		rss_est=$(status_kb "$tpid" VmRSS)
		hwm_est=$(status_kb "$tpid" VmHWM)
		maps_of "$tpid" >"$TMP/$mode.$n.maps"
		memlock=$(awk '{ s += $5 } END { print s + 0 }' "$TMP/$mode.$n.maps")
		mapped=$(bpf_mapped_kb "$tpid")
	fi
	# tcptrail has no sk_storage map: any loaded is another tracer's
	others=$(sk_maps_total)

	# every accepted socket in CLOSE_WAIT
	echo half >&"$CTL"
	half=$(wait_line "$TMP/hold.out" '^half ' 60 || true)
	cw=$(awk '{ print $2 }' <<<"$half")
	[[ $cw == "$n" ]] || note "$mode N=$n: only ${cw:-0} sockets in CLOSE_WAIT"
	wait_quiet "$tpid"
	if [[ -n $tpid ]]; then
		rss_cw=$(status_kb "$tpid" VmRSS)
		kill -0 "$tpid" 2>/dev/null || ok=DIED
		# the connections stay open while it prints its exit summary
		peak=$(stop_tracer "$tpid")
		TRACER_PID=
		lost=$(grep -oE '[0-9]+ lost' "$err" | awk '{ s += $1 } END { print s + 0 }')
		missed=$(grep -oE '[0-9]+ missed' "$err" | awk '{ s += $1 } END { print s + 0 }')
		case $VERIFY in
		open) got=$(grep -c '"open":true' "$out" || true) ;;
		cwopen) got=$(( $(grep -o '"age_ms":' "$out" | wc -l) +
			$(grep -oE '"open_not_listed":[0-9]+' "$out" |
				cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }') )) ;;
		ckleak) got=$(grep -oE '"leak":[0-9]+' "$TMP/check.$n.json" |
			cut -d: -f2 || echo 0) ;;
		esac
		# what tcptrail said besides its banner and summary
		msgs=$(grep -vE '^(Tracing|Measuring)|^tcptrail: [0-9]+ events' "$err" |
			tr '\n' ' ' | cut -c1-160 || true)
		if [[ $VERIFY != none && $got -lt $WANT ]]; then
			# the default table size is meant to drop the rest
			[[ $mode == timeline-cap ]] && ok=capped || ok=MISSED
		fi
	fi
	[[ $KEEP == 1 ]] || rm -f "$out"
	end_hold
	sleep 1	# sockets and their storage are freed after an RCU grace period

	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$mode" "$n" "$opened" "$rss0" "$rss_est" "$hwm_est" "$rss_cw" \
		"$peak" "$(((slab1 - slab0) / 1024))" "$(((cg1 - cg0) / 1024))" "$om" "$socks" \
		"$memlock" "$lost" "$got/$WANT" "$ok" "$msgs" "$mapped" "$others" "$missed" >>"$RESULTS"
	((others == 0)) || note "  $others other sk_storage map(s) loaded (another tracer?): omem and Slab include theirs"
	note "$(printf '%-12s N=%-7s open %ss  rss est %s cw %s peak %s kB  slab +%s kB  omem %s B/%s socks  memlock %s  lost %s  missed %s  followed %s %s' \
		"$mode" "$n" "$opened" "$rss_est" "$rss_cw" "$peak" \
		"$(((slab1 - slab0) / 1024))" "$om" "$socks" "$memlock" "$lost" "$missed" "$got/$WANT" "$ok")"
	[[ -z $msgs ]] || note "  tcptrail said: $msgs"
}

report()
{
	local mode f last

	echo
	echo "tcptrail scale: $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo);" \
		"N idle loopback connections = 2N sockets, one netns"
	echo
	echo "Per run (RSS in MiB; est: all ESTABLISHED; cw: servers in CLOSE_WAIT; peak: VmHWM up to exit)"
	awk -F '\t' '
		function mib(v) { return v == "-" ? "-" : sprintf("%.1f", v / 1024) }
		BEGIN {
			fmt = "%-12s %7s %6s %6s %7s %7s %7s %7s %8s %7s %7s %4s %8s %6s %6s %13s %s\n"
			printf fmt, "mode", "N", "open_s", "idle", "est", "cw",
			       "peak", "bpfmap", "slab+MiB", "cg+MiB", "omem/sk", "oth",
			       "memlkMiB", "lost", "missed", "followed", "status"
		}
		{
			om = $12 > 0 ? sprintf("%.0f", $11 / $12) : "-"
			ml = $13 == "-" ? "-" : sprintf("%.2f", $13 / 1048576)
			printf fmt, $1, $2, $3, mib($4), mib($5), mib($7), mib($8),
			       mib($18), sprintf("%.1f", $9 / 1024),
			       sprintf("%.1f", $10 / 1024), om, $19, ml, $14, $20,
			       $15 == "-/0" ? "-" : $15, $16
		}' "$RESULTS"
	echo "idle: before the first connection; bpfmap: Rss of the BPF maps mapped into the"
	echo "tracer (the ring buffer, mapped twice), part of est; slab+: growth of active"
	echo "slab objects (/proc/slabinfo) while the connections opened, cg+: of those in"
	echo "kmalloc-cg-* caches (where socket storage goes); omem/sk: option memory charged"
	echo "per socket (ss -m); oth: sk_storage maps loaded on the host (another tracer: its"
	echo "storage is in omem and slab too); lost, missed: from tcptrail's exit summary"
	echo "(ring buffer full; program not run: recursion); followed: open connections"
	echo "tcptrail printed at exit (timeline --open lines, closewait's still-open list)."

	echo
	echo "Fit RSS = a + b*N over N (least squares; N = connections = 2N sockets);"
	echo "RSS taken at est for timeline, at cw for closewait, the larger of the two otherwise."
	awk -F '\t' -v target="$TARGET_MIB" '
		function fit(m,    i, sx, sy, sxx, sxy, n, d) {
			n = cnt[m]
			for (i = 1; i <= n; i++) {
				sx += X[m, i]; sy += Y[m, i]
				sxx += X[m, i] * X[m, i]; sxy += X[m, i] * Y[m, i]
			}
			d = n * sxx - sx * sx
			if (n < 2 || d == 0) { A = n ? sy / n : 0; B = 0; return }
			B = (n * sxy - sx * sy) / d
			A = (sy - B * sx) / n
		}
		# through the origin: no connections, no growth
		function ofit(m, V,    i, sxx, sxy) {
			for (i = 1; i <= kc[m]; i++) {
				sxx += KX[m, i] * KX[m, i]; sxy += KX[m, i] * V[m, i]
			}
			return sxx ? sxy / sxx : 0
		}
		{
			m = $1
			if (!(m in cnt)) order[++nm] = m
			i = ++cnt[m]
			X[m, i] = $2
			# kernel fits: only runs with no socket storage of another
			# tracer in them (none loaded at the sample, and none
			# on the sockets of a baseline run)
			if ($19 == 0 && (m != "baseline" || $11 == 0)) {
				j = ++kc[m]
				KX[m, j] = $2
				S[m, j] = $9 * 1024
				C[m, j] = $10 * 1024
			}
			if (m == "timeline" || m == "timeline-cap") r = $5
			else if (m == "closewait") r = $7
			else r = ($5 + 0 > $7 + 0) ? $5 : $7
			Y[m, i] = (r == "-") ? 0 : r * 1024
			if ($12 + 0 > 0 && $19 == 0) { om[m] += $11; sk[m] += $12 }
		}
		END {
			hb = kc["baseline"] > 0
			sb = hb ? ofit("baseline", S) : 0
			cb = hb ? ofit("baseline", C) : 0
			fmt = "%-12s %7s %9s %9s %14s %14s %5s %10s %9s %9s\n"
			printf fmt, "mode", "a_MiB", "b_B/conn", "b_B/sock", "RSS@1Mconn_MiB",
			       "RSS@1Msock_MiB", "<64?", "slab_B/sk", "cg_B/sk", "omem_B/sk"
			for (k = 1; k <= nm; k++) {
				m = order[k]
				o = sk[m] ? sprintf("%.0f", om[m] / sk[m]) : "-"
				if (m == "baseline") {
					printf fmt, m, "-", "-", "-", "-", "-", "-",
					       hb ? sprintf("(%.0f)", sb / 2) : "-",
					       hb ? sprintf("(%.0f)", cb / 2) : "-", o
					continue
				}
				ks = hb && kc[m] ? sprintf("%.0f", (ofit(m, S) - sb) / 2) : "-"
				kg = hb && kc[m] ? sprintf("%.0f", (ofit(m, C) - cb) / 2) : "-"
				fit(m)
				r1 = (A + B * 1e6) / 1048576
				r2 = (A + B * 5e5) / 1048576
				printf fmt, m, sprintf("%.1f", A / 1048576),
				       sprintf("%.0f", B), sprintf("%.0f", B / 2),
				       sprintf("%.0f", r1), sprintf("%.0f", r2),
				       r1 < target ? "yes" : "no", ks, kg, o
			}
		}' "$RESULTS"
	echo "a, b: RSS = a + b*N; b_B/sock = b/2 (N connections are 2N sockets here)."
	echo "RSS@1Mconn: 1,000,000 connections with both ends on this host (2M sockets),"
	echo "extrapolated from the fit; RSS@1Msock: 1,000,000 sockets (a server whose"
	echo "clients are remote), a + b*500000. slab_B/sk, cg_B/sk: kernel slab per socket"
	echo "over the untraced baseline (fit through 0; in parentheses: the baseline's own,"
	echo "what an idle socket costs untraced). slab, cg and omem use only the runs with"
	echo "no other tracer's socket storage (oth 0; a baseline with omem 0); '-': none."
	echo "timeline is run with --max-conns 2N+4096 and closewait with --max-open"
	echo "N+4096: their tables are allocated for that many entries up front, in power-of-two"
	echo "steps, so RSS follows the configured size, not just the connections seen."

	echo
	echo "Kernel maps per mode (memlock, largest N; it does not depend on N):"
	last=${SCALE_N##* }
	for mode in $SCALE_MODES; do
		f=$TMP/$mode.$last.maps
		[[ -s $f ]] || continue
		awk -v m="$mode" '
			{ printf "  %-12s %-16s %-14s %10s %12d\n", m, $2, $3, $4, $5; s += $5 }
			END { printf "  %-12s %-16s %-14s %10s %12d  (%.2f MiB)\n", m, "total", "", "", s, s / 1048576 }' "$f"
	done
}

cleanup()
{
	local rc=$?

	if [[ -n ${TRACER_PID:-} ]]; then
		kill -s INT "$TRACER_PID" 2>/dev/null || true
		sleep 1
		kill -s KILL "$TRACER_PID" 2>/dev/null || true
	fi
	if [[ -n ${CTL:-} ]]; then
		exec {CTL}>&- || true
	fi
	if [[ -n ${HOLD_PID:-} ]]; then
		sleep 0.5
		kill "$HOLD_PID" 2>/dev/null || true
		wait "$HOLD_PID" 2>/dev/null || true
	fi
	if [[ -n ${NS:-} ]]; then
		ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$NS" 2>/dev/null || true
	fi
	if [[ -n ${TMP:-} ]]; then
		if [[ $KEEP == 1 ]]; then
			note "outputs kept in $TMP"
		else
			rm -rf -- "$TMP"
		fi
	fi
	exit "$rc"
}

main()
{
	local n m avail t0

	((EUID == 0)) || die "must run as root: tcptrail loads BPF programs"
	[[ -x $TCPTRAIL ]] || die "$TCPTRAIL not found: run make first"
	command -v bpftool >/dev/null || die "bpftool not found"
	for m in $SCALE_MODES; do
		NS=x mode_def "$m" 1 || die "unknown mode '$m' (known: $DEFAULT_MODES check-open)"
	done
	for n in $SCALE_N; do
		[[ $n =~ ^[1-9][0-9]*$ ]] || die "SCALE_N: '$n' is not a count"
		avail=$(meminfo_kb MemAvailable)
		((2 * n * KERNEL_PER_SOCK / 1024 < avail / 2)) ||
			die "N=$n: 2N sockets may need more than half of MemAvailable ($avail kB)"
	done
	if [[ ! -x $HOLD || $ROOT/bench/hold.c -nt $HOLD ]]; then
		mkdir -p -- "$(dirname -- "$HOLD")"
		note "building $HOLD"
		"${CC:-cc}" -O2 -Wall -o "$HOLD" "$ROOT/bench/hold.c" || die "cannot build $HOLD"
	fi

	TMP=$(mktemp -d /dev/shm/tcptrail-scale.XXXXXX 2>/dev/null ||
		mktemp -d "${TMPDIR:-/tmp}/tcptrail-scale.XXXXXX")
	RESULTS=$TMP/results.tsv
	: >"$RESULTS"
	TRACER_PID=
	HOLD_PID=
	CTL=
	NS=tcptrail-scale-$$
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns add "$NS" || die "cannot create network namespace $NS"
	ip -n "$NS" link set lo up

	note "modes: $SCALE_MODES; N: $SCALE_N; RLIMIT_NOFILE hard $(ulimit -Hn);" \
		"netns $NS, port range $(ip netns exec "$NS" sysctl -n net.ipv4.ip_local_port_range | tr '\t' -)"
	t0=$SECONDS
	for n in $SCALE_N; do
		for m in $SCALE_MODES; do
			run_one "$m" "$n" || note "$m N=$n failed"
		done
	done
	report
	echo
	echo "($((SECONDS - t0)) s)"
}

main "$@"
