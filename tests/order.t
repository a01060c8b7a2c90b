#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# order.t - `snapbench run` runs its plan in seeded, shuffled rounds: rep k
# of every scenario, sweep point and strategy before rep k+1 of any, the
# order shuffled from --seed and the same for the same seed; the files,
# their rep numbers and seeds are those of --order sequential; --append
# goes on numbering in the shuffled order too.  No timing is checked.
set -u
cd "$(dirname "$0")/.."
SB=${B:-build}/snapbench
T=$(mktemp -d /tmp/snapbench-order-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

# Two scenarios, each swept over two points, three strategies: 12 cells;
# two repetitions: 24 runs of 20 ms.
run() {
	local out=$1
	shift
	"$SB" run --scenario baseline,munmap-storm --strategy seqretry,rangelock,hybrid \
		--sweep mirror.threads=1,2 --reps 2 --duration 0.02 --set run.warmup_s=0 \
		--placement none --quiet --out "$T/$out" "$@" 2>>"$T/err" |
		sed -n 's/^SUMMARY scenario=\([^ ]*\) strategy=\([^ ]*\) rep=\([0-9]*\) seed=\([0-9]*\) .* mirror.threads=\([0-9]*\) .*/\1@\5 \2 \3 \4/p' \
		>"$T/$out.order"
}

# The order as the files record it (context.run_index, .order), one
# "cell rep seed" line per run in run order.
recorded() {
	python3 - "$T/$1" <<'PY'
import glob, json, sys
runs = []
for f in glob.glob(sys.argv[1] + "/*/*/rep-*.json"):
    c = json.load(open(f))["context"]
    runs.append((c["run_index"], c["order"], "%s@%s %s %d %d" % (
        c["scenario"], c["scenario_params"]["mirror.threads"], c["strategy"], c["rep"], c["seed"])))
runs.sort()
assert [r[0] for r in runs] == list(range(len(runs))), "run_index is not 0..n-1"
for _, order, line in runs:
    print(order, line)
PY
}

run s1 --seed 7
run s2 --seed 7
run s3 --seed 8
run q --seed 7 --order sequential

[ "$(wc -l <"$T/s1.order")" -eq 24 ] && [ "$(wc -l <"$T/q.order")" -eq 24 ]
ok $? "24 runs each, shuffled and sequential"

# Rounds: lines 12k+1 .. 12k+12 are rep k of each of the 12 cells, once each.
awk '{ k = int((NR - 1) / 12); if ($3 != k) bad = 1; seen[k, $1 " " $2]++ }
     END { for (x in seen) if (seen[x] != 1) bad = 1; exit bad }' "$T/s1.order"
ok $? "shuffled: rep k of every cell before rep k+1 of any"

! cmp -s "$T/s1.order" "$T/q.order" &&
	awk '{ print $1, $2 }' "$T/s1.order" | uniq | wc -l | grep -qx 24
ok $? "shuffled: not the sequential order, no cell twice in a row"

awk 'NR <= 12 { a = a $1 " " $2 "," } NR > 12 { b = b $1 " " $2 "," }
     END { exit a == b }' "$T/s1.order"
ok $? "shuffled: each round in an order of its own"

cmp -s "$T/s1.order" "$T/s2.order"
ok $? "the same --seed gives the same order"

! cmp -s "$T/s1.order" "$T/s3.order"
ok $? "another --seed gives another order"

awk '{ k = int((NR - 1) / 2); if ($3 != NR - 1 - 2 * k) bad = 1 } END { exit bad }' "$T/q.order" &&
	[ "$(awk '{ print $1, $2 }' "$T/q.order" | uniq | wc -l)" -eq 12 ]
ok $? "--order sequential: each cell's repetitions one after the other"

# The same files, rep numbers and seeds (rep k has seed --seed + k) either way.
[ "$(sort "$T/s1.order")" = "$(sort "$T/q.order")" ] &&
	awk '{ if ($4 != 7 + $3) bad = 1 } END { exit bad }' "$T/s1.order" &&
	[ "$(cd "$T/s1" && find . -name '*.json' | sort)" = "$(cd "$T/q" && find . -name '*.json' | sort)" ]
ok $? "the same result files, rep numbers and seeds as --order sequential"

recorded s1 >"$T/s1.rec" && recorded q >"$T/q.rec" &&
	[ "$(sed 's/^shuffled //' "$T/s1.rec")" = "$(cat "$T/s1.order")" ] &&
	[ "$(sed 's/^sequential //' "$T/q.rec")" = "$(cat "$T/q.order")" ] &&
	harness/check-result $(find "$T/s1" -name '*.json') >/dev/null
ok $? "each result file records its order and run_index"

# --append: reps 2 and 3 in shuffled rounds, seeds 9 and 10.
run s1 --seed 7 --append
awk '{ k = 2 + int((NR - 1) / 12); if ($3 != k || $4 != 7 + k) bad = 1 } END { exit bad || NR != 24 }' \
	"$T/s1.order" && [ "$(find "$T/s1" -name 'rep-*.json' | wc -l)" -eq 48 ]
ok $? "--append: reps 2 and 3 in shuffled rounds, after the earlier two"

"$SB" run --scenario baseline --order random --out "$T/bad" 2>"$T/bad.err"
[ $? -eq 2 ] && grep -q "order: 'random' is not shuffled or sequential" "$T/bad.err" && [ ! -e "$T/bad" ]
ok $? "--order random: bad input, nothing created"

echo "1..$n"
