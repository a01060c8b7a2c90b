#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel-world.t - `snapbench run --world kernel` on this machine, with an
# LD_PRELOAD stand-in for lib/test_snapbench (tests/fake_snapbench.c): the
# storms make real system calls on the run's mapping, the device answers
# every pass at once.  The same runner, result files and SUMMARY lines as
# the model's; the kernel world's notes, counters and refusals; and its
# hang report: the stuck thread named with its tid, every thread's kernel
# stack, the partial result written, $SNAPBENCH_HUNG created, no exit.
set -u
cd "$(dirname "$0")/.."
TAP_TMP_NAME=kernel-world
. tests/lib.sh
FAKE=$(dirname "$SB")/tests/fake_snapbench.so
if [ ! -e "$FAKE" ]; then
	skip "the kernel world with a stand-in driver" "no $FAKE (a sanitizer build)"
	echo "1..$n"
	exit 0
fi
# The kernel's knobs the storms set go to files in $T/knobs (never the host's).
mkdir -p "$T/knobs"
export FAKE_SNAPBENCH_KNOBS=$T/knobs
kw() { LD_PRELOAD=$FAKE "$SB" run --world kernel --placement none --quiet "$@"; }
knob() { cat "$T/knobs/$1" 2>/dev/null; }

out=$(kw --scenario madvise-storm,numa-storm --reps 1 --duration 0.3 --set mm.pages=4096 \
	--set storm.numa.range_pages=512 --out "$T/k" 2>"$T/k.err")
rc=$?
files=$(find "$T/k" -name 'rep-0.json' | sort)
[ $rc = 0 ] && [ "$(grep -c '^SUMMARY .* status=ok .*environment=guest accelerator=unknown failed_passes=0 ' <<<"$out")" = 6 ] &&
	[ "$(wc -l <<<"$files")" = 6 ] && harness/check-result $files >/dev/null
ok $? "madvise-storm, numa-storm x the driver's 3 strategies: 6 ok runs, 6 valid result files (exit $rc)"
python3 - "$T/k" <<'PY'
import json, sys
def load(s, st):
    return json.load(open(f"{sys.argv[1]}/{s}/{st}/rep-0.json"))
m, n = load("madvise-storm", "rangelock"), load("numa-storm", "seqretry")
ok = (m["context"]["environment"] == "guest" and "storm_notes" not in m["context"]
      and m["benchmarks"][0]["ops.madvise"] > 0
      and "storm_notes" not in n["context"]
      and n["benchmarks"][0]["ops.numa"] > 0
      and {"mirror_failed_efault", "mirror_failed_ebusy", "mirror_failed_eintr",
           "late_passes", "locked_passes"} <= set(m["snapbench"]["strategy_counters"]))
sys.exit(0 if ok else 1)
PY
ok $? "real madvise calls and numa's accesses counted, numa no stand-in note; failed passes by errno"
# numa-storm ran last: NUMA balancing on, a scan every 1000/rate ms over range_pages.
[ "$(knob proc_sys_kernel_numa_balancing)" = 1 ] &&
	[ "$(knob sys_kernel_debug_sched_numa_balancing_scan_period_min_ms)" = 1 ] &&
	[ "$(knob sys_kernel_debug_sched_numa_balancing_scan_period_max_ms)" = 1 ] &&
	[ "$(knob sys_kernel_debug_sched_numa_balancing_scan_size_mb)" = 2 ] &&
	[ "$(knob sys_kernel_debug_sched_numa_balancing_scan_delay_ms)" = 0 ]
ok $? "numa storm: kernel.numa_balancing 1, scan period 1 ms (rate 2000), 2 MiB (512 pages), no delay"
if grep -q '^numa_pte_updates ' /proc/vmstat; then
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["snapbench"]["strategy_counters"]
sys.exit(0 if {"vm_numa_pte_updates", "vm_numa_hint_faults", "vm_numa_pages_migrated"} <= set(c) else 1)' \
		"$T/k/numa-storm/seqretry/rep-0.json"
	ok $? "numa storm: its /proc/vmstat counters reported (vm_numa_*)"
else
	skip "numa storm's vmstat counters" "no numa_pte_updates in this machine's /proc/vmstat"
fi
kw --scenario madvise-storm --strategy seqretry --reps 1 --duration 0.1 --out "$T/k2" 2>/dev/null >/dev/null
[ "$(knob proc_sys_kernel_numa_balancing)" = 0 ]
ok $? "a run without a numa storm turns NUMA balancing off"

# kswapd stays a stand-in (MADV_PAGEOUT), and says so.
out=$(kw --scenario baseline --strategy seqretry --reps 1 --duration 0.3 --set mm.pages=2048 \
	--set mm.memory_pages=1024 --set storm.kswapd.threads=1 --set storm.kswapd.range_pages=8 \
	--out "$T/ks" 2>"$T/ks.err")
