#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# User-space instructions per event, by valgrind's callgrind: instruction
# counts do not depend on how busy the machine is. Each mode runs twice for
# the same time under callgrind, idle and with one second of loopback churn;
# the difference in instructions over the difference in events processed
# is the cost of one event (ring buffer read, decode, format, write).
# Both runs trace only a network namespace of their own (--netns), where
# churn runs: other traffic on the host, which the idle run would count
# as fixed cost, never reaches them.
#   bench/cost.sh [MODE...]     default: "trace -j" trace timeline closewait check
#   COST_ARGS="-6"              extra churn options (-6: IPv6 over ::1)
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TCPTRAIL=${TCPTRAIL:-$ROOT/build/tcptrail}
CHURN=${CHURN:-$ROOT/build/churn}
COST_ARGS=${COST_ARGS:-}
SECS=8
TMP=$(mktemp -d)
NS=tcptrail-cost-$$
cleanup()
{
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

[[ $(id -u) == 0 ]] || { echo "cost.sh: needs root" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "cost.sh: needs valgrind" >&2; exit 1; }

if (($#)); then modes=("$@"); else modes=("trace -j" "trace" "timeline" "closewait" "check"); fi

ip netns add "$NS" || { echo "cost.sh: cannot create network namespace" >&2; exit 1; }
ip -n "$NS" link set lo up

# instructions collected, from callgrind's last words on stderr
collected()
{
	awk '/Collected/ { print $4 }' "$1"
}

# events the run processed, from tcptrail's summary on stderr; check has
# none: its verdict counts what was lost, churn what it made (the
# namespace holds nothing else), and an idle run sees nothing
events()
{
	local err=$1 churn=${1%.err}.churn

	if grep -q '^tcptrail check:' "$err"; then
		echo "$( [[ -f $churn ]] && sed -n 's/.*transitions_expected=\([0-9]*\).*/\1/p' "$churn" || echo 0)" \
			"$(sed -n 's/.*, \([0-9]*\) transitions\{0,1\} lost.*/\1/p' "$err")"
		return
	fi
	sed -n 's/^tcptrail: \([0-9]*\) [a-z]*s\{0,1\}, \([0-9]*\) lost.*/\1 \2/p' "$err"
}

run()
{
	local mode=$1 tag=$2 busy=$3

	# shellcheck disable=SC2086 # mode is a word list
	valgrind --tool=callgrind --callgrind-out-file="$TMP/$tag.out" \
		"$TCPTRAIL" $mode --netns "$NS" --ringbuf-size 64M -d "$SECS" \
		>/dev/null 2>"$TMP/$tag.err" &
	local pid=$!
	if ((busy)); then
		sleep 4
		# shellcheck disable=SC2086 # COST_ARGS is a word list
		ip netns exec "$NS" "$CHURN" -d 1 $COST_ARGS >"$TMP/$tag.churn" 2>&1
	fi
	wait "$pid" || { cat "$TMP/$tag.err" >&2; exit 1; }
}

echo "tcptrail cost: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')," \
	"$(date -u +%Y-%m-%d), $(uname -r), churn ${COST_ARGS:-(defaults)} in a namespace"
printf '%-12s %12s %14s %10s %8s %10s\n' mode idle_Ir busy_Ir events lost Ir/event
for mode in "${modes[@]}"; do
	tag=${mode// /_}
	run "$mode" "$tag.idle" 0
	run "$mode" "$tag.busy" 1
	idle=$(collected "$TMP/$tag.idle.err")
	busy=$(collected "$TMP/$tag.busy.err")
	read -r ievents _ < <(events "$TMP/$tag.idle.err")
	read -r events lost < <(events "$TMP/$tag.busy.err")
	awk -v m="$mode" -v i="$idle" -v b="$busy" -v e="$events" -v l="$lost" \
		-v ie="$ievents" 'BEGIN {
		n = e - ie
		r = n > 0 ? sprintf("%.0f", (b - i) / n) : "-"
		printf "%-12s %12d %14d %10d %8d %10s\n", m, i, b, e, l, r
	}'
done
