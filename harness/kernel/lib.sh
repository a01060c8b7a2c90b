# SPDX-License-Identifier: GPL-2.0
# harness/kernel/lib.sh - shared by the kernel scripts (sourced, not run):
# the cache layout, Debian version resolution, .deb download and unpacking.
#
# Cache layout under $SNAPBENCH_CACHE (default ~/.cache/snapbench):
#   debs/linux-source-<series>_<debver>_all.deb   downloaded once
#   src/<debver>/                                 pristine tree, unpacked once
#   src/<debver>.ok                               stamp: unpack finished
#   builds/<name>-<key>/                          one build configuration: its
#                                                 bzImage, modules, hmm-tests
#   work/<series>-<flavour>/{src,obj}/            the object tree every build of
#                                                 that series and flavour reuses
#   ccache/                                       the compiler cache
#   kvm-probe/<host>.json                         cached KVM probe verdict
#   locks/                                        flock files

KERNEL_SERIES="6.1 6.12"
SNAPBENCH_CACHE=${SNAPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/snapbench}
PROG=${PROG:-$(basename "$0")}

die() {		# die STATUS MESSAGE: one line on stderr, then exit
	status=$1
	shift
	echo "$PROG: $*" >&2
	exit "$status"
}

note() {
	echo "$PROG: $*" >&2
}

now() {
	date +%s.%N
}

elapsed() {	# elapsed START -> seconds since START, one decimal
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

# with_lock NAME CMD...: run CMD holding an exclusive lock, so concurrent
# builds of the same thing wait for each other instead of racing.
with_lock() {
	name=$1
	shift
	mkdir -p "$SNAPBENCH_CACHE/locks"
	(
		flock 9
		"$@"
	) 9>"$SNAPBENCH_CACHE/locks/$name.lock"
}

# series_of VERSION -> "6.1" or "6.12", or nothing for other kernels.
series_of() {
	for s in $KERNEL_SERIES; do
		case "$1" in
		"$s".[0-9]*) echo "$s"; return 0 ;;
		esac
	done
	return 0
}

