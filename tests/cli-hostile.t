#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cli-hostile.t - `snapbench run` and `kernel run` under careless input
# (issue 19): two runs never share a file and earlier results are never
# replaced unasked; nothing is written outside --out; violations have their
# own exit status; input is checked before anything expensive; a FIFO or a
# years-long plan does not hang silently; one number parser; hybrid's bound.
set -u
cd "$(dirname "$0")/.."
TAP_TMP_NAME=hostile BAD_TIMEOUT=60
. tests/lib.sh

# A quick run: one repetition of 50 ms, no warm-up, no pinning.
QUICK=(--reps 1 --duration 0.05 --set run.warmup_s=0 --placement none --quiet)
bad_run() { local what=$1 want=$2; shift 2; bad "$what" "$want" "$SB" run "$@" "${QUICK[@]}"; }
tree() { (cd "$1" 2>/dev/null && find . -type f | sort | xargs -r sha256sum); }

# -- 2. two runs of one invocation never share a path
mkdir -p "$T/other"
cp workloads/scenarios/baseline.ini "$T/other/baseline.ini"
bad_run "a file named like a built-in scenario" "two runs of this invocation would write there" \
	--scenario "baseline,$T/other/baseline.ini" --strategy seqretry --out "$T/c1"
bad_run "a strategy twice" "two runs of this invocation would write there" \
	--scenario baseline --strategy seqretry,seqretry --out "$T/c2"
bad_run "a scenario twice" "two runs of this invocation would write there" \
	--scenario baseline,baseline --strategy seqretry --out "$T/c3"
bad_run "a sweep value twice" "baseline@mirror.threads=1/seqretry: two runs" \
	--scenario baseline --strategy seqretry --sweep mirror.threads=1,1 --out "$T/c4"
[ ! -e "$T/c1" ] && [ ! -e "$T/c2" ] && [ ! -e "$T/c3" ] && [ ! -e "$T/c4" ]
ok $? "colliding runs: refused before anything ran or was created"

# -- 2. a second invocation into an --out that holds results
"$SB" run --scenario baseline --strategy seqretry --out "$T/o" "${QUICK[@]}" >/dev/null 2>&1
sums=$(tree "$T/o")
bad_run "a second run into the same --out" "$T/o/baseline/seqretry already holds 1 result file: --append" \
	--scenario baseline --strategy seqretry --out "$T/o"
[ -n "$sums" ] && [ "$sums" = "$(tree "$T/o")" ]
ok $? "a second run into the same --out: refused, every file unchanged"
"$SB" run --scenario baseline --strategy seqretry --out "$T/o" --append --seed 7 \
	"${QUICK[@]}" >/dev/null 2>&1 && [ "$sums" = "$(tree "$T/o" | grep rep-0.json)" ] &&
	grep -q '"rep": 1,' "$T/o/baseline/seqretry/rep-1.json" &&
	grep -q '"seed": 8,' "$T/o/baseline/seqretry/rep-1.json" &&
	harness/check-result "$T/o/baseline/seqretry/rep-1.json"
ok $? "--append: rep-1.json after rep-0.json (seed 7 + 1), rep-0.json unchanged"
"$SB" run --scenario baseline --strategy seqretry --out "$T/o" --replace \
	"${QUICK[@]}" >/dev/null 2>"$T/replace.err" &&
	[ "$(find "$T/o" -name 'rep-*' | wc -l)" -eq 1 ] &&
	[ "$(tree "$T/o" | grep rep-0.json)" != "$sums" ] &&
	grep -q "removed 2 earlier result files in $T/o/baseline/seqretry" "$T/replace.err"
ok $? "--replace: the two earlier files removed and said so, one new rep-0.json"
bad_run "--append with --replace" "--append and --replace exclude each other" \
	--scenario baseline --append --replace --out "$T/o"

# -- 3. nothing outside --out
mkdir -p "$T/x/y/z"
bad_run "a sweep value with a path" "value '../../../esc' cannot name a directory in --out: it contains '/'" \
	--scenario baseline --strategy seqretry --sweep scenario.description=../../../esc --out "$T/x/y/z/out"
cp workloads/scenarios/baseline.ini "$T/x/...ini"
cp workloads/scenarios/baseline.ini "$T/x/.ini"
bad_run "a scenario file named ...ini" "scenario name '..' cannot name a directory in --out" \
	--scenario "$T/x/...ini" --strategy seqretry --out "$T/x/y/z/out"
bad_run "a scenario file named .ini" "scenario name '' cannot name a directory in --out: it is empty" \
	--scenario "$T/x/.ini" --strategy seqretry --out "$T/x/y/z/out"
[ -z "$(find "$T/x" -name '*esc*' -o -name out -o -name seqretry -o -name '*.json')" ]
ok $? "nothing written anywhere for those three"

