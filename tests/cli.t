#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cli.t - the snapbench command line: every class of bad input in README's
# "Bad input" table is one line on stderr naming the problem and exit status
# 2, and a failing run loses nothing already written; then a real run with
# valid result files, a sweep, and `list`.  Interrupted runs: interrupt.t.
set -u
cd "$(dirname "$0")/.."
TAP_TMP_NAME=cli
. tests/lib.sh
cleanup() {
	mountpoint -q "$T/full" 2>/dev/null && umount "$T/full"
	rm -rf "$T"
}
bad_input() { local what=$1 want=$2; shift 2; bad "$what" "$want" "$SB" "$@"; }

# As an unprivileged user, for the rows root would pass (permissions).
NOBODY=""
if [ "$(id -u)" != 0 ]; then
	NOBODY=" "
elif command -v setpriv >/dev/null; then
	NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
as_user() { if [ "$NOBODY" = " " ]; then "$@"; else $NOBODY "$@"; fi; }
# That user must reach the binary and the scenarios (not so in a tree under /root).
NOBODY_SKIP=""
if [ -n "$NOBODY" ] && ! as_user "$SB" list >/dev/null 2>&1; then
	NOBODY=""
	NOBODY_SKIP="uid 65534 cannot run '$SB list' (the tree is not readable to it)"
fi

chmod 711 "$T"
printf '[mirror]\nthreads = 2\nthreads = 3\n' > "$T/dup.ini"
printf '[mirror]\nfoo = 1\n' > "$T/unknown.ini"
printf '[mirror]\nthreads = 1\n' > "$T/ok.ini"
chmod 000 "$T/ok.ini"
mkdir -p "$T/ro" "$T/dir.ini"
chmod 555 "$T/ro"
: > "$T/afile"

# -- the command line
bad_input "unknown command" "unknown command 'frobnicate'" frobnicate
bad_input "unknown option" "unknown option '--bogus'" run --scenario baseline --bogus
bad_input "option without its value" "option '--reps' needs a value" run --scenario baseline --reps
bad_input "missing scenario" "--scenario is required" run
bad_input "unknown scenario" "unknown scenario 'nope'" run --scenario nope
bad_input "unknown strategy" "unknown strategy 'zz'" run --scenario baseline --strategy zz
bad_input "bad repetitions" "--reps: 'zero'" run --scenario baseline --reps zero
bad_input "zero repetitions" "--reps: '0' is not a whole number in [1, 1000]" run --scenario baseline --reps 0
bad_input "bad duration" "--duration: '-1'" run --scenario baseline --duration -1
bad_input "bad placement" "--placement" run --scenario baseline --placement sideways
SNAPBENCH_STOP_GRACE_S=soon bad_input "bad SNAPBENCH_STOP_GRACE_S" "SNAPBENCH_STOP_GRACE_S: 'soon'" \
	run --scenario baseline
bad_input "unknown sweep key" "unknown key 'mirror.nope'" run --scenario baseline --sweep mirror.nope=1,2

# -- scenario files
bad_input "missing file" "$T/missing.ini: No such file or directory" run --scenario "$T/missing.ini"
if [ -n "$NOBODY" ]; then
	bad "unreadable file (as an unprivileged user)" "$T/ok.ini: Permission denied" \
		as_user "$SB" run --scenario "$T/ok.ini"
else
	skip "unreadable file" "${NOBODY_SKIP:-root reads everything and setpriv is missing}"
fi
bad_input "a directory as the file" "$T/dir.ini: Is a directory" run --scenario "$T/dir.ini"
bad_input "duplicate key" "duplicate key 'mirror.threads'" run --scenario "$T/dup.ini"
bad_input "unknown key in a file" "unknown key 'mirror.foo'" run --scenario "$T/unknown.ini"
bad_input "unknown key in --set" "unknown key 'mirror.foo'" run --scenario baseline --set mirror.foo=1
bad_input "--set without a value" "--set 'mirror.threads': expected key=value" run --scenario baseline --set mirror.threads
bad_input "not a number" "mirror.threads: 'abc' is not a whole number" run --scenario baseline --set mirror.threads=abc

# -- values out of range
bad_input "zero threads" "mirror.threads: 0 is out of range" run --scenario baseline --set mirror.threads=0
bad_input "negative rate" "storm.munmap.rate: rate -1 must be positive" run --scenario munmap-storm --set storm.munmap.rate=-1
bad_input "deadline 0" "mirror.deadline_ms: 0 is out of range" run --scenario baseline --set mirror.deadline_ms=0
bad_input "range larger than the space" "mirror.range_pages (up to 99999999) is larger than the address space" \
	run --scenario baseline --set mirror.range_pages=99999999

