#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cli.t - the snapbench command line: one-line errors with exit status 2 for
# every class of bad input, a real run with valid result files, a sweep,
# and an interrupted run that keeps what it finished.
set -u
cd "$(dirname "$0")/.."
SB=${B:-build}/snapbench
T=$(mktemp -d /tmp/snapbench-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

# bad_input DESCRIPTION EXPECTED-TEXT ARGS...: exit 2, one line naming it.
bad_input() {
	local what=$1 want=$2 out rc lines
	shift 2
	out=$("$SB" "$@" 2>&1 >/dev/null); rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	case "$out" in *"$want"*) match=0 ;; *) match=1 ;; esac
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ $match -eq 0 ]
	ok $? "$what: exit $rc, '$out'"
}

echo "1..19"
printf '[mirror]\nthreads = 2\nthreads = 3\n' > "$T/dup.ini"
printf '[mirror]\nfoo = 1\n' > "$T/unknown.ini"
printf '[mirror]\nthreads = 1\n' > "$T/ok.ini"
chmod 000 "$T/ok.ini"
bad_input "unknown command" "unknown command 'frobnicate'" frobnicate
bad_input "unknown option" "unknown option '--bogus'" run --scenario baseline --bogus
bad_input "missing scenario" "--scenario is required" run
bad_input "unknown scenario" "unknown scenario 'nope'" run --scenario nope
bad_input "unknown strategy" "unknown strategy 'zz'" run --scenario baseline --strategy zz
bad_input "missing file" "No such file or directory" run --scenario "$T/missing.ini"
if [ "$(id -u)" = 0 ]; then
	ok 0 "# SKIP unreadable file: root reads everything"
else
	bad_input "unreadable file" "Permission denied" run --scenario "$T/ok.ini"
fi
bad_input "duplicate key" "duplicate key 'mirror.threads'" run --scenario "$T/dup.ini"
bad_input "unknown key" "unknown key 'mirror.foo'" run --scenario "$T/unknown.ini"
bad_input "zero threads" "mirror.threads: 0 is out of range" run --scenario baseline --set mirror.threads=0
bad_input "negative rate" "must be positive" run --scenario munmap-storm --set storm.munmap.rate=-1
bad_input "deadline 0" "mirror.deadline_ms: 0 is out of range" run --scenario baseline --set mirror.deadline_ms=0
bad_input "range larger than the space" "larger than the address space" run --scenario baseline --set mirror.range_pages=99999999
bad_input "bad repetitions" "--reps: 'zero'" run --scenario baseline --reps zero
bad_input "unwritable output directory" "--out /proc/snapbench" run --scenario baseline --out /proc/snapbench

out=$("$SB" run --scenario baseline,munmap-storm --strategy seqretry,rangelock --reps 1 \
	--duration 0.2 --set run.warmup_s=0.05 --placement none --quiet --out "$T/r" 2>/dev/null)
files=$(find "$T/r" -name 'rep-*.json' | sort)
[ "$(echo "$files" | wc -l)" -eq 4 ] && harness/check-result $files &&
	[ "$(printf '%s\n' "$out" | grep -c '^SUMMARY .* mirror.threads=2 ')" -eq 4 ]
ok $? "a run writes one valid result file and one SUMMARY line per run"

"$SB" run --scenario numa-storm --strategy seqretry --reps 1 --duration 0.1 \
	--set run.warmup_s=0 --sweep storm.numa.rate=100,400 --quiet --out "$T/s" >/dev/null 2>&1 &&
	grep -q '"param": "storm.numa.rate"' "$T/s/numa-storm@storm.numa.rate=400/seqretry/rep-0.json"
ok $? "--sweep writes one directory per value and records the sweep"

# Interrupted: Ctrl-C once the first result exists.
"$SB" run --scenario baseline --strategy seqretry --reps 20 --duration 0.3 \
	--set run.warmup_s=0 --quiet --out "$T/i" >/dev/null 2>"$T/i.err" &
pid=$!
for _ in $(seq 1 200); do
	[ -n "$(find "$T/i" -name 'rep-*.json' 2>/dev/null)" ] && break
	sleep 0.05
done
kill -INT $pid
wait $pid; rc=$?
files=$(find "$T/i" -name 'rep-*.json')
[ $rc -eq 130 ] && [ -n "$files" ] && harness/check-result $files &&
	[ -z "$(find "$T/i" -name '*.tmp.*')" ] && grep -q "completed results are in" "$T/i.err"
ok $? "SIGINT: exit 130, $(echo "$files" | wc -w) completed files valid, no partial file, says where"

"$SB" list | grep -q "rangelock-2015 .*known unsafe" && "$SB" list --keys | grep -q "^storm.numa.rate "
ok $? "list shows the strategies (known-unsafe marked) and every scenario key"
