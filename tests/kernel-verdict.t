#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP: make test-kernel's storm-payload verdict (harness/kernel/payload-verdict)
# fails a run that made no mirror pass, or too few, whatever its violations,
# and names a known finding only under its own name and status.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
V=$ROOT/harness/kernel/payload-verdict
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
check() {	# check DESCRIPTION WANT_STATUS WANT_PREFIX ARGS...
	desc=$1 want=$2 prefix=$3
	shift 3
	out=$("$V" "$@" 2>&1)
	st=$?
	n=$((n + 1))
	if [ "$st" = "$want" ] && [ "${out#"$prefix"}" != "$out" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "# status $st (want $want): $out"
	fi
}
line() {	# line SCENARIO STRATEGY PASSES STATUS [VIOLATIONS]
	echo "SUMMARY environment=guest accelerator=tcg scenario=$1 strategy=$2 rep=0 seed=1" \
		"passes=$3 failed_passes=0 deadline_misses=0 retries_max=0 ttm_p99_ns=1" \
		"violations=${5:-0} status=$4"
}
echo "1..28"
{ line baseline seqretry 160 ok; line baseline rangelock 166 ok; } >"$tmp/good"
check "every run ok with enough passes passes" 0 "0 0 every run ok" \
	"$tmp/good" --runs 2 --min-passes 20
{ line baseline seqretry 160 ok; line reclaim-try rangelock 0 ok; } >"$tmp/zero"
check "a 0-pass run with status ok and 0 violations fails" 1 "1 0 reclaim-try/rangelock only 0 passes" \
	"$tmp/zero" --runs 2 --min-passes 20
{ line baseline seqretry 160 ok; line mixed rangelock 0 no-progress; } >"$tmp/noprog"
check "a no-progress run fails by name" 1 "1 0 mixed/rangelock no-progress" \
	"$tmp/noprog" --runs 2 --min-passes 20
{ line baseline seqretry 160 ok; line mixed hybrid 5 ok; } >"$tmp/few"
check "a run below the minimum fails" 1 "1 0 mixed/hybrid only 5 passes" \
	"$tmp/few" --runs 2 --min-passes 20
{ line baseline seqretry 160 ok 3; } >"$tmp/viol"
check "a violation fails" 1 "1 0 baseline/seqretry violations=3" \
	"$tmp/viol" --runs 1 --min-passes 20
line baseline seqretry 160 ok >"$tmp/missing"
check "a run that never reported fails" 1 "1 0 1 of 2 runs reported" \
	"$tmp/missing" --runs 2 --min-passes 20
{ line baseline seqretry 160 ok; line mixed rangelock 0 oom-killed; } >"$tmp/known"
check "a known finding is named, not failed" 0 "0 1 every run ok" \
	"$tmp/known" --runs 2 --min-passes 20 --finding mixed/rangelock:oom-killed
check "the same status under another name fails" 1 "1 0 mixed/rangelock oom-killed" \
	"$tmp/known" --runs 2 --min-passes 20 --finding mixed/hybrid:oom-killed
# A hang is the named finding only when a CPU backtrace in the console
# shows it: not a sleeping task's stack, not a stale '?' frame.
{ line baseline seqretry 160 ok; line mixed rangelock 0 hung; } >"$tmp/hung"
cat >"$tmp/console" <<'LOG'
[   84.057242] NMI backtrace for cpu 1
[   84.057242]  try_charge_memcg+0x5a8/0x1150
[   84.057242]  hmm_range_fault+0x144/0x2b0
[   84.057242]  snapbench_locked_pass+0x368/0x8f0 [test_snapbench]
[   84.057242]  </TASK>
[   84.060000] task:snapbench-guest state:D stack:0     pid:134
[   84.060000]  try_charge_memcg+0x5a8/0x1150
LOG
sig=mixed/rangelock:hung@snapbench_locked_pass+try_charge_memcg
check "a hang a CPU backtrace shows to be the finding is named, the runs after it listed" 0 \
	"0 2 every run ok" "$tmp/hung" --runs 3 --min-passes 20 --console "$tmp/console" --finding "$sig"
sed -i '2d' "$tmp/console"
check "a hang whose CPU backtrace lacks a pattern fails, whatever a sleeping task shows" 1 \
	"2 0 mixed/rangelock hung" "$tmp/hung" --runs 3 --min-passes 20 --console "$tmp/console" --finding "$sig"
sed -i 's/^\(\[   84.057242\]\)  hmm_range_fault.*/\1  ? try_charge_memcg+0x5a8\/0x1150/' "$tmp/console"
check "a stale '?' frame is not evidence" 1 "2 0 mixed/rangelock hung" \
	"$tmp/hung" --runs 3 --min-passes 20 --console "$tmp/console" --finding "$sig"
{ line mixed rangelock 3 ok 2; } >"$tmp/viol-found"
check "a named finding never excuses a violation" 1 "1 0 mixed/rangelock violations=2" \
	"$tmp/viol-found" --runs 1 --min-passes 5 --finding "mixed/rangelock:ok"
# seqretry starving (fewer passes than needed, gave up at its deadline) is
# the named finding only when it gave up at the deadline.
echo "SUMMARY scenario=mixed strategy=seqretry passes=2 deadline_misses=1 violations=0 status=ok" >"$tmp/starved"
check "a starved run is the named finding" 0 "0 1 every run ok" \
	"$tmp/starved" --runs 1 --min-passes 5 --finding mixed/seqretry:starved
sed -i 's/deadline_misses=1/deadline_misses=0/' "$tmp/starved"
check "too few passes without a deadline miss is not starving" 1 "1 0 mixed/seqretry only 2" \
	"$tmp/starved" --runs 1 --min-passes 5 --finding mixed/seqretry:starved
# The known findings are defined once (payload-verdict's KNOWN): --known
# applies them, --findings-only names them (snapbench kernel run does).
printf '[ 1.0] NMI backtrace for cpu 0\n  try_charge_memcg+0x1\n  snapbench_locked_pass+0x2\n' >"$tmp/c2"
{ line baseline seqretry 160 ok; line reclaim-try hybrid 0 hung; } >"$tmp/k"
check "--known names the holder livelock in any scenario" 0 "0 1 every run ok" \
	"$tmp/k" --runs 2 --min-passes 5 --console "$tmp/c2" --known
check "--findings-only prints it by name" 0 "holder-reclaim: reclaim-try/hybrid hung" \
	"$tmp/k" --console "$tmp/c2" --findings-only
# A deadlock is named by the stacks of the tasks asleep in it (sysrq w):
# both sides, each in one stack.  From a real hang (mixed, rangelock, THP
# always, 6.12.118 debug): the holder's fault reclaims in its memcg and
# sleeps on the anon_vma a blocking reclaim holds, which waits for its READ.
cat >"$tmp/c3" <<'LOG'
[   35.162187] task:snapbench       state:D stack:0     pid:87    tgid:72    ppid:69     flags:0x00004002
[   35.162190]  rwsem_down_write_slowpath+0x598/0x16c0
[   35.162191]  ? __pfx_rwsem_down_write_slowpath+0x10/0x10
[   35.162192]  down_write+0x17e/0x1a0
[   35.162193]  split_huge_page_to_list_to_order+0x68a/0x35a0
[   35.162194]  deferred_split_scan+0x803/0xed0
[   35.162195]  try_charge_memcg+0x5a8/0x1150
[   35.162196]  do_swap_page+0x13d6/0x4130
[   35.162197]  hmm_range_fault+0x144/0x2b0
[   35.162198]  snapbench_locked_pass+0x378/0x900 [test_snapbench]
[   35.162199]  </TASK>
[   35.226913] task:snapbench       state:D stack:0     pid:94    tgid:72    ppid:69     flags:0x00004002
[   35.226914]  schedule+0xe3/0x2d0
[   35.226915]  mn_itree_inv_start_range+0xd00/0x13e0
[   35.226916]  __mmu_notifier_invalidate_range_start+0x519/0x930
[   35.226917]  rmap_invalidate_range_start+0x30c/0x3f0
[   35.226918]  try_to_unmap_one+0x2b8/0x1ae0
[   35.226919]  rmap_walk_anon+0x206/0x5a0
[   35.226920]  shrink_folio_list+0x1028/0x2f60
[   35.226921]  try_charge_memcg+0x5a8/0x1150
[   35.226922]  </TASK>
LOG
{ line mixed rangelock 0 hung; } >"$tmp/dl"
check "--known names the anon_vma deadlock by both sleeping stacks, the runs after it listed" 0 \
	"0 2 every run ok" "$tmp/dl" --runs 3 --min-passes 5 --console "$tmp/c3" --known
check "it is named reclaim-block-anon-vma" 0 "reclaim-block-anon-vma: mixed/rangelock hung" \
	"$tmp/dl" --console "$tmp/c3" --findings-only
sed '/pid:94/,$d' "$tmp/c3" >"$tmp/c4"
check "the holder's side alone is not the deadlock" 1 "2 0 mixed/rangelock hung" \
	"$tmp/dl" --runs 3 --min-passes 5 --console "$tmp/c4" --known
sed 's/down_write+0x17e/mn_itree_inv_start_range+0xd00/' "$tmp/c3" >"$tmp/c5"
check "a holder asleep in the range lock itself is not this finding" 1 "2 0 mixed/rangelock hung" \
	"$tmp/dl" --runs 3 --min-passes 5 --console "$tmp/c5" --known
sed -e '/split_huge_page/d' -e '/deferred_split_scan/d' "$tmp/c3" >"$tmp/c6"
check "a holder asleep on an rwsem that is no anon_vma's is not this finding" 1 "2 0 mixed/rangelock hung" \
	"$tmp/dl" --runs 3 --min-passes 5 --console "$tmp/c6" --known
# A boot's kernel findings (boot.json): a lockdep report is named only when
# its text holds every pattern of a KNOWN_LOCKDEP entry; anything else fails.
mkdir -p "$tmp/boot"
cat >"$tmp/boot/console.log" <<'LOG'
[   50.100000] ======================================================
[   50.100001] WARNING: possible circular locking dependency detected
[   50.100002] 6.12.118 #1 Not tainted
[   50.100003] snapbench-guest/140 is trying to acquire lock:
[   50.100004] ffffffff8a000000 (mmu_range_lock){++++}-{0:0}, at: mmu_range_lock_might_wait+0x5/0x80
[   50.100005] but task is already holding lock:
[   50.100006] ffff888100000000 (&anon_vma->rwsem){++++}-{3:3}, at: rmap_walk_anon+0x1/0x2
[   50.100007] stack backtrace:
[   50.100008]  <TASK>
[   50.100009]  try_to_unmap_one+0x1/0x2
[   50.100010]  </TASK>
LOG
echo '{"findings": [{"kind": "warning", "line": "WARNING: possible circular locking dependency detected", "file": "console.log"}]}' >"$tmp/boot/boot.json"
known=(--lockdep "test-known@possible circular locking+mmu_range_lock+anon_vma->rwsem+try_to_unmap_one")
check "a lockdep report with every pattern of a known one is named" 0 "0 1 no unexplained" \
	--kernel-findings "$tmp/boot" "${known[@]}"
check "a lockdep report that is not known fails" 1 "1 0 WARNING: possible circular" \
	--kernel-findings "$tmp/boot"
sed -i 's/anon_vma->rwsem/i_mmap_rwsem/' "$tmp/boot/console.log"
check "a lockdep report missing a pattern fails" 1 "1 0 WARNING: possible circular" \
	--kernel-findings "$tmp/boot" "${known[@]}"
sed -i 's/i_mmap_rwsem/anon_vma->rwsem/' "$tmp/boot/console.log"
echo '{"findings": [{"kind": "warning", "line": "WARNING: possible circular locking dependency detected"}, {"kind": "kasan", "line": "BUG: KASAN: use-after-free"}]}' >"$tmp/boot/boot.json"
check "any other finding beside a known one fails" 1 "1 1 BUG: KASAN" \
	--kernel-findings "$tmp/boot" "${known[@]}"
check "a boot without boot.json fails" 1 "1 0 no boot.json" --kernel-findings "$tmp/nowhere"
# The one built-in known report (KNOWN_LOCKDEP): blocking reclaim's
# anon_vma->rwsem against a holder's fault, as make test-kernel's storms
# boot printed it; a THP split under anon_vma->rwsem (no
# rmap_invalidate_range_start, reclaim only in an unreliable "? " frame) is
# not it.
mkdir -p "$tmp/real"
cat >"$tmp/real/console.log" <<'LOG'
[   40.302386] WARNING: possible circular locking dependency detected
[   40.302386] snapbench/206 is trying to acquire lock:
[   40.302386] ffffffff82615b20 (mmu_range_lock){++++}-{0:0}, at: mmu_range_lock_might_wait+0xbe/0x110
[   40.302386] but task is already holding lock:
[   40.302386] ffff88804216f8f8 (&anon_vma->rwsem){++++}-{3:3}, at: folio_lock_anon_vma_read+0x13c/0x970
[   40.302386] -> #1 (&anon_vma->rwsem){++++}-{3:3}:
[   40.302386]        down_write+0x77/0x1a0
[   40.302386]        __anon_vma_prepare+0x3fa/0x620
[   40.302386]        hmm_range_fault+0x144/0x2b0
[   40.302386]        snapbench_locked_pass+0x378/0x900 [test_snapbench]
[   40.302386] -> #0 (mmu_range_lock){++++}-{0:0}:
[   40.302386]        mmu_range_lock_might_wait+0xda/0x110
[   40.302386]        rmap_invalidate_range_start+0x319/0x3f0
[   40.302386]        try_to_unmap_one+0x2b8/0x1ae0
[   40.302386]        shrink_folio_list+0x1028/0x2f60
LOG
echo '{"findings": [{"kind": "lockdep", "line": "WARNING: possible circular locking dependency detected", "file": "console.log"}]}' >"$tmp/real/boot.json"
check "blocking reclaim's anon_vma inversion is known by name" 0 "0 1 no unexplained kernel finding; known (lockdep off after it): reclaim-block-anon-vma" \
	--kernel-findings "$tmp/real"
sed -i -e 's/rmap_invalidate_range_start+0x319\/0x3f0/__split_huge_pmd+0x2a0\/0x330/' \
	-e 's/ try_to_unmap_one+0x2b8/ try_to_migrate_one+0x7fb/' \
	-e 's/shrink_folio_list+0x1028\/0x2f60/split_huge_page_to_list_to_order+0xbc2\/0x35a0\n[   40.302386]  ? shrink_folio_list+0x1\/0x2/' "$tmp/real/console.log"
check "a THP split's report (no rmap_invalidate_range_start, reclaim in a ? frame) is not" 1 "1 0 WARNING: possible circular" \
	--kernel-findings "$tmp/real"