# -- 4. violations have their own exit status
# validflag (known unsafe) in hot-range commits stale snapshots: about 2000
# violations in 0.2 s here.
out=$("$SB" run --scenario hot-range --strategy validflag --reps 1 --duration 0.2 \
	--placement none --quiet --out "$T/v" 2>/dev/null); rc=$?
v=$(sed -n 's/^SUMMARY .* violations=\([0-9]*\) .*/\1/p' <<<"$out")
if [ "${v:-0}" -gt 0 ]; then
	[ $rc -eq 4 ]
	ok $? "a run with invariant violations (validflag: $v) exits 4, not 0 (exit $rc)"
else
	skip "a run with invariant violations exits 4" "validflag found none this time"
fi
"$SB" run --scenario baseline --strategy seqretry --out "$T/v0" "${QUICK[@]}" >/dev/null 2>&1
ok $? "a run without violations exits 0"
"$SB" run --help | grep -q "^  4 .*invariant violations"
ok $? "run --help documents exit status 4"

# -- 6. a FIFO, and a plan of years
mkfifo "$T/fifo.ini"
bad_run "a FIFO as the scenario file" "$T/fifo.ini: not a regular file" --scenario "$T/fifo.ini" --out "$T/f"
err=$("$SB" run --scenario baseline --reps 1000 --duration 86400 --check --out "$T/long" 2>&1 >/dev/null); rc=$?
[ $rc -eq 0 ] && [ ! -e "$T/long" ] &&
	grep -q "plan: 3000 runs (1 scenario x 3 strategies x 1000 repetitions), at least 8.2 years" <<<"$err"
ok $? "--reps 1000 --duration 86400 --check: the plan says 8.2 years; nothing run or created ('$err')"
python3 - "$SB" "$T" <<'EOF' > "$T/pty.out"
import os, pty, sys
sb, t = sys.argv[1], sys.argv[2]
def on_tty(*extra):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sb, [sb, "run", "--scenario", "baseline", "--strategy", "seqretry", "--reps", "2",
                      "--duration", "0.05", "--set", "run.warmup_s=0", "--placement", "none"] + list(extra))
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    os.waitpid(pid, 0)
    return data.decode(errors="replace")
tty = on_tty("--out", t + "/tty")
quiet = on_tty("--out", t + "/ttyq", "--quiet")
print("tty-progress" if "[0/2 done] baseline / seqretry rep 0  elapsed" in tty and "ETA" in tty else "no-progress")
print("tty-plan" if "plan: 2 runs" in tty else "no-plan")
print("quiet-silent" if "ETA" not in quiet and "plan:" not in quiet else "quiet-talks")
EOF
grep -qx tty-progress "$T/pty.out" && grep -qx tty-plan "$T/pty.out"
ok $? "on a terminal: the plan, then a progress line with runs done, elapsed and ETA"
grep -qx quiet-silent "$T/pty.out"
ok $? "on a terminal with --quiet: neither"
"$SB" run --scenario baseline --strategy seqretry --reps 2 --duration 0.05 --set run.warmup_s=0 \
	--placement none --out "$T/notty" >/dev/null 2>"$T/notty.err"
! grep -q "ETA" "$T/notty.err" && ! grep -q $'\r' "$T/notty.err" && grep -q "plan: 2 runs" "$T/notty.err"
ok $? "stderr not a terminal: the plan line, no progress line"

# -- 7. one number parser
bad_run "--duration 0x10" "--duration: '0x10' is not a number of seconds" --scenario baseline --duration 0x10 --out "$T/n"
bad_run "--seed 0x10" "--seed: '0x10' is not a whole number" --scenario baseline --seed 0x10 --out "$T/n"
bad_run "--set device.invalidate_cost_us=-0" "device.invalidate_cost_us: -0 is out of range" \
	--scenario baseline --set device.invalidate_cost_us=-0 --out "$T/n"
bad_run "--set run.warmup_s=-0" "run.warmup_s: -0 is out of range" \
	--scenario baseline --set run.warmup_s=-0 --out "$T/n"
bad_run "--set mirror.threads=0x2" "mirror.threads: '0x2' is not a whole number" \
	--scenario baseline --set mirror.threads=0x2 --out "$T/n"
bad_run "--set run.watchdog_s=inf" "run.watchdog_s: 'inf' is not a number" \
	--scenario baseline --set run.watchdog_s=inf --out "$T/n"
bad "--placement bogus=0" "--placement: 'bogus' is not a role" \
	"$SB" run --scenario baseline --placement 'bogus=0' --out "$T/n"
bad "--placement with a role twice" "--placement: role 'mirror' is given twice" \
	"$SB" run --scenario baseline --placement 'mirror=0;mirror=0' --out "$T/n"
bad_run "--duration with --sweep run.duration_s" "--duration and --sweep run.duration_s both set" \
	--scenario baseline --sweep run.duration_s=0.06,0.07 --out "$T/n"
bad "--duration with --set run.duration_s" "--duration and --set run.duration_s both set" \
	"$SB" run --scenario baseline --duration 1 --set run.duration_s=2 --out "$T/n"
