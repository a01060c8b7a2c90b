#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# report-claims.t - `snapreport claims` on real runs: the seed's port
# refutes its claims on the hot range, rangelock's hold, seqretry has n/a.
B=${B:-build}
tmp=$(mktemp -d /tmp/report-claims.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo 1..4
$B/snapbench run --scenario hot-range --strategy rangelock,seqretry --reps 1 --duration 0.3 \
	--out "$tmp/r" >/dev/null 2>&1
# The run in which tests/seed_races.c finds a later range lock served first.
$B/snapbench run --scenario baseline --strategy rangelock-2015 --reps 1 --duration 0.3 \
	--set mm.pages=8192 --set mm.memory_pages=16384 --set mm.interval_pages=64 \
	--set run.warmup_s=0 --set run.watchdog_s=0.6 --set mirror.threads=2 \
	--set mirror.pattern=hot --set mirror.hot_pages=1 --set mirror.range_pages=1 \
	--set storm.madvise.threads=1 --set storm.madvise.target=hot \
	--set storm.madvise.range_pages=1 --set storm.madvise.rate=50 \
	--set debug.inject=rl2015_after_unlock:sleep=5ms,rl2015_locked:sleep=2ms \
	--out "$tmp/r" >/dev/null 2>&1
reports/snapreport claims "$tmp/r" > "$tmp/out" || echo "not ok - snapreport claims failed"
verdict() {	# claim-line-pattern strategy
	awk -v c="$1" -v s="$2" 'index($0, c) == 1 { on = 1; next } /^[^ ]/ { on = 0 }
		on && $1 == s { $1 = ""; print substr($0, 2); exit }' "$tmp/out"
}
check() {	# n description claim strategy expected-prefix
	v=$(verdict "$3" "$4")
	case "$v" in "$5"*) echo "ok $1 - $2: $v" ;; *) echo "not ok $1 - $2: '$v'" ;; esac
}
check 1 "rangelock-2015 is not served in arrival order" "seed: overlapping" rangelock-2015 refuted
check 2 "rangelock is FIFO" "seed: overlapping" rangelock holds
check 3 "rangelock loses no wake-up" "seed and ours: no lost" rangelock holds
check 4 "seqretry has no arrival order to measure" "seed: overlapping" seqretry "n/a:"
