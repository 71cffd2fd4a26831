#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak: tcptrail under steady loopback connection churn for SOAK_MINUTES,
# sampled every SOAK_INTERVAL seconds, to catch what grows without bound:
# the RSS and file descriptors of each tracer, events written per second,
# events lost. At the end: the RSS slope of each tracer (least squares,
# KiB/min, over the samples after the first minute) against
# SOAK_SLOPE_MAX, PASS or FAIL.
#
# The load is bench/churn.c (10 transitions per connection) in a network
# namespace of its own, so that its TIME_WAIT sockets and ports do not
# touch the host's, with its CPU capped (cgroup cpu quota) to keep the
# machine usable. The tracers run in that namespace too (their iter/tcp
# walks it, so timeline follows the TIME_WAIT sockets) with --netns, so
# traffic elsewhere on the host is not counted. Their JSON output goes
# through a pipe to bench/tally.py, which counts lines and lost markers and
# throws the rest away (ten minutes of trace -j is gigabytes).
#
# Environment:
#   SOAK_MINUTES=10            length of the churn
#   SOAK_INTERVAL=10           seconds between samples
#   SOAK_MODES="trace timeline closewait"   tracers run side by side
#   SOAK_CPU=30                churn's CPU cap, percent of one CPU (0: none)
#   SOAK_THREADS=1             churn client threads (-t)
#   SOAK_SLOPE_MAX=64          KiB/min of RSS growth that still passes
#   TCPTRAIL=build/tcptrail  CHURN=build/churn (built if missing)
#   KEEP=1                     keep the temporary directory
#
# Exit status: 0 PASS, 1 FAIL (a slope over the limit, a tracer that died,
# or churn errors), 2 bad usage.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TCPTRAIL=${TCPTRAIL:-$ROOT/build/tcptrail}
CHURN=${CHURN:-$ROOT/build/churn}
TALLY=${TALLY:-$ROOT/bench/tally.py}
PYTHON=${PYTHON:-/usr/bin/python3}
SOAK_MINUTES=${SOAK_MINUTES:-10}
SOAK_INTERVAL=${SOAK_INTERVAL:-10}
DEFAULT_MODES="trace timeline closewait"
SOAK_MODES=${SOAK_MODES:-$DEFAULT_MODES}
SOAK_CPU=${SOAK_CPU:-30}
SOAK_THREADS=${SOAK_THREADS:-1}
SOAK_SLOPE_MAX=${SOAK_SLOPE_MAX:-64}
KEEP=${KEEP:-0}

ATTACH_TIMEOUT=20	# s
DRAIN_TIMEOUT=30	# s
STOP_TIMEOUT=30		# s

die()
{
	echo "soak.sh: $*" >&2
	exit 2
}

note()
{
	echo "soak.sh: $*" >&2
}

# Tracer command line for mode $1, in CMD.
mode_def()
{
	case $1 in
	trace) CMD=("$TCPTRAIL" trace -j --netns "$NS") ;;
	timeline) CMD=("$TCPTRAIL" timeline -j --netns "$NS") ;;
	closewait) CMD=("$TCPTRAIL" closewait -j --netns "$NS") ;;
	*) return 1 ;;
	esac
}

