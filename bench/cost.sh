#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# User-space instructions per event, by valgrind's callgrind: instruction
# counts do not depend on how busy the machine is. Each mode runs twice for
# the same time under callgrind, idle and with one second of loopback churn;
# the difference in instructions over the events it processed is the cost
# of one event (ring buffer read, decode, format, write).
#   bench/cost.sh [MODE...]     default: "trace -j" trace timeline closewait
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TCPTRAIL=${TCPTRAIL:-$ROOT/build/tcptrail}
CHURN=${CHURN:-$ROOT/build/churn}
SECS=8
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[[ $(id -u) == 0 ]] || { echo "cost.sh: needs root" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "cost.sh: needs valgrind" >&2; exit 1; }

if (($#)); then modes=("$@"); else modes=("trace -j" "trace" "timeline" "closewait"); fi

# instructions collected, from callgrind's last words on stderr
collected()
{
	awk '/Collected/ { print $4 }' "$1"
}

run()
{
	local mode=$1 tag=$2 busy=$3

	# shellcheck disable=SC2086 # mode is a word list
	valgrind --tool=callgrind --callgrind-out-file="$TMP/$tag.out" \
		"$TCPTRAIL" $mode --ringbuf-size 64M -d "$SECS" \
		>/dev/null 2>"$TMP/$tag.err" &
	local pid=$!
	if ((busy)); then
		sleep 4
		"$CHURN" -d 1 >"$TMP/$tag.churn" 2>&1
	fi
	wait "$pid"
}

printf '%-12s %12s %14s %10s %8s %10s\n' mode idle_Ir busy_Ir events lost Ir/event
for mode in "${modes[@]}"; do
	tag=${mode// /_}
	run "$mode" "$tag.idle" 0
	run "$mode" "$tag.busy" 1
	idle=$(collected "$TMP/$tag.idle.err")
	busy=$(collected "$TMP/$tag.busy.err")
	read -r events lost < <(sed -n 's/^tcptrail: \([0-9]*\) events, \([0-9]*\) lost.*/\1 \2/p' \
		"$TMP/$tag.busy.err")
	awk -v m="$mode" -v i="$idle" -v b="$busy" -v e="$events" -v l="$lost" \
		'BEGIN { printf "%-12s %12d %14d %10d %8d %10.0f\n", m, i, b, e, l, (b - i) / e }'
done
