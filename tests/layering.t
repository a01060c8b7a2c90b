#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# layering.t - includes only point down.  The layers, bottom up:
#   lib/         clock, random numbers, number parsing: includes nothing of ours
#   strategies/  may include lib/
#   workloads/   may include lib/ and strategies/
#   harness/     may include anything below it
# (kernel-patches/, fuzz/ and tests/ sit on top.)  A file of one of the three
# lower layers that includes a directory not below it fails here.
set -u
cd "$(dirname "$0")/.."
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

# upward ROOT DIR ALLOWED...: every include of a project directory in ROOT/DIR
# (C sources and headers, recursively) that is neither DIR nor in ALLOWED.
upward() {
	local root=$1 dir=$2 allowed pat
	shift 2
	[ -d "$root/$dir" ] || { echo "$dir: no such directory"; return; }
	allowed=$(printf '%s|' "$dir" "$@")
	pat='^[[:space:]]*#[[:space:]]*include[[:space:]]*["<](harness|lib|strategies|workloads|tests|fuzz|kernel-patches|reports)/'
	(cd "$root" && find "$dir" -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' \) -print0 |
		xargs -0 -r grep -HnE "$pat" |
		grep -vE "^[^:]+:[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<](${allowed%|})/")
}

check() {
	local what=$1 bad
	shift
	bad=$(upward . "$@")
	[ -z "$bad" ]
	ok $? "$what${bad:+: $(echo "$bad" | head -n 3 | tr '\n' ' ')}"
}

check "lib/ includes nothing of ours above it" lib
check "strategies/ includes only lib/ and itself" strategies lib
check "workloads/ includes no harness/ (only lib/, strategies/ and itself)" workloads lib strategies

# The check itself: it must see an upward include, in either spelling.
T=$(mktemp -d /tmp/snapbench-layering-XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/workloads/storms" "$T/lib"
printf '#include "lib/rand.h"\n#include "strategies/snap_ops.h"\n' > "$T/workloads/ok.c"
printf '#include "workloads/mm.h"\n  #  include <harness/clock.h>\n' > "$T/workloads/storms/up.c"
printf '#include "lib/clock.h"\n#include "workloads/mm.h"\n' > "$T/lib/up.h"
w=$(upward "$T" workloads lib strategies)
l=$(upward "$T" lib)
[ "$(echo "$w" | grep -c .)" -eq 1 ] && grep -q 'storms/up.c:2:' <<<"$w" &&
	[ "$(echo "$l" | grep -c .)" -eq 1 ] && grep -q 'lib/up.h:2:' <<<"$l"
ok $? "the check finds an upward include in a subdirectory and in a header, and nothing else"

echo "1..$n"
