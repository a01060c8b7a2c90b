#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP: `snapbench kernel track` and `kernel matrix --plan`, with a fake
# build and boot (tests/kernel/fake-build, fake-boot: no kernel, no QEMU;
# the guest's result files are copies of a short userspace run with
# seeded noise), so that the workflow itself is tested in `make test`:
# every result of one invocation carries one context.batch and a new
# invocation another; track boots the reference beside the new build,
# interleaved in alternating order, and takes the verdict within that
# batch (a build whose fake passes/s is 30% lower is a regression, an
# unchanged one and an A/A copy are not); the plan's shards each boot the
# reference, and GNU parallel runs them with two local workers; bad input
# is one line and exit 2.  Real boots: README, "Tracking new releases".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SB=${SNAPBENCH_BIN:-$ROOT/build}/snapbench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() {	# ok COND DESCRIPTION [DIAG]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; [ -n "${3:-}" ] && echo "# $3"; fi
}
echo "1..28"
if [ ! -x "${SNAPBENCH_BIN:-$ROOT/build}/guest/snapbench" ]; then
	for i in $(seq 28); do echo "ok $i # SKIP no in-guest runner (sanitizer build)"; done
	exit 0
fi
export SNAPBENCH_KERNEL_BUILD=$ROOT/tests/kernel/fake-build
export SNAPBENCH_KERNEL_BOOT=$ROOT/tests/kernel/fake-boot
export SNAPBENCH_FAKE_DIR=$tmp SNAPBENCH_FAKE_TEMPLATE=$tmp/tpl SNAPBENCH_FAKE_LOG=$tmp/log
SC=munmap-storm
"$SB" run --scenario $SC --strategy seqretry,rangelock --reps 1 --duration 0.05 \
	--out "$tmp/tpl" --quiet >/dev/null 2>&1

batches() {	# batches DIR -> the distinct context.batch values under DIR, one a line
	python3 - "$1" <<'PY'
import glob, json, sys
seen = set()
for f in glob.glob(sys.argv[1] + "/**/rep-*.json", recursive=True):
    seen.add(str(json.load(open(f))["context"].get("batch")))
print("\n".join(sorted(seen)))
PY
}
one_line_2() {	# one_line_2 DESCRIPTION PATTERN CMD...: exit 2, one stderr line matching PATTERN
	desc=$1 pat=$2
	shift 2
	"$@" >"$tmp/o" 2>"$tmp/e"
	st=$?
	lines=$(wc -l <"$tmp/e")
	[ "$st" = 2 ] && [ "$lines" = 1 ] && grep -q -- "$pat" "$tmp/e"
	ok $? "$desc" "status $st, $lines line(s): $(head -c 300 "$tmp/e")"
}

# A stored batch: kernel run of 6.12.117.
"$SB" kernel run --version 6.12.117 --scenario $SC --strategy seqretry,rangelock --boots 2 \
	--out "$tmp/hist/stored" >/dev/null 2>&1
ok $? "kernel run with the fake build and boot"
b1=$(batches "$tmp/hist/stored")
[ "$(echo "$b1" | wc -l)" = 1 ] && echo "$b1" | grep -Eq '^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$'
ok $? "every result of one kernel run has one context.batch" "$b1"
"$ROOT/harness/check-result" $(find "$tmp/hist/stored" -name 'rep-*.json') >/dev/null 2>&1
ok $? "the stamped files are valid result files (harness/check-result)"
[ -z "$(find "$tmp/hist/stored" -name '*.tmp.*')" ] && [ -z "$(find "$tmp/hist/stored" -path '*/files/*')" ]
ok $? "no temporary or staging file left"

# track: the new release against the newest stored one, booted beside it.
: >"$tmp/log"
"$SB" kernel track --history "$tmp/hist" --version 6.12.118 --strategy seqretry,rangelock \
	>"$tmp/o" 2>"$tmp/e"
st=$?
ok $st "track of an unchanged build: exit 0" "$(tail -n 3 "$tmp/e")"
t1=$(ls -d "$tmp/hist"/2*Z-* 2>/dev/null | head -n 1)
[ -d "$t1/kernel/6.12.117" ] && [ -d "$t1/kernel/6.12.118" ]
ok $? "the reference (newest stored release) is booted again beside the new build, into the history"
b2=$(batches "$t1")
[ "$(echo "$b2" | wc -l)" = 1 ] && [ "$b2" != "$b1" ] && [ "$t1" = "$tmp/hist/$b2" ]
ok $? "one new batch for both builds, named in the default --out" "$b1 / $b2 / $t1"
want=$(for b in 1 2 3 4 5 6 7 8; do
	if [ $((b % 2)) = 1 ]; then echo "6.12.117 $b"; echo "6.12.118 $b"; else echo "6.12.118 $b"; echo "6.12.117 $b"; fi
done)
[ "$(cat "$tmp/log")" = "$want" ]
ok $? "8 boots each (default), interleaved, the order alternating every round" "$(tr '\n' ' ' <"$tmp/log")"
grep -q "trend $t1 --baseline 6.12.117" "$tmp/e" && grep -q "no regression" "$tmp/e"
ok $? "the verdict is trend over this batch alone, against the reference"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["reference"]=="6.12.117" and d["new"]=="6.12.118" and d["trend_status"]==0))' "$t1/track.json"
ok $? "track.json names the batch's reference, new build and verdict"
grep -q "^munmap-storm/rangelock 6.12.117 *$b1 " "$t1/context.txt" &&
	grep -q "^munmap-storm/rangelock 6.12.117 *$b2 \* " "$t1/context.txt"
ok $? "the stored history is shown beside the batch, for context (context.txt, one row per batch)"