# -- the output directory
bad_input "unwritable output directory" "--out /proc/snapbench" run --scenario baseline --out /proc/snapbench
bad_input "output path is a file" "--out $T/afile: Not a directory" run --scenario baseline --out "$T/afile"
if [ -n "$NOBODY" ]; then
	bad "read-only output directory (as an unprivileged user)" "--out $T/ro: Permission denied" \
		as_user "$SB" run --scenario baseline --out "$T/ro"
else
	skip "read-only output directory" \
		"${NOBODY_SKIP:-root writes everywhere and setpriv is missing}"
fi

# -- kernels (nothing is downloaded or built for these)
bad_input "unknown kernel version" "unknown kernel version '9.9.9'" kernel build --version 9.9.9
bad_input "malformed kernel version" "malformed kernel version '6.12.x'" kernel build --version 6.12.x
bad_input "no boots" "--boots: must be from 1 to 1000, not 0" \
	kernel matrix --versions 6.12.117 --boots 0
if apt-cache madison linux-source-6.12 2>/dev/null | grep -q .; then
	bad_input "kernel version not in the archive" "version '6.12.99999' is not in the archive" \
		kernel build --version 6.12.99999
else
	skip "kernel version not in the archive" "apt knows no linux-source-6.12"
fi
printf 'not a diff\n' > "$T/garbage.patch"
bad_input "--extra-patch that is not a patch" "$T/garbage.patch is not a unified diff" \
	kernel build --version 6.12.117 --extra-patch "$T/garbage.patch"
bad_input "--extra-patch missing" "--extra-patch: no such file: $T/nope.patch" \
	kernel build --version 6.12.117 --extra-patch "$T/nope.patch"

# A well-formed patch that does not apply, on a stand-in kernel tree whose
# Makefile records any make run: it fails before anything is built.
mkdir -p "$T/ktree/mm"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n%%:\n\ttouch %s/made\n' "$T" > "$T/ktree/Makefile"
printf 'int hmm;\n' > "$T/ktree/mm/hmm.c"
printf -- '--- a/mm/hmm.c\n+++ b/mm/hmm.c\n@@ -1,2 +1,2 @@\n-not in mm/hmm.c\n+nor this\n context\n' \
	> "$T/nonapply.patch"
SNAPBENCH_CACHE="$T/kcache" bad "patch that does not apply" \
	"patch nonapply.patch does not apply to source-6.1.0-" \
	harness/kernel/build --source "$T/ktree" --no-patches --extra-patch "$T/nonapply.patch"
[ ! -e "$T/made" ] && [ -z "$(find "$T/kcache/builds" "$T/kcache/work" -mindepth 2 -maxdepth 2 -name src 2>/dev/null)" ]
ok $? "patch that does not apply: no make run, no tree copied"

# The same on a real Debian tree when one is unpacked in the cache already.
cache=${SNAPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/snapbench}
real=$(find "$cache/src" -maxdepth 1 -name '6.*.ok' 2>/dev/null | head -n 1)
if [ -n "$real" ]; then
	v=$(basename "$real" .ok)
	v=${v%%-*}
	bad "patch that does not apply to linux-source $v" "patch nonapply.patch does not apply to $v" \
		"$SB" kernel build --version "$v" --extra-patch "$T/nonapply.patch"
	log=$(sed -n 's/.*(log: \(.*\))$/\1/p' <<<"$err")
	[ -n "$log" ] && [ ! -e "${log%.patch.log}" ]
	ok $? "patch that does not apply to linux-source $v: no build directory left, log kept"
	[ -z "$log" ] || rm -f "$log"
else
	skip "patch that does not apply to a Debian tree" "no linux-source tree unpacked in $cache"
	skip "patch that does not apply to a Debian tree: nothing left" "as above"
fi

# -- a real run, and what a failing run must not touch
out=$("$SB" run --scenario baseline,munmap-storm --strategy seqretry,rangelock --reps 1 \
	--duration 0.2 --set run.warmup_s=0.05 --placement none --quiet --out "$T/r" 2>/dev/null)
files=$(find "$T/r" -name 'rep-*.json' | sort)
[ "$(echo "$files" | wc -l)" -eq 4 ] && harness/check-result $files &&
	[ "$(printf '%s\n' "$out" | grep -c '^SUMMARY .* mirror.threads=2 ')" -eq 4 ]
ok $? "a run writes one valid result file and one SUMMARY line per run"

sums=$(cd "$T/r" && find . -type f | sort | xargs sha256sum)
bad_input "bad input into an existing --out" "unknown key 'mirror.foo'" \
	run --scenario baseline --set mirror.foo=1 --out "$T/r"
