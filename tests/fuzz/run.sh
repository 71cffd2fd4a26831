#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run.sh BINARY NAME SECONDS WORKDIR: one libFuzzer run, from mk/fuzz.mk.
# New inputs go to WORKDIR/corpus/NAME only (the seeds in
# tests/fuzz/corpus/NAME are read, never written); the full log is in
# WORKDIR/logs/NAME.log; a failure prints its end and leaves the input
# in WORKDIR/artifacts/.
set -eu
bin=$1 name=$2 secs=$3 work=$4
seeds=tests/fuzz/corpus/$name
corpus=$work/corpus/$name
log=$work/logs/$name.log
dict=tests/fuzz/dict/$name.dict

mkdir -p "$corpus" "$work/artifacts" "$work/logs"
set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/$name-"
if [ -f "$dict" ]; then
	set -- "$@" -dict="$dict"
fi
if ! "$bin" "$@" "$corpus" "$seeds" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "FAIL: fuzz target $name (log: $log; input saved in" \
		"$work/artifacts/)" >&2
	exit 1
fi
# "#123 DONE cov: 45 ft: 67 corp: 8/99b ..." and the final stats
done=$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(echo "$done" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(echo "$done" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(echo "$done" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
printf '  %-8s %-12s %ss: %s runs, %s/s, cov %s, ft %s, corpus %s\n' \
	FUZZ "$name" "$secs" "$runs" "$rate" "$cov" "$ft" "$corp"
