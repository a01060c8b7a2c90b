# SPDX-License-Identifier: GPL-2.0
# lib.sh - shell helpers of the test scripts that run snapbench, sourced
# from the top of the tree (not a *.t: prove does not run it).
#   SB        the snapbench binary (B= picks the build tree)
#   T         a temporary directory, removed on exit by cleanup(), which a
#             script may redefine after sourcing this
#   ok STATUS DESCRIPTION, skip DESCRIPTION WHY: one TAP line each
#   bad DESCRIPTION EXPECTED-TEXT COMMAND...: see below
# Set TAP_TMP_NAME (for the temporary directory's name) before sourcing;
# BAD_TIMEOUT (seconds) bounds each of bad's commands.
SB=${B:-build}/snapbench
T=$(mktemp -d "/tmp/snapbench-${TAP_TMP_NAME:-test}-XXXXXX")
cleanup() { rm -rf "$T"; }
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# bad DESCRIPTION EXPECTED-TEXT COMMAND...: exit 2, one stderr line holding
# EXPECTED-TEXT.  COMMAND may be a shell function unless BAD_TIMEOUT is set.
bad() {
	local what=$1 want=$2 rc lines match
	shift 2
	if [ -n "${BAD_TIMEOUT:-}" ]; then
		err=$(timeout "$BAD_TIMEOUT" "$@" 2>&1 >/dev/null </dev/null); rc=$?
	else
		err=$("$@" 2>&1 >/dev/null </dev/null); rc=$?
	fi
	lines=$(printf '%s\n' "$err" | grep -c .)
	case "$err" in *"$want"*) match=0 ;; *) match=1 ;; esac
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ $match -eq 0 ]
	ok $? "$what: exit $rc, '$err'"
}