bad_run "an empty sweep value" "--sweep '1,,2': an empty item" \
	--scenario baseline --sweep mirror.threads=1,,2 --out "$T/n"
[ ! -e "$T/n" ] && "$SB" run --scenario baseline --duration 5e-2 --seed 16 \
	--set device.invalidate_cost_us=0.5 --placement 'mirror=0;kswapd=0' --check --quiet --out "$T/n"
ok $? "decimal forms still accepted (5e-2, 16, 0.5, two roles once each); nothing created so far"

# -- 8. hybrid's bound under memory pressure (the issue's command, shorter):
# at most 3 retries for collisions per pass; failed faults counted apart.
out=$("$SB" run --scenario reclaim-try --strategy hybrid --reps 2 --seed 2 --duration 0.5 \
	--set mirror.pattern=hot --set storm.kswapd.target=hot --set storm.alloc.target=hot \
	--set mm.memory_pages=768 --set mm.min_free=64 --set mm.low_free=256 \
	--placement none --quiet --out "$T/h" 2>/dev/null)
max=$(sed -n 's/^SUMMARY .* retries_max=\([0-9]*\) .*/\1/p' <<<"$out" | sort -n | tail -n 1)
h0="$T/h/reclaim-try/hybrid/rep-0.json"
bound=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["context"]["strategy_params"]["attempts"])' \
	"$h0" 2>/dev/null)
[ "$(grep -c '^SUMMARY ' <<<"$out")" -eq 2 ] && [ -n "$max" ] && [ "$bound" = 3 ] &&
	[ "$max" -le "$bound" ] && grep -q '"fault_retries_per_pass_max": ' "$h0"
ok $? "hybrid under memory pressure: retries_max $max <= its bound ${bound:-missing} (context.strategy_params.attempts); fault_retries recorded apart"
"$SB" list | grep -q "^  hybrid .* for $bound attempts," &&
	python3 - "$h0" "$T/h/bad-params.json" <<'PY' && harness/check-result "$h0" >/dev/null &&
import json, sys
d = json.load(open(sys.argv[1]))
d["context"]["strategy_params"] = {"attempts": "3"}
json.dump(d, open(sys.argv[2], "w"))
PY
	! harness/check-result "$T/h/bad-params.json" >/dev/null 2>&1
ok $? "hybrid's summary in \`list\` names the bound its result file reports; check-result refuses a parameter that is not a number"

# -- 5. kernel run checks its input before any download or build.  apt's
# tools are stand-ins that leave a mark, so a check that let a run through
# would show (and could not download 1.4 GB).
GUEST=$(dirname "$SB")/guest/snapbench
mkdir -p "$T/fakebin"
for tool in apt-get apt-cache dpkg-deb; do
	printf '#!/bin/sh\necho "%s $*" >> %s/downloaded\nexit 1\n' "$tool" "$T" > "$T/fakebin/$tool"
	chmod +x "$T/fakebin/$tool"
done
kbad() {
	local what=$1 want=$2
	shift 2
	PATH="$T/fakebin:$PATH" SNAPBENCH_CACHE="$T/kcache" bad "$what" "$want" "$SB" kernel "$@"
}
if [ -x "$GUEST" ]; then
	: > "$T/afile"
	kbad "kernel run --set mirror.foo=1" "unknown key 'mirror.foo'" \
		run --version 6.12.117 --scenario baseline --set mirror.foo=1 --out "$T/k"
	kbad "kernel run --set run.warmup_s=-0" "run.warmup_s: -0 is out of range" \
		run --version 6.12.117 --scenario baseline --set run.warmup_s=-0 --out "$T/k"
	kbad "kernel run --out a file" "--out $T/afile: Not a directory" \
		run --version 6.12.117 --scenario baseline --out "$T/afile"
	kbad "kernel run --out under /proc" "--out /proc/snapbench: No such file or directory" \
		run --version 6.12.117 --scenario baseline --out /proc/snapbench
	kbad "kernel run --seed -1" "--seed: '-1' is not a whole number" \
		run --version 6.12.117 --scenario baseline --seed -1 --out "$T/k"
	kbad "kernel run --scenario twice" "--scenario: 'baseline' given twice" \
		run --version 6.12.117 --scenario baseline,baseline --out "$T/k"
	kbad "kernel matrix --set mirror.foo=1" "unknown key 'mirror.foo'" \
		matrix --versions 6.12.117 --scenarios baseline --set mirror.foo=1 --out "$T/k"
	[ ! -e "$T/kcache" ] && [ ! -e "$T/downloaded" ] && [ ! -e "$T/k" ]
	ok $? "kernel: each refused before apt was asked, nothing in SNAPBENCH_CACHE or --out"
else
	skip "kernel run checks its input first" "no static snapbench at $GUEST (a sanitizer build)"
fi

echo "1..$n"
