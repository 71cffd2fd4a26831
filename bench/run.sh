#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A/B benchmark: loopback TCP connection churn (bench/churn.c), untraced and
# under each tracer, rounds interleaved so that drift on a noisy machine hits
# every mode alike. Prints one table; the ratios to untraced are the point.
#
# Environment:
#   ROUNDS=9  SECS=3         rounds per mode, seconds per round
#   MODES="..."              modes to run, in order (untraced is always added)
#   TCPTRAIL=build/tcptrail  CHURN=build/churn (built with ${CC:-cc} if missing)
#   CHURN_ARGS="-t 2"        extra churn options, e.g. "-6" or "-t 4"
#   SETTLE=1.5               seconds to wait after a tracer has attached
#   KEEP=1                   keep the temporary directory with all outputs
#
# To add a mode, add one entry to mode_def() below.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TCPTRAIL=${TCPTRAIL:-$ROOT/build/tcptrail}
CHURN=${CHURN:-$ROOT/build/churn}
TCPSTATES=${TCPSTATES:-/usr/sbin/tcpstates}
BPFTRACE=${BPFTRACE:-bpftrace}
ROUNDS=${ROUNDS:-9}
SECS=${SECS:-3}
SETTLE=${SETTLE:-1.5}
CHURN_ARGS=${CHURN_ARGS:-}
KEEP=${KEEP:-0}
DEFAULT_MODES="untraced trace-null trace-norelief trace-port trace-text trace-perf trace-json timeline closewait check hist hist-all export tcpstates bpftrace bpftrace-hist"
EXPORT_PORT=${EXPORT_PORT:-19977}
MODES=${MODES:-$DEFAULT_MODES}

ATTACH_TIMEOUT=20	# s: a tracer that has not attached by then is reported
DRAIN_TIMEOUT=30	# s: how long a lagging tracer may keep writing
STOP_TIMEOUT=10		# s: SIGINT, then SIGTERM, then SIGKILL

# One line per event, close to what tcpstates prints.
BT_PROG='tracepoint:sock:inet_sock_set_state /args->protocol == 6/ {
	if (args->family == 2) {
		printf("%d %s %s %d %s %d %d %d\n", pid, comm,
		       ntop(args->saddr), args->sport,
		       ntop(args->daddr), args->dport,
		       args->oldstate, args->newstate);
	} else {
		printf("%d %s %s %d %s %d %d %d\n", pid, comm,
		       ntop(args->saddr_v6), args->sport,
		       ntop(args->daddr_v6), args->dport,
		       args->oldstate, args->newstate);
	}
}'

# hist's peer: time in CLOSE_WAIT per local port, keyed by socket address
BT_HIST_PROG='tracepoint:sock:inet_sock_set_state /args->protocol == 6/ {
	if (args->oldstate == 8) {
		$t = @start[args->skaddr];
		if ($t) {
			@us[args->sport] = hist((nsecs - $t) / 1000);
			delete(@start[args->skaddr]);
		}
	}
	if (args->newstate == 8) {
		@start[args->skaddr] = nsecs;
	}
}'

