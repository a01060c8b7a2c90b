#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP: every kernel-patches/<series>/series is bisectable on the newest point
# release of its series (harness/kernel/check-series), and the check fails
# when a patch of a scratch copy is broken on purpose.
#
# Each series is one test here; check-series's own TAP is repeated as '# '
# lines (on stderr too when it fails).  CHECK_SERIES_FLAGS adds options
# (e.g. --debug); CHECK_SERIES limits the series checked (default: all).
set -u

SNAPBENCH_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROG=kernel/check-series.t
. "$SNAPBENCH_ROOT/harness/kernel/lib.sh"
CS="$SNAPBENCH_ROOT/harness/kernel/check-series"
# shellcheck disable=SC2206
flags=(${CHECK_SERIES_FLAGS:-})
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

serieses=${CHECK_SERIES:-$KERNEL_SERIES}
n=0
echo "1..$(($(echo $serieses | wc -w) + 3))"

# run NAME ARGS...: check-series ARGS, its TAP in $scratch/NAME.tap, its
# status in $st
run() {
	name=$1
	shift
	st=0
	"$CS" "${flags[@]}" "$@" >"$scratch/$name.tap" 2>"$scratch/$name.err" || st=$?
}
diag() {	# diag NAME [stderr]: check-series's output as TAP comments
	sed -e 's/^/# /' "$scratch/$1.tap" "$scratch/$1.err"
	[ $# -lt 2 ] || sed -e 's/^/# /' "$scratch/$1.tap" "$scratch/$1.err" >&2
}

for s in $serieses; do
	n=$((n + 1))
	run "v$s" --series "$s"
	tests=$(grep -c -E '^(not )?ok ' "$scratch/v$s.tap")
	if [ "$st" = 0 ] && ! grep -q '^not ok' "$scratch/v$s.tap"; then
		echo "ok $n - v$s: every patch compiles, checkpatch clean ($tests tests)"
		diag "v$s"
	else
		echo "not ok $n - v$s: check-series exit $st"
		diag "v$s" stderr
	fi
done

# A scratch copy of v6.12 with a '#warning' put into 0002 and an '#error'
# into 0004, each in place of an added blank line (so the hunks still
# apply): 0002 must fail for its new warning, 0003 still pass, 0004 fail
# for the error.
broken="$scratch/broken"
mkdir -p "$broken"
src_dir="$SNAPBENCH_ROOT/kernel-patches/v6.12"
cp "$src_dir"/series "$src_dir"/*.patch "$broken"/
# break PATCH-GLOB FILE TEXT: the first added blank line in FILE's diff
break_patch() {
	f=$(echo "$broken"/$1)
	awk -v file="$2" -v text="$3" '
		/^diff --git / { in_file = ($0 ~ (" b/" file "$")) }
		in_file && !done && $0 == "+" { print "+" text; done = 1; next }
		{ print }
		END { exit !done }' "$f" >"$f.new" && mv "$f.new" "$f"
}
if break_patch '0002-*.patch' mm/vmscan.c '#warning "check-series self-test"' &&
	break_patch '0004-*.patch' lib/test_snapbench.c '#error "check-series self-test"'; then
	fail=0
	run broken --series 6.12 --series-dir "$broken" --no-checkpatch
	tap="$scratch/broken.tap"
	n=$((n + 1))
	if [ "$st" = 1 ] && grep -q '^not ok 2 - 0002-.* compiles' "$tap" &&
		grep -q '^# new W=1 warning: mm/vmscan.c: warning: #warning "check-series self-test"' "$tap"; then
		echo "ok $n - a new warning in 0002 fails 0002"
	else
		echo "not ok $n - a new warning in 0002 fails 0002 (exit $st)"
		fail=1
	fi
	n=$((n + 1))
	if grep -q '^ok 1 - 0001-' "$tap" && grep -q '^ok 3 - 0003-' "$tap"; then
		echo "ok $n - the unbroken 0001 and 0003 still pass"
	else
		echo "not ok $n - the unbroken 0001 and 0003 still pass"
		fail=1
	fi
	n=$((n + 1))
	if grep -q '^not ok 4 - 0004-.* compiles' "$tap" &&
		grep -q '^# lib/test_snapbench.c:[0-9]*:[0-9]*: error: #error "check-series self-test"' "$tap"; then
		echo "ok $n - an error in 0004 fails 0004 with the compiler's error line"
	else
		echo "not ok $n - an error in 0004 fails 0004 with the compiler's error line"
		fail=1
	fi
	if [ "$fail" = 1 ]; then diag broken stderr; else diag broken; fi
else
	for d in "a new warning in 0002 fails 0002" "the unbroken 0001 and 0003 still pass" \
		"an error in 0004 fails 0004 with the compiler's error line"; do
		n=$((n + 1))
		echo "not ok $n - $d # cannot break the scratch copy: no added blank line"
	done
fi
