#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP: every kernel-patches/<series>/series applies, in order, to the
# pristine source of every point release of that series in the archive.
#
# Only the files the patches touch are needed: they are copied from an
# unpacked tree in the cache when there is one, otherwise extracted from
# the cached .deb once into $SNAPBENCH_CACHE/files/<version>/.  The series
# is applied for real (patch -p1 --fuzz=0, i.e. cleanly) to a scratch copy
# of those files, since a later patch may depend on an earlier one; the
# cache is never modified.
set -eu

PROG=kernel/apply.t
SNAPBENCH_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$SNAPBENCH_ROOT/harness/kernel/lib.sh"

# touched_files PATCH... -> paths (relative to the tree) the patches read.
touched_files() {
	sed -n -e 's|^--- a/\([^[:space:]]*\).*|\1|p' "$@" | sort -u
}

# files_of DEBVER PATH... -> a directory holding those PATHs of the pristine
# tree (the ones that exist), or nothing when the source cannot be fetched.
files_of() {
	debver=$1
	shift
	if [ -e "$SNAPBENCH_CACHE/src/$debver.ok" ]; then
		echo "$SNAPBENCH_CACHE/src/$debver"
		return 0
	fi
	dir="$SNAPBENCH_CACHE/files/$debver"
	mkdir -p "$dir"
	need=""
	for p in "$@"; do
		[ -e "$dir/$p" ] || grep -qxF "$p" "$dir/.absent" 2>/dev/null ||
			need="$need $p"
	done
	if [ -n "$need" ]; then
		deb=$( (fetch_deb "$debver") 2>/dev/null) || return 0
		series=$(series_of "$debver")
		# Members that do not exist (files a patch creates) make tar
		# complain; they are recorded as absent instead.
		# shellcheck disable=SC2046,SC2086
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/linux-source-$series.tar.xz" |
			tar -xJ -C "$dir" --strip-components=1 \
				$(printf "linux-source-$series/%s " $need) 2>/dev/null || true
		for p in $need; do
			[ -e "$dir/$p" ] || echo "$p" >>"$dir/.absent"
		done
	fi
	echo "$dir"
}

plan=0
lines=""
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for sfile in "$SNAPBENCH_ROOT"/kernel-patches/v*/series; do
	[ -f "$sfile" ] || continue
	sdir=$(dirname "$sfile")
	series=${sdir##*/v}
	patches=$(series_patches "$series")
	versions=$(archive_versions "$series")
	if [ -z "$patches" ]; then
		plan=$((plan + 1))
		lines="$lines
ok $plan - v$series # SKIP the series file lists no patches"
		continue
	fi
	if [ -z "$versions" ]; then
		plan=$((plan + 1))
		lines="$lines
ok $plan - v$series # SKIP apt knows no linux-source-$series (apt-get update)"
		continue
	fi
	# shellcheck disable=SC2086
	files=$(touched_files $patches)
	for debver in $versions; do
		plan=$((plan + 1))
		# shellcheck disable=SC2086
		src=$(files_of "$debver" $files)
		if [ -z "$src" ]; then
			lines="$lines
ok $plan - v$series on $debver # SKIP cannot fetch linux-source-$series=$debver"
			continue
		fi
		work="$scratch/$debver"
		rm -rf "$work"
		mkdir -p "$work"
		for f in $files; do
			[ -e "$src/$f" ] || continue
			mkdir -p "$work/$(dirname "$f")"
			cp "$src/$f" "$work/$f"
		done
		bad=""
		for p in $patches; do
			if ! out=$(patch -d "$work" -p1 -N -s --fuzz=0 --no-backup-if-mismatch \
				-r - <"$p" 2>&1); then
				bad="$(basename "$p"): $(echo "$out" | head -n 1)"
				break
			fi
		done
		if [ -z "$bad" ]; then
			lines="$lines
ok $plan - v$series applies to $debver"
		else
			lines="$lines
not ok $plan - v$series does not apply to $debver
# $bad"
		fi
	done
done

if [ "$plan" = 0 ]; then
	echo "1..0 # SKIP no kernel-patches/<series>/series file"
	exit 0
fi
echo "1..$plan"
echo "${lines#?}"