# The mode table. For mode $1 set:
#   CMD       tracer command line, run with stdout to a file (empty: none)
#   HEADER    ERE of stdout lines that are not events (blank lines never are)
#   EVENTS    ERE of stdout lines that are events (when set, HEADER is unused)
#   PER       transitions per output line expected (1: one per transition)
#   COUNT     how events are counted: lines (of stdout, default), scrape (sum
#             of tcptrail_transitions_total from export), none
#   LOST_RE   ERE whose number is a count of lost events, searched in the
#             tracer's stdout and stderr (empty: the tracer does not say)
#   NEEDS     program the mode needs
#   OPTIONAL  1: skip the mode with a note when NEEDS is missing;
#             0: refuse to run
# Returns 1 for an unknown mode.
mode_def()
{
	CMD=()
	HEADER=
	EVENTS=
	LOST_RE=
	COUNT=lines
	PER=1
	NEEDS=
	OPTIONAL=0
	case $1 in
	untraced)
		;;
	trace-text)
		# "tcptrail: N events, M lost, S.SS s" on stderr at exit
		CMD=("$TCPTRAIL" trace)
		HEADER='^(TIME|PID)'
		LOST_RE='[0-9]+ lost'
		NEEDS=$TCPTRAIL
		;;
	trace-null)
		# kernel cost only: every socket is followed, but the owner
		# filter (this script, which makes no connection) is the last
		# test and refuses every transition; nothing is emitted
		CMD=("$TCPTRAIL" trace --pid $$)
		HEADER='^(TIME|PID)'
		LOST_RE='[0-9]+ lost'
		NEEDS=$TCPTRAIL
		;;
	trace-norelief)
		# trace-null without the relief program: what the relief costs
		CMD=("$TCPTRAIL" trace --pid $$ --no-relief)
		HEADER='^(TIME|PID)'
		LOST_RE='[0-9]+ lost'
		NEEDS=$TCPTRAIL
		;;
	trace-port)
		# a port filter that no socket passes: no state for any of them
		CMD=("$TCPTRAIL" trace --port 1)
		HEADER='^(TIME|PID)'
		LOST_RE='[0-9]+ lost'
		NEEDS=$TCPTRAIL
		;;
	trace-perf)
		# the perf buffer fallback (kernels before 5.8), text as trace-text
		CMD=("$TCPTRAIL" trace --perf-buffer)
		HEADER='^(TIME|PID)'
		LOST_RE='[0-9]+ lost'
		NEEDS=$TCPTRAIL
		;;
	trace-json)
		CMD=("$TCPTRAIL" trace -j)
		EVENTS='"type": *"transition"'
		LOST_RE='[0-9]+ lost'
		NEEDS=$TCPTRAIL
		;;
	tcpstates)
		# "lost N events on CPU #C" on stderr, without a newline
		CMD=("$TCPSTATES")
		HEADER='^SKADDR'
		LOST_RE='lost [0-9]+ events'
		NEEDS=$TCPSTATES
		OPTIONAL=1
		;;
	timeline)
		# one line per socket when it closes: 2 per connection of 10
		CMD=("$TCPTRAIL" timeline)
		HEADER='^TIME'
		LOST_RE='[0-9]+ lost'
		PER=5
		NEEDS=$TCPTRAIL
		;;
	closewait)
		# one line per CLOSE_WAIT episode: 1 per connection of 10
		CMD=("$TCPTRAIL" closewait)
		HEADER='^(TIME|SERVICE|Per|$)'
		EVENTS='^ *[0-9]+\.[0-9]+ +[0-9]+ '
		LOST_RE='[0-9]+ lost'
		PER=10
		NEEDS=$TCPTRAIL
		;;
	hist)
		# in-kernel histogram of CLOSE_WAIT (the default): no per-event output
		CMD=("$TCPTRAIL" hist -j)
		COUNT=none
		LOST_RE='"lost":[0-9]+'
		NEEDS=$TCPTRAIL
		;;
	hist-all)
		# in-kernel histograms of every state: no per-event output
		CMD=("$TCPTRAIL" hist -j --all-states)
		COUNT=none
		LOST_RE='"lost":[0-9]+'
		NEEDS=$TCPTRAIL
		;;
	check)
		# the CI gate over the whole host: per-socket state, no output
		# until the verdict at the end (interrupted: exit 130, expected)
		CMD=("$TCPTRAIL" check --max-closewait off)
		COUNT=none
		NEEDS=$TCPTRAIL
		;;
	export)
		# transitions counted in the kernel, read back from /metrics
		CMD=("$TCPTRAIL" export --listen "127.0.0.1:$EXPORT_PORT")
		COUNT=scrape
		NEEDS=$TCPTRAIL
		;;
	bpftrace)
		# "Lost N events" on stdout, when bpftrace notices at all
		CMD=("$BPFTRACE" -e "$BT_PROG")
		HEADER='^(Attaching [0-9]+ probe|Lost [0-9]+ events)'
		LOST_RE='Lost [0-9]+ events'
		NEEDS=$BPFTRACE
		OPTIONAL=1
		;;
	bpftrace-hist)
		# the same histogram as hist, kept by bpftrace
		CMD=("$BPFTRACE" -e "$BT_HIST_PROG")
		COUNT=none
		NEEDS=$BPFTRACE
		OPTIONAL=1
		;;
	*)
		return 1
		;;
	esac
}