rc=$?
[ $rc = 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
sys.exit(0 if d["benchmarks"][0]["ops.kswapd"] > 0 and "stand-in" in d["context"]["storm_notes"]["kswapd"] else 1)' \
		"$T/ks/baseline/seqretry/rep-0.json"
ok $? "kswapd storm: its MADV_PAGEOUT calls counted, its stand-in note in context.storm_notes (exit $rc)"
bad "kernel world: a model-only strategy" "strategy 'validflag' is not in the kernel world" \
	kw --scenario baseline --strategy validflag --out "$T/x"
bad "kernel world: deadline_on_fault_only" "mirror.deadline_on_fault_only is not modelled by the test driver" \
	kw --scenario baseline --set mirror.deadline_on_fault_only=yes --out "$T/x"
bad "kernel world: finer notifier subscriptions" "the test driver has one notifier subscription over the whole mapping" \
	kw --scenario baseline --set mm.interval_pages=512 --out "$T/x"
bad "kernel world: the model's calibration keys" "cost.* calibrates the model; a kernel pays its own costs" \
	kw --scenario baseline --set cost.pass_ns=1000 --out "$T/x"
"$SB" run --world kernel --scenario baseline --out "$T/x" 2>"$T/nodev.err"
rc=$?
[ $rc = 2 ] && grep -q '^snapbench: /dev/test_snapbench: No such file or directory' "$T/nodev.err" && [ ! -e "$T/x" ]
ok $? "without the driver: refused before anything runs (exit $rc: $(head -n 1 "$T/nodev.err"))"

# A pass that never returns: the run reports, writes its partial result and
# parks, as in a guest (it cannot exit: /init waits for $SNAPBENCH_HUNG).
FAKE_SNAPBENCH_HANG=1 SNAPBENCH_HUNG="$T/hung" setsid bash -c \
	'LD_PRELOAD=$0 exec "$1" run --world kernel --placement none --quiet --scenario baseline \
	--strategy rangelock --reps 1 --duration 0.2 --set run.warmup_s=0 --set run.watchdog_s=1 \
	--out "$2"' "$FAKE" "$SB" "$T/h" >"$T/h.out" 2>"$T/h.err" &
pid=$!
for i in $(seq 100); do [ -e "$T/hung" ] && break; sleep 0.2; done
sleep 0.5
kill -KILL -- -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ -e "$T/hung" ] && [ -s "$T/h/baseline/rangelock/rep-0.hung.json" ] &&
	grep -q '^SUMMARY .* status=hung ' "$T/h.out" &&
	grep -q '^snapbench: hung: mirror-[01]: SNAPBENCH_IOC_MIRROR \[[0-9]*, [0-9]*) for .* s; tid [0-9]*$' "$T/h.err" &&
	grep -q '^snapbench: thread [0-9]* of pid [0-9]*$' "$T/h.err" && grep -q '^  wchan: ' "$T/h.err" &&
	grep -q 'partial result: .*rep-0.hung.json; no more runs in this boot' "$T/h.err" &&
	harness/check-result "$T/h/baseline/rangelock/rep-0.hung.json" >/dev/null
ok $? "a stuck pass: stacks of every thread, the stuck one with its tid, hung result, \$SNAPBENCH_HUNG, parked"
# The driver's arrival order reaches the claims table as the model's does:
# a column per kernel strategy, decided from the same counter names.
kw --scenario baseline --strategy rangelock,seqretry,hybrid --reps 1 --duration 0.2 \
	--set mm.pages=1024 --out "$T/c" >/dev/null 2>&1 &&
	FAKE_SNAPBENCH_OVERTAKES=3 kw --scenario hot-range --strategy rangelock --reps 1 \
		--duration 0.2 --set mm.pages=1024 --out "$T/c2" >/dev/null 2>&1
rc=$?
reports/snapreport claims "$T/c" >"$T/claims" 2>&1 && reports/snapreport claims "$T/c2" >"$T/claims2" 2>&1
col() { awk -v c="$2" -v s="$3" 'index($0, c) == 1 { on = 1; next } /^[^ ]/ { on = 0 }
	on && $1 == s { $1 = ""; print substr($0, 2); exit }' "$1"; }
o1=$(col "$T/claims" "seed: overlapping" kernel:rangelock)
o2=$(col "$T/claims" "seed: overlapping" kernel:seqretry)
o3=$(col "$T/claims2" "seed: overlapping" kernel:rangelock)
r1=$(col "$T/claims" "ours: bounded" kernel:hybrid)
[ $rc = 0 ] && [ "$o1" = holds ] && [ "${o2#n/a}" != "$o2" ] && [ "$o3" = refuted ] && [ "$r1" = holds ] &&
	grep -q 'granted, 3 overtakes by later overlapping arrivals; worst 3, which cost that waiter 2.000 ms' "$T/claims2"
ok $? "claims table: kernel:rangelock FIFO '$o1' (with 3 overtakes: '$o3'), kernel:seqretry '${o2%%:*}', kernel:hybrid retries '$r1'"

echo "1..$n"