status_kb()
{
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

cpu_ticks()
{
	local stat f

	{ stat=$(<"/proc/$1/stat"); } 2>/dev/null || { echo 0; return; }
	stat=${stat##*) }
	read -r -a f <<<"$stat"
	echo $((f[11] + f[12]))
}

fd_count()
{
	local fds

	fds=(/proc/"$1"/fd/*)
	[[ -e ${fds[0]} ]] && echo "${#fds[@]}" || echo 0
}

# "lines bytes markers lost eof" from tally's stats file
stats_of()
{
	cat "$TMP/$1.stats" 2>/dev/null || echo "0 0 0 0 0"
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

# A cgroup with a CPU quota of SOAK_CPU% for churn; prints its directory,
# or nothing when there is no cpu controller to use (cgroup v2 without
# cpu enabled for children: enabling it would change the host).
cg_setup()
{
	local d

	((SOAK_CPU > 0)) || return 0
	if [[ -f /sys/fs/cgroup/cgroup.subtree_control ]] &&
		grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control; then
		d=/sys/fs/cgroup/tcptrail-soak-$$
		mkdir "$d" 2>/dev/null || return 0
		echo "$((SOAK_CPU * 1000)) 100000" >"$d/cpu.max" || { rmdir "$d"; return 0; }
	elif [[ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]]; then
		d=/sys/fs/cgroup/cpu/tcptrail-soak-$$
		mkdir "$d" 2>/dev/null || return 0
		{ echo 100000 >"$d/cpu.cfs_period_us" &&
			echo $((SOAK_CPU * 1000)) >"$d/cpu.cfs_quota_us"; } || { rmdir "$d"; return 0; }
	else
		return 0
	fi
	echo "$d"
}

# Run churn for $1 seconds in the namespace (and the cgroup, if any).
# Without a cgroup, SOAK_CPU is a duty cycle: churn for SOAK_CPU% of
# every second.
run_churn()
{
	local secs=$1 end on off

	if [[ -n $CG ]] || ((SOAK_CPU == 0)); then
		# into the cgroup first, then the namespace: nsenter, unlike
		# ip netns exec, keeps the host's /sys (and its cgroup mounts)
		# shellcheck disable=SC2016 # $$ and $1 are the inner shell's
		sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs"; shift; exec "$@"' \
			sh "$CG" nsenter --net="/run/netns/$NS" "$CHURN" -t "$SOAK_THREADS" -d "$secs" \
			>>"$TMP/churn.out" 2>>"$TMP/churn.err" || true
		return
	fi
	on=$(awk -v c="$SOAK_CPU" 'BEGIN { printf "%.2f", (c >= 100 ? 1 : c / 100) }')
	off=$(awk -v c="$SOAK_CPU" 'BEGIN { printf "%.2f", (c >= 100 ? 0 : 1 - c / 100) }')
	end=$((SECONDS + secs))
	while ((SECONDS < end)); do
		nsenter --net="/run/netns/$NS" "$CHURN" -t "$SOAK_THREADS" -d "$on" \
			>>"$TMP/churn.out" 2>>"$TMP/churn.err" || true
		sleep "$off"
	done
}

# One row of samples at time $1 (seconds since churn started).
sample()
{
	local t=$1 m pid rss fds ticks st lines lost cpu rate row

	row="$t"
	for m in $MODES; do
		pid=${PIDS[$m]}
		rss=$(status_kb "$pid" VmRSS)
		if [[ -z $rss ]]; then
			row+=$'\t-\t-\t-\t-\t-'
			DEAD[$m]=1
			continue
		fi
		fds=$(fd_count "$pid")
		ticks=$(cpu_ticks "$pid")
		read -r lines _ _ lost _ < <(stats_of "$m")
		rate=$(awk -v a="$lines" -v b="${LINES_PREV[$m]}" -v d="$SOAK_INTERVAL" \
			'BEGIN { printf "%.0f", (a - b) / d }')
		cpu=$(awk -v a="$ticks" -v b="${TICKS_PREV[$m]}" -v hz="$CLK_TCK" -v d="$SOAK_INTERVAL" \
			'BEGIN { printf "%.1f", 100 * (a - b) / hz / d }')
		((t == 0)) && rate=0 && cpu=0.0
		LINES_PREV[$m]=$lines
		TICKS_PREV[$m]=$ticks
		row+=$'\t'"$rss"$'\t'"$rate"$'\t'"$lost"$'\t'"$fds"$'\t'"$cpu"
	done
	row+=$'\t'"$(awk '$1 == "Slab:" { print $2 }' /proc/meminfo)"
	row+=$'\t'"$(nsenter --net="/run/netns/$NS" ss -tanH state time-wait 2>/dev/null | wc -l)"
	echo "$row" >>"$SAMPLES"
	awk -F '\t' -v modes="$MODES" '
		{
			n = split(modes, m, " ")
			s = sprintf("t=%4ds", $1)
			for (i = 1; i <= n; i++) {
				c = 2 + (i - 1) * 5
				s = s sprintf("  %s: rss %s kB, %s/s, lost %s, fds %s, cpu %s%%",
					      m[i], $c, $(c + 1), $(c + 2), $(c + 3), $(c + 4))
			}
			print "soak.sh: " s
		}' <<<"$row" >&2
}

stop_all()
{
	local m pid sig i

	for m in $MODES; do
		pid=${PIDS[$m]:-}
		[[ -n $pid ]] || continue
		for sig in INT TERM KILL; do
			kill -s "$sig" "$pid" 2>/dev/null || break
			for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
				kill -0 "$pid" 2>/dev/null || break 2
				sleep 0.1
			done
			note "$m (pid $pid) ignored SIG$sig"
		done
		RC[$m]=0
		wait "$pid" 2>/dev/null || RC[$m]=$?
		PIDS[$m]=
	done
	for pid in "${TALLY_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	TALLY_PIDS=()
}

report()
{
	local m i=0 first

	echo
	echo "tcptrail soak: $(uname -r), $(nproc) CPUs, ${SOAK_MINUTES} min of churn" \
		"(-t $SOAK_THREADS, ${CG_DESC}), samples every ${SOAK_INTERVAL}s"
	echo "per tracer: rss (MiB); out/s: JSON lines written per second (trace: transitions,"
	echo "timeline: connections, closewait: CLOSE_WAIT episodes); lost: cumulative, from the"
	echo "stream's markers; fds; cpu% of one CPU. slab: /proc/meminfo Slab (MiB, host-wide),"
	echo "tw: TIME_WAIT sockets in the netns"
	awk -F '\t' -v modes="$MODES" '
		BEGIN {
			n = split(modes, m, " ")
			h = sprintf("%6s", "t(s)")
			for (i = 1; i <= n; i++)
				h = h sprintf(" | %-9s %7s %7s %5s %4s %5s", m[i], "rss", "out/s", "lost", "fds", "cpu%")
			print h " | " sprintf("%7s %6s", "slab", "tw")
		}
		{
			s = sprintf("%6d", $1)
			for (i = 1; i <= n; i++) {
				c = 2 + (i - 1) * 5
				r = $c == "-" ? "-" : sprintf("%.1f", $c / 1024)
				s = s sprintf(" | %-9s %7s %7s %5s %4s %5s", "", r, $(c + 1), $(c + 2), $(c + 3), $(c + 4))
			}
			c = 2 + n * 5
			print s " | " sprintf("%7.1f %6s", $c / 1024, $(c + 1))
		}' "$SAMPLES"

	# the first minute is warm-up (TIME_WAIT entries take 60 s to cycle);
	# a run of two minutes or less is judged on its second half
	first=60
	((SOAK_MINUTES * 60 > 120)) || first=$((SOAK_MINUTES * 30))
	echo
	echo "RSS slope, least squares over samples with t >= ${first}s (limit ${SOAK_SLOPE_MAX} KiB/min):"
	for m in $MODES; do
		i=$((i + 1))
		awk -F '\t' -v col=$((2 + (i - 1) * 5)) -v first="$first" -v m="$m" \
			-v max="$SOAK_SLOPE_MAX" -v dead="${DEAD[$m]:-0}" -v rc="${RC[$m]:-0}" '
			$1 >= first && $col != "-" {
				n++; x = $1 / 60; y = $col
				sx += x; sy += y; sxx += x * x; sxy += x * y
				fdx += x * $(col + 3); fds += $(col + 3)
				if (n == 1) { r0 = y; f0 = $(col + 3) }
				r1 = y; f1 = $(col + 3)
			}
			END {
				d = n * sxx - sx * sx
				b = (n >= 2 && d) ? (n * sxy - sx * sy) / d : 0
				fb = (n >= 2 && d) ? (n * fdx - sx * fds) / d : 0
				verdict = (n >= 2 && b < max && !dead) ? "PASS" : "FAIL"
				why = dead ? " (died)" : (n < 2 ? " (too few samples)" : "")
				printf "  %-10s %8.1f KiB/min  rss %.1f -> %.1f MiB  fds %s -> %s (%.2f/min)  exit %s  %s%s\n",
				       m, b, r0 / 1024, r1 / 1024, f0, f1, fb, rc, verdict, why
				if (verdict == "FAIL") exit 1
			}' "$SAMPLES" || FAIL=1
	done
	i=$((2 + $(wc -w <<<"$MODES") * 5))
	awk -F '\t' -v col="$i" -v first="$first" '
		$1 >= first { n++; x = $1 / 60; y = $col; sx += x; sy += y; sxx += x * x; sxy += x * y }
		END {
			d = n * sxx - sx * sx
			printf "  %-10s %8.1f KiB/min  (host-wide, for information)\n", "slab",
			       (n >= 2 && d) ? (n * sxy - sx * sy) / d : 0
		}' "$SAMPLES"
}

summary()
{
	local m conns errors expected lines markers lost st

	conns=$(sed -n 's/.*conns=\([0-9]*\).*/\1/p' "$TMP/churn.out" | awk '{ s += $1 } END { print s + 0 }')
	errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' "$TMP/churn.out" | awk '{ s += $1 } END { print s + 0 }')
	expected=$((conns * 10))
	echo
	echo "churn: $conns connections ($(awk -v c="$conns" -v s="$((SOAK_MINUTES * 60))" \
		'BEGIN { printf "%.0f", c / s }')/s), $expected transitions, $errors errors"
	((errors == 0)) || FAIL=1
	for m in $MODES; do
		read -r lines _ markers lost _ < <(stats_of "$m")
		st=$(grep -E '^tcptrail: [0-9]+ ' "$TMP/$m.err" | tail -1 || true)
		printf '  %-10s %s lines (%s lost markers, %s lost); exit %s; %s\n' "$m" \
			"$lines" "$markers" "$lost" "${RC[$m]:-?}" "${st:-no summary}"
		if [[ $m == trace ]]; then
			awk -v e="$((lines - markers))" -v x="$expected" 'BEGIN {
				if (x) printf "  %-10s events / transitions made: %.2f%%\n", "", 100 * e / x }'
		fi
		grep -vE '^(Tracing|Measuring)|^tcptrail: [0-9]+ ' "$TMP/$m.err" | sed "s/^/  $m: /" || true
	done
}

cleanup()
{
	local rc=$? m

	for m in "${!PIDS[@]}"; do
		if [[ -n ${PIDS[$m]} ]]; then
			kill -s INT "${PIDS[$m]}" 2>/dev/null || true
		fi
	done
	if [[ -n ${CHURN_PID:-} ]]; then
		kill "$CHURN_PID" 2>/dev/null || true
		wait "$CHURN_PID" 2>/dev/null || true
	fi
	if [[ -n ${NS:-} ]]; then
		ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
		sleep 0.5
		ip netns del "$NS" 2>/dev/null || true
	fi
	[[ -z ${CG:-} ]] || rmdir "$CG" 2>/dev/null || true
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
	local m t0 t next end secs fifo

	[[ $SOAK_MINUTES =~ ^[1-9][0-9]*$ ]] || die "SOAK_MINUTES must be a positive integer"
	[[ $SOAK_INTERVAL =~ ^[1-9][0-9]*$ ]] || die "SOAK_INTERVAL must be a positive integer"
	[[ $SOAK_CPU =~ ^[0-9]+$ ]] || die "SOAK_CPU must be a percentage (0: no cap)"
	[[ $SOAK_SLOPE_MAX =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SOAK_SLOPE_MAX must be a number"
	((EUID == 0)) || die "must run as root: tcptrail loads BPF programs"
	[[ -x $TCPTRAIL ]] || die "$TCPTRAIL not found: run make first"
	MODES=
	for m in $SOAK_MODES; do
		NS=x mode_def "$m" || die "unknown mode '$m' (known: $DEFAULT_MODES)"
		MODES+="${MODES:+ }$m"
	done
	NS=
	[[ -n $MODES ]] || die "SOAK_MODES is empty"
	if [[ ! -x $CHURN || $ROOT/bench/churn.c -nt $CHURN ]]; then
		mkdir -p -- "$(dirname -- "$CHURN")"
		note "building $CHURN"
		"${CC:-cc}" -O2 -pthread -o "$CHURN" "$ROOT/bench/churn.c" || die "cannot build $CHURN"
	fi

	CLK_TCK=$(getconf CLK_TCK)
	TMP=$(mktemp -d /dev/shm/tcptrail-soak.XXXXXX 2>/dev/null ||
		mktemp -d "${TMPDIR:-/tmp}/tcptrail-soak.XXXXXX")
	SAMPLES=$TMP/samples.tsv
	: >"$SAMPLES"
	: >"$TMP/churn.out"
	declare -gA PIDS=() LINES_PREV=() TICKS_PREV=() DEAD=() RC=()
	TALLY_PIDS=()
	CHURN_PID=
	CG=
	FAIL=0
	NS=tcptrail-soak-$$
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns add "$NS" || die "cannot create network namespace $NS"
	ip -n "$NS" link set lo up
	CG=$(cg_setup)
	if [[ -n $CG ]]; then
		CG_DESC="capped at ${SOAK_CPU}% of a CPU by $CG"
	elif ((SOAK_CPU > 0)); then
		CG_DESC="no cpu cgroup: churn runs ${SOAK_CPU}% of each second"
	else
		CG_DESC="no cap"
	fi

	# tracers inside the namespace (nsenter keeps the host's /sys mounts)
	for m in $MODES; do
		mode_def "$m"
		fifo=$TMP/$m.fifo
		mkfifo "$fifo"
		"$PYTHON" "$TALLY" "$TMP/$m.stats" <"$fifo" &
		TALLY_PIDS+=($!)
		set -m
		nsenter --net="/run/netns/$NS" "${CMD[@]}" >"$fifo" 2>"$TMP/$m.err" </dev/null &
		PIDS[$m]=$!
		set +m
		if ! wait_attached "${PIDS[$m]}"; then
			sed 's/^/  /' "$TMP/$m.err" >&2
			die "$m: tracer exited before attaching"
		fi
		LINES_PREV[$m]=0
		TICKS_PREV[$m]=$(cpu_ticks "${PIDS[$m]}")
	done
	sleep 1
	note "modes: $MODES; ${SOAK_MINUTES} min; churn -t $SOAK_THREADS, $CG_DESC; netns $NS"

	secs=$((SOAK_MINUTES * 60))
	sample 0
	run_churn "$secs" &
	CHURN_PID=$!
	t0=$SECONDS
	next=$SOAK_INTERVAL
	end=$((secs + 5))
	while :; do
		t=$((SECONDS - t0))
		if ((t >= next)); then
			sample "$next"
			next=$((next + SOAK_INTERVAL))
		fi
		kill -0 "$CHURN_PID" 2>/dev/null || break
		((t <= end + 30)) || { note "churn overran"; break; }
		sleep 0.5
	done
	wait "$CHURN_PID" 2>/dev/null || true
	CHURN_PID=

	# let the tracers catch up (timeline still follows TIME_WAIT for 60 s:
	# not waited for), then stop them
	local last=-1 cur i
	for ((i = 0; i < DRAIN_TIMEOUT * 2; i++)); do
		cur=$(for m in $MODES; do stats_of "$m"; done | awk '{ s += $1 } END { print s + 0 }')
		((cur == last)) && break
		last=$cur
		sleep 1.5
	done
	stop_all
	report
	summary
	echo
	if ((FAIL)); then
		echo "soak: FAIL"
		return 1
	fi
	echo "soak: PASS"
}

main "$@"