[ "$sums" = "$(cd "$T/r" && find . -type f | sort | xargs sha256sum)" ]
ok $? "bad input into an existing --out: every result file unchanged"

# Output disk full: a 64 KiB tmpfs holding one earlier result, then filled.
mkdir -p "$T/full"
if mount -t tmpfs -o size=64k snapbench-cli "$T/full" 2>"$T/mount.err"; then
	d="$T/full/out/baseline/seqretry"
	mkdir -p "$d"
	cp "$T/r/baseline/seqretry/rep-0.json" "$d/rep-0.json"
	dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
	bad_input "output disk full" "cannot write $d/rep-1.json: No space left on device" \
		run --scenario baseline --strategy seqretry --reps 2 --duration 0.1 \
		--set run.warmup_s=0 --placement none --quiet --append --out "$T/full/out"
	cmp -s "$T/r/baseline/seqretry/rep-0.json" "$d/rep-0.json" &&
		[ "$(find "$T/full/out" -type f | wc -l)" -eq 1 ]
	ok $? "output disk full: the earlier rep-0.json intact, no partial or new file"
	umount "$T/full"
else
	skip "output disk full" "cannot mount a tmpfs: $(head -n 1 "$T/mount.err")"
	skip "output disk full: nothing lost" "as above"
fi

# -- failed runs: no progress, and a hang caught from the last progress
# One pass takes 64 pages x 10 ms of device work, longer than warm-up and
# the measured phase together: no pass can complete in the measured phase.
out=$("$SB" run --scenario baseline --strategy seqretry --reps 1 --duration 0.1 \
	--set run.warmup_s=0.1 --set mirror.device_work_ns=1e7 --placement none --quiet \
	--out "$T/np" 2>"$T/np.err"); rc=$?
f="$T/np/baseline/seqretry/rep-0.json"
[ $rc -eq 3 ] && grep -q '^SUMMARY .* status=no-progress .* ttm_p99_ns=n/a ' <<<"$out" &&
	grep -q 'made no progress' "$T/np.err" && harness/check-result "$f" &&
	python3 - "$f" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = d["benchmarks"][0]
assert d["context"]["status"] == "no-progress" and b["error_occurred"] is True
assert b["iterations"] == 0 and b["real_time"] is None and b["ttm_p99_ns"] is None
assert b["retries_per_pass_mean"] is None and b["deadline_miss_ratio"] is None
PY
ok $? "a run with no mirror pass: status no-progress, exit 3 (got $rc), n/a (null) metrics, never 0"

# The seed deadlocks on COW breaks under its lock (tests/seed_findings.c):
# stuck from the start of a run shorter than the watchdog, it must be
# reported after run.watchdog_s from the last progress (3 s), not after the
# measured phase plus another watchdog period (5.5 s).
start=$(date +%s.%N)
"$SB" run --scenario baseline --strategy rangelock-2015 --reps 1 --duration 2.5 \
	--set mm.pages=8192 --set mm.memory_pages=16384 --set mm.interval_pages=64 \
	--set mirror.hot_pages=512 --set mm.cow_permille=1000 --set mirror.write_permille=500 \
	--set run.watchdog_s=3 --set run.warmup_s=0 --placement none --quiet \
	--out "$T/hang" >"$T/hang.out" 2>"$T/hang.err"; rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
stuck=$(sed -n 's/.*: mirror pass .* for \([0-9.]*\) s$/\1/p' "$T/hang.err" | sort -n | tail -n 1)
[ $rc -eq 3 ] && [ -n "$stuck" ] && [ "$(echo "$stuck <= 4" | bc)" = 1 ] &&
	grep -q '^SUMMARY .* status=hung ' "$T/hang.out" &&
	harness/check-result "$T/hang/baseline/rangelock-2015/rep-0.hung.json"
ok $? "a hang shorter than the watchdog: reported stuck for ${stuck:-?} s <= watchdog_s + 1 = 4 s (exit $rc, wall ${wall%.*} s)"

"$SB" run --scenario numa-storm --strategy seqretry --reps 1 --duration 0.1 \
	--set run.warmup_s=0 --sweep storm.numa.rate=100,400 --quiet --out "$T/s" >/dev/null 2>&1 &&
	grep -q '"param": "storm.numa.rate"' "$T/s/numa-storm@storm.numa.rate=400/seqretry/rep-0.json"
ok $? "--sweep writes one directory per value and records the sweep"

"$SB" list | grep -q "rangelock-2015 .*known unsafe" && "$SB" list --keys | grep -q "^storm.numa.rate "
ok $? "list shows the strategies (known-unsafe marked) and every scenario key"

echo "1..$n"