# archive_versions SERIES -> every Debian version of linux-source-SERIES
# that apt knows or that is already in the cache, newest first.
archive_versions() {
	{
		apt-cache madison "linux-source-$1" 2>/dev/null |
			awk -F'|' '{ gsub(/ /, "", $2); print $2 }'
		for deb in "$SNAPBENCH_CACHE/debs/linux-source-$1_"*_all.deb; do
			[ -e "$deb" ] || continue
			deb=${deb##*/linux-source-$1_}
			echo "${deb%_all.deb}"
		done
	} | sort -u | sort_versions_desc
}

sort_versions_desc() {	# stdin: Debian versions -> newest first
	python3 -c '
import sys, subprocess, functools
vs = [l.strip() for l in sys.stdin if l.strip()]
def cmp(a, b):
    if a == b:
        return 0
    r = subprocess.run(["dpkg", "--compare-versions", a, "gt", b])
    return -1 if r.returncode == 0 else 1
print("\n".join(sorted(vs, key=functools.cmp_to_key(cmp))))'
}

# resolve_version V -> the full Debian version for V, which may be a Debian
# version ("6.12.117-1~deb12u1"), an upstream one ("6.12.117": the newest
# Debian revision of it) or a series ("6.12": its newest release).  Exits 2 naming the problem when V is unknown.
resolve_version() {
	v=$1
	printf '%s\n' "$v" | grep -Eqx '[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9A-Za-z.+~]+)?' ||
		die 2 "malformed kernel version '$v' (expected e.g. 6.12, 6.12.117 or 6.12.117-1~deb12u1)"
	for s in $KERNEL_SERIES; do	# a bare series: its newest release
		if [ "$v" = "$s" ]; then
			v=$(newest_version "$s")
			[ -n "$v" ] || die 2 "no linux-source-$s versions known to apt (run apt-get update)"
		fi
	done
	series=$(series_of "$v")
	[ -n "$series" ] ||
		die 2 "unknown kernel version '$v' (supported series: $KERNEL_SERIES)"
	known=$(archive_versions "$series")
	[ -n "$known" ] ||
		die 2 "no linux-source-$series versions known to apt (run apt-get update)"
	for k in $known; do
		[ "$k" = "$v" ] && { echo "$k"; return 0; }
	done
	for k in $known; do	# newest first: the first match wins
		[ "${k%%-*}" = "$v" ] && { echo "$k"; return 0; }
	done
	die 2 "version '$v' is not in the archive; available: $(echo $known)"
}

# newest_version SERIES -> newest Debian version of that series.
newest_version() {
	archive_versions "$1" | sed -n 1p	# reads it all: no broken pipe
}

deb_path() {	# deb_path DEBVER
	echo "$SNAPBENCH_CACHE/debs/linux-source-$(series_of "$1")_$1_all.deb"
}

# fetch_deb DEBVER -> path of the cached .deb, downloading it once.
fetch_deb() {
	deb=$(deb_path "$1")
	[ -s "$deb" ] || with_lock "deb-$1" fetch_deb_locked "$1" "$deb"
	[ -s "$deb" ] || die 1 "download of linux-source $1 failed"
	echo "$deb"
}

fetch_deb_locked() {
	[ -s "$2" ] && return 0
	tmp="$SNAPBENCH_CACHE/debs/.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	note "downloading linux-source-$(series_of "$1")=$1"
	if ! (cd "$tmp" && apt-get download -q "linux-source-$(series_of "$1")=$1" \
		>download.log 2>&1); then
		tail -n 3 "$tmp/download.log" >&2
		rm -rf "$tmp"
		die 1 "apt-get download linux-source-$(series_of "$1")=$1 failed"
	fi
	mv "$tmp"/linux-source-*.deb "$2"
	rm -rf "$tmp"
}

# pristine_tree DEBVER -> path of the unpacked, unmodified source tree.
pristine_tree() {
	dir="$SNAPBENCH_CACHE/src/$1"
	[ -e "$dir.ok" ] || with_lock "src-$1" unpack_locked "$1" "$dir"
	echo "$dir"
}

unpack_locked() {
	[ -e "$2.ok" ] && return 0
	deb=$(fetch_deb "$1")
	series=$(series_of "$1")
	tmp="$SNAPBENCH_CACHE/src/.tmp.$1.$$"
	rm -rf "$tmp" "$2"
	mkdir -p "$tmp/deb" "$tmp/tree"
	note "unpacking $deb"
	dpkg-deb -x "$deb" "$tmp/deb"
	tar -xJf "$tmp/deb/usr/src/linux-source-$series.tar.xz" -C "$tmp/tree"
	mv "$tmp/tree/linux-source-$series" "$2"
	rm -rf "$tmp"
	touch "$2.ok"
}

# series_patches SERIES [DIR] -> absolute paths of the patches listed in
# DIR/series (default kernel-patches/v<SERIES>), in order (nothing when
# there is no series file).  Blank lines and '#' comments are ignored.
series_patches() {
	pdir=${2:-$SNAPBENCH_ROOT/kernel-patches/v$1}
	sfile="$pdir/series"
	[ -f "$sfile" ] || return 0
	sed -e 's/#.*//' "$sfile" | while read -r p _rest; do
		[ -n "$p" ] || continue
		[ -f "$pdir/$p" ] ||
			die 1 "$sfile lists $p, which does not exist"
		echo "$pdir/$p"
	done
}

# ccache_setup: kernel compiles go through ccache (one cache under
# $SNAPBENCH_CACHE/ccache), so a new point release or a one-line patch
# edit recompiles only the translation units that changed.  Sets CCMAKE
# to the make argument ("CC=ccache gcc"), or to nothing without ccache or
# with SNAPBENCH_CCACHE=0.  The caller sets CCACHE_BASEDIR to its build
# directory: that makes the per-build paths relative, and with hash_dir
# off (the working directory kept out of the hash) two build directories
# share entries.
ccache_setup() {
	CCMAKE=""
	command -v ccache >/dev/null 2>&1 && [ "${SNAPBENCH_CCACHE:-1}" != 0 ] ||
		return 0
	export CCACHE_DIR="$SNAPBENCH_CACHE/ccache"
	export CCACHE_NOHASHDIR=1
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
	export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
	CCMAKE="CC=ccache gcc"
}