die()
{
	echo "run.sh: $*" >&2
	exit 2
}

note()
{
	echo "run.sh: $*" >&2
}

# netfilter's connection tracking on loopback (a NAT table, as podman's or
# docker's bridge networks install) is per-connection work the churn then
# measures; once its table is full it drops SYNs and the rate collapses
conntrack_note()
{
	local f=/proc/sys/net/netfilter/nf_conntrack_count n max
	[[ -r $f ]] || return 0
	n=$(<"$f")
	((n > 0)) || return 0
	max=$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo '?')
	note "warning: nf_conntrack tracks $n connections (max $max):" \
		"the rates include its cost, and a full table drops SYNs" \
		"(nft list ruleset shows what hooks it)"
}

now()
{
	date +%s.%N
}

have()
{
	[[ -n $1 ]] && { [[ -x $1 && ! -d $1 ]] || command -v -- "$1" >/dev/null 2>&1; }
}

# Processes of process group $1: the tracer and whatever it started.
group_pids()
{
	local f stat fields

	for f in /proc/[0-9]*/stat; do
		{ stat=$(<"$f"); } 2>/dev/null || continue
		stat=${stat##*) }	# comm may hold spaces and parentheses
		read -r -a fields <<<"$stat"
		[[ ${fields[2]} == "$1" ]] && echo "${f//[^0-9]/}"
	done
	return 0
}

# CPU time used by process group $1, children it reaped included, in ticks
cpu_ticks()
{
	local pid stat f sum=0

	for pid in $(group_pids "$1"); do
		{ stat=$(<"/proc/$pid/stat"); } 2>/dev/null || continue
		stat=${stat##*) }
		read -r -a f <<<"$stat"
		sum=$((sum + f[11] + f[12] + f[13] + f[14]))
	done
	echo "$sum"
}

# A tracer is attached once it (or a child) holds a BPF link or perf event.
wait_attached()
{
	local pid=$1 p i fds

	for ((i = 0; i < ATTACH_TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		for p in $(group_pids "$pid"); do
			fds=$(ls -l "/proc/$p/fd" 2>/dev/null || true)
			if [[ $fds == *bpf_link* || $fds == *perf_event* ]]; then
				return 0
			fi
		done
		sleep 0.1
	done
	note "pid $pid: no BPF link after ${ATTACH_TIMEOUT}s, going on anyway"
}

# Wait until the tracer has caught up: its output stops growing.
wait_drained()
{
	local file=$1 last=-1 size still=0 i

	for ((i = 0; i < DRAIN_TIMEOUT * 4; i++)); do
		size=$(stat -c %s "$file")
		if ((size == last)); then
			((++still >= 2)) && return 0
		else
			still=0
		fi
		last=$size
		sleep 0.25
	done
	note "$file still growing after ${DRAIN_TIMEOUT}s"
}

stop_tracer()
{
	local pid=$1 sig i

	if ! kill -0 "$pid" 2>/dev/null; then
		note "pid $pid exited before the end of the round"
		FAILED[$MODE]=1
	fi
	for sig in INT TERM KILL; do
		kill -s "$sig" "$pid" 2>/dev/null || break
		for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break 2
			sleep 0.1
		done
		note "pid $pid ignored SIG$sig"
	done
	wait "$pid" 2>/dev/null || true
	TRACER_PID=
}

# Sum of the numbers matched by ERE $1 in the files that follow.
sum_lost()
{
	local re=$1

	shift
	cat -- "$@" | awk -v re="$re" '
		{
			s = $0
			while (match(s, re)) {
				m = substr(s, RSTART, RLENGTH)
				gsub(/[^0-9]/, "", m)
				n += m
				s = substr(s, RSTART + RLENGTH)
			}
		}
		END { print n + 0 }'
}

# Names of BPF tracing programs already loaded: they would tax every mode.
preloaded_bpf()
{
	command -v bpftool >/dev/null 2>&1 || return 0
	bpftool prog show 2>/dev/null | awk '
		$1 ~ /^[0-9]+:$/ &&
		$2 ~ /^(tracing|tracepoint|raw_tracepoint|kprobe|perf_event)$/ {
			printf "%s%s", sep, $3 == "name" ? $4 : "id " $1
			sep = ", "
		}' || true
}

# value of key $1 in churn's "key=value ..." line on stdin
churn_field()
{
	tr ' ' '\n' | sed -n "s/^$1=//p"
}

cleanup()
{
	local rc=$?

	if [[ -n ${TRACER_PID:-} ]]; then
		kill -s INT "$TRACER_PID" 2>/dev/null || true
		sleep 0.5
		kill -s KILL "$TRACER_PID" 2>/dev/null || true
	fi
	if [[ -n ${STATS_WAS:-} ]]; then
		echo "$STATS_WAS" >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null || true
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

scrape_transitions()
{
	curl -sf "http://127.0.0.1:$EXPORT_PORT/metrics" |
		awk '/^tcptrail_transitions_total/ { s += $2 } END { print s + 0 }'
}

# ids of the BPF programs loaded now
bpf_ids()
{
	bpftool prog show --json 2>/dev/null |
		python3 -c 'import json, sys; print(*(p["id"] for p in json.load(sys.stdin)))' ||
		true
}

# run_time_ns of the programs loaded now that are not in $1, the ids
# before the tracer started (kernel.bpf_stats_enabled)
bpf_time()
{
	bpftool prog show --json 2>/dev/null | python3 -c '
import json, sys
old = set(sys.argv[1].split())
print(sum(p.get("run_time_ns", 0) for p in json.load(sys.stdin)
          if str(p["id"]) not in old))' "$1" || echo 0
}

run_round()
{
	local mode=$1 round=$2 base out err cout t0 t1 c0=0 c1=0 rc=0
	local rate expected errors events lost cpu b0=0 b1=0 bns=- ids cpc

	mode_def "$mode"
	MODE=$mode
	base=$TMP/$mode.$round
	out=$base.out
	err=$base.err
	cout=$base.churn
	: >"$out"
	: >"$err"

	if ((${#CMD[@]})); then
		ids=$(bpf_ids)
		# job control: a background job that ignores SIGINT can't be stopped
		set -m
		"${CMD[@]}" >"$out" 2>"$err" </dev/null &
		TRACER_PID=$!
		set +m
		if ! wait_attached "$TRACER_PID"; then
			wait "$TRACER_PID" 2>/dev/null || true
			TRACER_PID=
			note "$mode: tracer exited before attaching; its stderr:"
			sed 's/^/  /' "$err" >&2
			FAILED[$mode]=1
			return
		fi
		sleep "$SETTLE"
		c0=$(cpu_ticks "$TRACER_PID")
		b0=$(bpf_time "$ids")
	fi

	t0=$(now)
	# shellcheck disable=SC2086 # CHURN_ARGS is a word list
	"$CHURN" -d "$SECS" $CHURN_ARGS >"$cout" 2>"$base.churn.err" || rc=$?
	if ((rc == 2)); then
		sed 's/^/  /' "$base.churn.err" >&2
		die "churn refused CHURN_ARGS='$CHURN_ARGS'"
	fi

	if [[ -n ${TRACER_PID:-} ]]; then
		b1=$(bpf_time "$ids")
		wait_drained "$out"
		c1=$(cpu_ticks "$TRACER_PID")
		t1=$(now)
		[[ $COUNT == scrape ]] && events=$(scrape_transitions)
		stop_tracer "$TRACER_PID"
	else
		t1=$(now)
	fi

	rate=$(churn_field rate <"$cout")
	cpc=$(churn_field cpu_ns_per_conn <"$cout")
	[[ -n $cpc ]] || cpc=-
	expected=$(churn_field transitions_expected <"$cout")
	# the kernel side's time per transition, all its programs together
	if ((b1 > b0)) && [[ -n $expected ]] && ((expected > 0)); then
		bns=$(awk -v d=$((b1 - b0)) -v n="$expected" 'BEGIN { printf "%.0f", d / n }')
	fi
	[[ -n $expected ]] && expected=$((expected / PER))
	errors=$(churn_field errors <"$cout")
	if [[ -z $rate || -z $expected ]]; then
		sed 's/^/  /' "$base.churn.err" >&2
		note "$mode round $round: churn gave no result (exit $rc)"
		FAILED[$mode]=1
		return
	fi

	if ((${#CMD[@]})); then
		if [[ $COUNT == none ]]; then
			events=-
		elif [[ $COUNT == scrape ]]; then
			: # read before the tracer stopped
		elif [[ -n $EVENTS ]]; then
			events=$(grep -cE "$EVENTS" "$out" || true)
		else
			events=$(grep -cvE "${HEADER:-^$}|^$" "$out" || true)
		fi
		if [[ -n $LOST_RE ]]; then
			lost=$(sum_lost "$LOST_RE" "$out" "$err")
		else
			lost=-
		fi
		cpu=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" \
			'BEGIN { printf "%.1f", 100 * d / hz / (t1 - t0) }')
	else
		events=-
		lost=-
		cpu=-
	fi
	# a kept output's writeback would tax the rounds after it
	[[ $KEEP == 1 ]] || rm -f "$out"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$round" "$rate" \
		"$events" "$expected" "$lost" "$cpu" "$errors" "$bns" "$cpc" >>"$RESULTS"
	note "$(printf '%-12s round %d/%d: %7s conn/s, events %s/%s, lost %s, cpu %s%%, errors %s, bpf %s ns/transition, churn %s ns CPU/conn' \
		"$mode" "$round" "$ROUNDS" "$rate" "$events" "$expected" "$lost" "$cpu" "$errors" "$bns" "$cpc")"
}

report()
{
	local modes=$1

	awk -F '\t' -v modes="$modes" '
		# the q-quantile (0: the least, 0.25, 0.5, 0.75), interpolated between ranks
		function quantile(list, q,    a, n, i, j, t, x, f) {
			n = split(list, a, " ")
			for (i = 2; i <= n; i++)	# insertion sort: n is small
				for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			if (n == 0)
				return ""
			x = 1 + q * (n - 1)
			f = int(x)
			return f >= n ? a[n] : a[f] + (x - f) * (a[f + 1] - a[f])
		}
		function median(list) { return quantile(list, 0.5) }
		{
			m = $1
			n[m]++
			rate[m] = rate[m] " " $3
			if ($4 != "-" && $5 > 0)
				pct[m] = pct[m] " " 100 * $4 / $5
			if ($6 != "-") { lost[m] += $6; haslost[m] = 1 }
			if ($7 != "-") cpu[m] = cpu[m] " " $7
			err[m] += $8
			if ($9 != "-" && $9 != "") bns[m] = bns[m] " " $9
			if ($10 != "-" && $10 != "") cpc[m] = cpc[m] " " $10
		}
		END {
			fmt = "%-12s %6s %9s %8s %13s %9s %10s %8s %6s %10s %8s %9s\n"
			printf fmt, "mode", "rounds", "conn/s", "ratio", "ratio IQR",
			       "events%", "lost", "cpu%", "errors", "bpf ns/tr",
			       "us/conn", "cpu ratio"
			base = median(rate["untraced"])
			# the best round: a loud host only ever adds to it
			cbase = quantile(cpc["untraced"], 0)
			split(modes, order, " ")
			for (k = 1; k in order; k++) {
				m = order[k]
				if (!(m in n)) {
					printf fmt, m, 0, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"
					continue
				}
				r = median(rate[m])
				ratio = base > 0 ? sprintf("%.3f", r / base) : "-"
				ev = (m in pct) ? sprintf("%.2f", median(pct[m])) : "-"
				ls = (m in haslost) ? lost[m] : "-"
				cp = (m in cpu) ? sprintf("%.1f", median(cpu[m])) : "-"
				iqr = base > 0 ? sprintf("%.3f-%.3f",
					quantile(rate[m], 0.25) / base,
					quantile(rate[m], 0.75) / base) : "-"
				bn = (m in bns) ? sprintf("%.0f", median(bns[m])) : "-"
				uc = (m in cpc) ? quantile(cpc[m], 0) : 0
				us = uc > 0 ? sprintf("%.2f", uc / 1000) : "-"
				cr = uc > 0 && cbase > 0 ? sprintf("%.3f", cbase / uc) : "-"
				printf fmt, m, n[m], sprintf("%.0f", r), ratio, iqr, ev,
				       ls, cp, err[m], bn, us, cr
			}
		}' "$RESULTS"
}

main()
{
	local mode m r list=() modes

	[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, not '$ROUNDS'"
	[[ $SECS =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SECS must be a number of seconds, not '$SECS'"
	[[ $SETTLE =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SETTLE must be a number of seconds"

	# untraced first: it is the baseline every ratio divides by
	for m in untraced $MODES; do
		mode_def "$m" || die "unknown mode '$m' (known: $DEFAULT_MODES)"
		[[ " ${list[*]} " == *" $m "* ]] && continue
		if [[ -n $NEEDS ]] && ! have "$NEEDS"; then
			((OPTIONAL)) || die "$m: '$NEEDS' not found (build it, or set TCPTRAIL or MODES)"
			note "$m: '$NEEDS' not found, skipping"
			continue
		fi
		list+=("$m")
	done
	modes="${list[*]}"

	((EUID == 0)) || die "must run as root: the tracers load BPF programs"

	if [[ ! -x $CHURN || $ROOT/bench/churn.c -nt $CHURN ]]; then
		mkdir -p -- "$(dirname -- "$CHURN")"
		note "building $CHURN"
		"${CC:-cc}" -O2 -pthread -o "$CHURN" "$ROOT/bench/churn.c" ||
			die "cannot build $CHURN"
	fi
	# tracepoints need tracefs (tcpstates, bpftrace)
	if [[ ! -d /sys/kernel/tracing/events && ! -d /sys/kernel/debug/tracing/events ]]; then
		mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
			note "tracefs is not mounted and could not be mounted"
	fi

	CLK_TCK=$(getconf CLK_TCK)
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcptrail-bench.XXXXXX")
	RESULTS=$TMP/results.tsv
	: >"$RESULTS"
	TRACER_PID=
	declare -gA FAILED=()
	STATS_WAS=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo)
	echo 1 >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null ||
		note "kernel.bpf_stats_enabled cannot be set: no bpf ns/tr"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	m=$(preloaded_bpf)
	[[ -z $m ]] || note "warning: BPF tracing programs already loaded ($m):" \
		"the untraced rounds are not untraced"
	conntrack_note
	note "modes: $modes; $ROUNDS rounds of ${SECS}s; churn ${CHURN_ARGS:-(defaults)}"
	for ((r = 1; r <= ROUNDS; r++)); do
		for mode in $modes; do
			[[ -n ${FAILED[$mode]:-} ]] && continue
			run_round "$mode" "$r"
		done
	done

	conntrack_note
	echo
	echo "tcptrail bench: $(uname -r), $(nproc) CPUs, $ROUNDS x ${SECS}s," \
		"churn ${CHURN_ARGS:-(defaults)}"
	report "$modes"
	echo "ratio: median conn/s over untraced median; ratio IQR: the" \
		"mode's quartiles over the same median; events%: median of" \
		"events written / expected (transitions, or connection lines for timeline and closewait); cpu%: tracer's user space only;" \
		"bpf ns/tr: median run time of the tracer's BPF programs per" \
		"transition (kernel.bpf_stats_enabled, on for the whole run);" \
		"us/conn: churn's own CPU time (user and system) per connection in" \
		"the mode's best round, where the kernel's loopback work and the" \
		"tracer's programs run; cpu ratio: untraced us/conn over the mode's"
	if ((${#FAILED[@]})); then
		note "failed: ${!FAILED[*]}"
		return 1
	fi
}

main "$@"
