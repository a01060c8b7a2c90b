#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# interrupt.t - SIGINT and SIGTERM during `snapbench run`: the run in
# progress stops at once, every completed result file stays whole (valid
# JSON), no partial file is left, the message says where the results are,
# and a second signal exits immediately.
#
# Each run is a sweep of run.duration_s=0.2,60: the first point completes
# (a result file to keep), the second is in progress when the signal comes
# and would go on for a minute.  The bound on the exit is 5 s so that a
# loaded machine does not fail the test; the measured latency is printed.
set -u
cd "$(dirname "$0")/.."
SB=${B:-build}/snapbench
T=$(mktemp -d /tmp/snapbench-intr-XXXXXX)
PID=""
cleanup() {
	[ -z "$PID" ] || kill -KILL "$PID" 2>/dev/null
	for c in ${CHILD:-}; do kill -CONT "$c" 2>/dev/null; kill -KILL "$c" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
bail() { echo "Bail out! $1"; exit 1; }
BOUND_MS=5000
DONE_FILE="mixed@run.duration_s=0.2/seqretry/rep-0.json"

ms() { echo $(($(date +%s%N) / 1000000)); }

# start NAME: a run in the background into $T/NAME; sets PID, OUT and CHILD
# (the run in progress, the 60 s one) once the first result file exists.
start() {
	OUT=$T/$1
	env ${GRACE:+SNAPBENCH_STOP_GRACE_S=$GRACE} "$SB" run --scenario mixed --strategy seqretry --reps 1 \
		--sweep run.duration_s=0.2,60 --set run.warmup_s=0 --placement none \
		--quiet --out "$OUT" >/dev/null 2>"$T/$1.err" &
	PID=$!
	CHILD=""
	for _ in $(seq 1 600); do
		[ -e "$OUT/$DONE_FILE" ] && break
		sleep 0.05
	done
	[ -e "$OUT/$DONE_FILE" ] || bail "$1: no $DONE_FILE after 30 s; stderr: $(head -n 1 "$T/$1.err")"
	# The run in progress: the child with its threads running (the first
	# child joined its threads before it wrote its file).
	for _ in $(seq 1 100); do
		for c in $(pgrep -P "$PID"); do
			[ "$(awk '/^Threads:/ { print $2 }' "/proc/$c/status" 2>/dev/null)" -ge 3 ] 2>/dev/null &&
				CHILD=$c
		done
		[ -n "$CHILD" ] && break
		sleep 0.05
	done
	[ -n "$CHILD" ] || bail "$1: no child of $PID running the second sweep point"
}

# finish: wait for $PID; sets RC and LAT (ms since T0).
finish() {
	wait "$PID"
	RC=$?
	LAT=$(($(ms) - T0))
	PID=""
}

# results_kept NAME: the completed file is valid JSON and a valid result,
# nothing else (no file of the interrupted run, no temporary) is there.
results_kept() {
	local files
	files=$(find "$OUT" -type f | sort)
	[ "$files" = "$OUT/$DONE_FILE" ] && python3 -m json.tool "$OUT/$DONE_FILE" >/dev/null &&
		harness/check-result "$OUT/$DONE_FILE"
}

# gone PID: the process has ended (or is a zombie) within 5 s.
gone() {
	for _ in $(seq 1 100); do
		[ -e "/proc/$1" ] || return 0
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.05
	done
	return 1
}

# pending_term PID: SIGTERM (15) is pending on the stopped process PID.
pending_term() {
	local mask
	mask=$(awk '/^(ShdPnd|SigPnd):/ { print $2 }' "/proc/$1/status" | tr '\n' ' ')
	for m in $mask; do
		[ $((0x$m & 0x4000)) -ne 0 ] && return 0
	done
	return 1
}

echo "1..12"

# 1-3: SIGINT
start int
T0=$(ms)
kill -INT "$PID"
finish
echo "# SIGINT: exited $RC after $LAT ms"
[ $RC -eq 130 ] && [ $LAT -lt $BOUND_MS ]
ok $? "SIGINT: exit 130 within ${BOUND_MS} ms of the signal (took $LAT ms; the run had 60 s to go)"
results_kept
ok $? "SIGINT: the completed file is valid JSON, no partial or temporary file"
grep -q "interrupted after 1 of 2 runs; completed results are in $OUT\$" "$T/int.err" &&
	gone "$CHILD"
ok $? "SIGINT: says where the results are; the run in progress has ended"

# 4-6: SIGTERM
start term
T0=$(ms)
kill -TERM "$PID"
finish
echo "# SIGTERM: exited $RC after $LAT ms"
[ $RC -eq 143 ] && [ $LAT -lt $BOUND_MS ]
ok $? "SIGTERM: exit 143 within ${BOUND_MS} ms of the signal (took $LAT ms)"
results_kept
ok $? "SIGTERM: the completed file is valid JSON, no partial or temporary file"
grep -q "completed results are in $OUT\$" "$T/term.err" && gone "$CHILD"
ok $? "SIGTERM: says where the results are; the run in progress has ended"

# 7-9: Ctrl-C at a terminal signals the whole process group, the run in
# progress included.
set -m
start group
set +m
T0=$(ms)
kill -INT -- "-$PID"
finish
echo "# SIGINT to the process group: exited $RC after $LAT ms"
[ $RC -eq 130 ] && [ $LAT -lt $BOUND_MS ]
ok $? "SIGINT to the process group (a terminal's ^C): exit 130 within ${BOUND_MS} ms (took $LAT ms)"
results_kept
ok $? "process group: the completed file is valid JSON, no partial or temporary file"
grep -q "completed results are in $OUT\$" "$T/group.err" && gone "$CHILD"
ok $? "process group: says where the results are; the run in progress has ended"

# 10-11: a second SIGINT exits at once, even while the run in progress does
# not stop (it is held with SIGSTOP until the parent has exited; the parent
# would kill it after SNAPBENCH_STOP_GRACE_S, 60 s here so that the second
# signal surely comes first).
GRACE=60 start twice
kill -STOP "$CHILD"
kill -INT "$PID"
for _ in $(seq 1 100); do	# the parent has passed the stop on
	pending_term "$CHILD" && break
	sleep 0.05
done
T0=$(ms)
kill -INT "$PID"
finish
echo "# second SIGINT: exited $RC after $LAT ms"
kill -CONT "$CHILD"
[ $RC -eq 130 ] && [ $LAT -lt $BOUND_MS ] && grep -q "interrupted again, exiting now; completed results are in $OUT\$" "$T/twice.err"
ok $? "second SIGINT: exit 130 at once (took $LAT ms), says where the results are"
grep -q "interrupted again" "$T/twice.err" || sed 's/^/# stderr: /' "$T/twice.err"
gone "$CHILD" && results_kept
ok $? "second SIGINT: the run in progress ends too, leaving no partial file; the completed file valid"

# 12: a run in progress that does not stop is killed after a grace period
# (0.75 s by default).
start stuck
kill -STOP "$CHILD"
T0=$(ms)
kill -INT "$PID"
finish
echo "# SIGINT, run in progress stopped: exited $RC after $LAT ms"
[ $RC -eq 130 ] && [ $LAT -lt $BOUND_MS ] && gone "$CHILD" && results_kept
ok $? "SIGINT while the run in progress cannot stop: killed, exit 130 (took $LAT ms), nothing partial"
