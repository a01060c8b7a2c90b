#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# storm-file.t - a storm is one file: a copy of the tree with one more file
# in workloads/storms/ (and no other change) builds a snapbench that lists
# the storm, documents its keys, validates them, and runs it in a scenario
# (its operations counted in the result file and the SUMMARY line).
set -u
cd "$(dirname "$0")/.."
TAP_TMP_NAME=storm-file
. tests/lib.sh

# The sources a snapbench build reads (build.mk files, C, the uapi patch).
mkdir -p "$T/src"
tar -cf - Makefile $(ls -d lib 2>/dev/null) harness strategies workloads tests fuzz kernel-patches |
	tar -xf - -C "$T/src"
cat > "$T/src/workloads/storms/probe.c" <<'STORM'
// SPDX-License-Identifier: GPL-2.0
/* probe.c - a test's storm: madvise(MADV_DONTNEED) of a range, in the model only. */
#include "workloads/storm.h"

static int probe_op(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return mm_madvise_dontneed(c->mm, start, end);
}

const struct storm_desc probe_storm = {
	.name		= "probe",
	.help		= "a test's zaps",
	.range		= { .def = "3", .help = "pages a probe zaps", .in_space = true },
	.inval_kind	= MM_INVAL_MADVISE,
	.model_op	= probe_op,
	.kernel		= { .note = "not available: a test's storm" },
};
STORM
SB2=$T/src/build/snapbench
if nice make -C "$T/src" -j2 CFLAGS="-O1" build/snapbench >"$T/build.log" 2>&1; then
	ok 0 "a tree with workloads/storms/probe.c added builds"
else
	ok 1 "a tree with workloads/storms/probe.c added builds: $(tail -n 3 "$T/build.log")"
	echo "1..$n"
	exit 1
fi
"$SB2" list | grep -q '^  probe .*kind madvise; kernel world: not available$'
ok $? "snapbench list shows the storm"
keys=$("$SB2" list --keys | grep -c '^storm\.probe\.')
"$SB2" list --keys | grep -q '^storm\.probe\.range_pages  *pages  *default 3  *pages a probe zaps$'
ok $? "list --keys documents its 5 keys ($keys) with its default and help"
bad "try on the probe storm" "storm.probe.try: only the alloc and kswapd storms have a try mode" \
	"$SB2" run --scenario baseline --set storm.probe.threads=1 --set storm.probe.try=yes \
	--out "$T/none" --check
out=$("$SB2" run --scenario baseline --strategy seqretry --reps 1 --duration 0.3 \
	--placement none --quiet --set storm.probe.threads=1 --set storm.probe.rate=200 \
	--out "$T/r" 2>/dev/null)
ops=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["benchmarks"][0]["ops.probe"])' \
	"$T/r/baseline/seqretry/rep-0.json" 2>/dev/null)
grep -q ' storm\.probe\.threads=1 ' <<<"$out" && [ "${ops:-0}" -gt 0 ] &&
	harness/check-result "$T/r/baseline/seqretry/rep-0.json" >/dev/null 2>&1
ok $? "a run with storm.probe.threads=1: ${ops:-no} probe operations in a valid result file"
"$SB" list | grep -q '^  probe ' && "$SB" list --keys | grep -q '^storm\.probe\.'
ok $(( ! $? )) "the tree's own snapbench has no probe storm"
echo "1..$n"