# A build 30% slower is flagged, against its own release.
printf 'fake-scale: 0.7\n' >"$tmp/slow.patch"
"$SB" kernel track --history "$tmp/hist" --version 6.12.118 --extra-patch "$tmp/slow.patch" \
	--strategy seqretry,rangelock --boots 6 --out "$tmp/slow" >"$tmp/o" 2>"$tmp/e"
st=$?
[ "$st" = 1 ] && grep -q "6.12.118+slow against 6.12.118 in batch .*: REGRESSION" "$tmp/e"
ok $? "a slower build is a regression against its own release (exit 1)" "status $st: $(tail -n 1 "$tmp/e")"
[ "$(batches "$tmp/slow" | wc -l)" = 1 ]
ok $? "its reference and it are one batch"

# A/A: one build under two labels.
"$SB" kernel track --history "$tmp/hist" --aa --reference 6.12.117 --strategy seqretry,rangelock \
	--boots 3 --out "$tmp/aa" >"$tmp/o" 2>"$tmp/e"
st=$?
[ "$st" = 0 ] && [ -d "$tmp/aa/kernel/6.12.117" ] && [ -d "$tmp/aa/kernel/6.12.117+aa" ] &&
	grep -q "6.12.117+aa against 6.12.117" "$tmp/e"
ok $? "--aa boots the reference twice, the copy as <release>+aa" "status $st: $(tail -n 1 "$tmp/e")"

# Bad input: one line, exit 2.
mkdir -p "$tmp/empty"
one_line_2 "an empty history" "no kernel results in" "$SB" kernel track --history "$tmp/empty" --version 6.12.118
one_line_2 "a missing history" "no such directory" "$SB" kernel track --history "$tmp/nope" --version 6.12.118
one_line_2 "no --version and no --aa" "give --version" "$SB" kernel track --history "$tmp/hist"
one_line_2 "the reference is the build under test" "build under test itself" \
	"$SB" kernel track --history "$tmp/hist" --version 6.12.118 --reference 6.12.118
one_line_2 "a history that is one tree needs --out" "give --out" \
	"$SB" kernel track --history "$tmp/hist/stored" --version 6.12.118
SNAPBENCH_KERNEL_BUILD= one_line_2 "an unknown version (the real build's resolver)" "unknown kernel version '9.9.9'" \
	"$SB" kernel track --history "$tmp/hist" --version 9.9.9

# matrix --plan: every shard boots the reference beside its share.
M="--versions 6.1.170,6.12.117,6.12.118 --scenarios $SC --strategy seqretry,rangelock --boots 2"
"$SB" kernel matrix $M --out "$tmp/m" --plan --shards 2 >"$tmp/plan.json" 2>"$tmp/e"
python3 - "$tmp/plan.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
s = p["shards"]
assert p["reference"] == "6.12.118" and [x["shard"] for x in s] == ["1/2", "2/2"]
assert [x["builds"] for x in s] == ["6.1.170,6.12.118", "6.12.117,6.12.118"], s
assert all("--shard" in x["argv"] and x["out"].endswith("shard-%d-of-2" % x["index"]) for x in s)
PY
ok $? "--plan: JSON shards, each the reference plus its share of the other versions"
"$SB" kernel matrix $M --out "$tmp/m" --plan shards --shards 2 >"$tmp/o" 2>&1
[ "$(cat "$tmp/o")" = "$(printf '1/2\n2/2')" ]
ok $? "--plan shards: one shard id a line"
one_line_2 "a bad --shard" "expected I/N" "$SB" kernel matrix $M --out "$tmp/m" --shard 3/2
one_line_2 "more shards than builds to split" "only 2 build(s) besides the reference" \
	"$SB" kernel matrix $M --out "$tmp/m" --plan --shards 3
one_line_2 "a --reference outside the matrix" "is not one of --versions" \
	"$SB" kernel matrix $M --out "$tmp/m" --reference 6.1.99 --plan

# GNU parallel, two local workers, one shard each.
if ! command -v parallel >/dev/null; then
	for i in 1 2 3; do n=$((n + 1)); echo "ok $n # SKIP GNU parallel not installed (harness/deps kernel)"; done
	exit 0
fi
: >"$tmp/log"
(cd "$ROOT" && "$SB" kernel matrix $M --out "$tmp/m" --plan commands --shards 2 |
	parallel -j2 --halt now,fail=1 >"$tmp/o" 2>"$tmp/e")
ok $? "the plan's commands run under parallel -j2" "$(tail -n 2 "$tmp/e")"
ls "$tmp/m/shard-1-of-2/kernel" | tr '\n' ' ' >"$tmp/k1"
ls "$tmp/m/shard-2-of-2/kernel" | tr '\n' ' ' >"$tmp/k2"
m1=$(batches "$tmp/m/shard-1-of-2") m2=$(batches "$tmp/m/shard-2-of-2")
[ "$(cat "$tmp/k1")" = "6.1.170 6.12.118 " ] && [ "$(cat "$tmp/k2")" = "6.12.117 6.12.118 " ] &&
	[ "$(echo "$m1" | wc -l)" = 1 ] && [ "$(echo "$m2" | wc -l)" = 1 ] && [ "$m1" != "$m2" ]
ok $? "each shard tree holds the reference and its versions, one batch per shard" \
	"$(cat "$tmp/k1") / $(cat "$tmp/k2") / $m1 $m2"
"$ROOT/reports/snapreport" trend "$tmp/m/shard-1-of-2" >/dev/null 2>&1 &&
	"$ROOT/reports/snapreport" trend "$tmp/m/shard-2-of-2" >/dev/null 2>&1
ok $? "each shard is judged alone, within its batch (trend exit 0 on unchanged fakes)"
