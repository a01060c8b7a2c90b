#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP: harness/kernel/check-series refuses bad arguments with one line and
# exit 2, before it copies or builds anything (no kernel tree is needed).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CS=$ROOT/harness/kernel/check-series
TAP_TMP_NAME=check-series
. "$ROOT/tests/lib.sh"
# Nothing below may build: a cache of its own, which must stay empty.
export SNAPBENCH_CACHE="$T/cache"
BAD_TIMEOUT=60

echo "1..17"
bad "no series or version" "--series or --version is required" "$CS"
bad "unknown option" "unknown option '--frobnicate'" "$CS" --series 6.12 --frobnicate
bad "unknown series" "unknown series '5.10'" "$CS" --series 5.10
bad "--series without a value" "--series needs a value" "$CS" --series
bad "malformed version" "malformed kernel version 'six'" "$CS" --version six
bad "empty version" "empty kernel version" "$CS" --version=
bad "version of no series" "unknown kernel version '5.10.1'" "$CS" --version 5.10.1
bad "--jobs 0" "--jobs: not a positive number: 0" "$CS" --series 6.12 --jobs 0
bad "--also outside the tree" "--also: not an object in a directory" "$CS" --series 6.12 --also ../x.o
bad "--also not an object" "--also: not an object in a directory" "$CS" --series 6.12 --also mm/rmap.c
bad "--series-dir missing" "--series-dir: no such directory" "$CS" --series 6.12 \
	--series-dir "$T/nowhere"
mkdir -p "$T/noseries"
bad "--series-dir without a series file" "--series-dir: no series file in" "$CS" \
	--series 6.12 --series-dir "$T/noseries"

bad "version of the other series" "is a 6.1 kernel, not 6.12" "$CS" \
	--series 6.12 --version 6.1
mkdir -p "$T/empty"
echo "# nothing yet" >"$T/empty/series"
bad "empty series" "series lists no patches" "$CS" --series 6.12 --series-dir "$T/empty"
mkdir -p "$T/missing"
echo "0001-gone.patch" >"$T/missing/series"
bad "series listing a missing patch" "lists 0001-gone.patch, which does not exist" \
	"$CS" --series 6.12 --series-dir "$T/missing"
# This one resolves the version, which needs apt's list.
if [ -z "$(apt-cache madison linux-source-6.12 2>/dev/null)" ]; then
	skip "version not in the archive" "apt knows no linux-source-6.12 (apt-get update)"
else
	bad "version not in the archive" "version '6.12.9999' is not in the archive" \
		"$CS" --version 6.12.9999
fi
# None of the refusals above may have unpacked, copied or built anything.
if [ -z "$(ls -A "$SNAPBENCH_CACHE" 2>/dev/null)" ]; then
	ok 0 "bad arguments leave the cache untouched"
else
	ok 1 "bad arguments leave the cache untouched: $(ls -A "$SNAPBENCH_CACHE")"
fi
