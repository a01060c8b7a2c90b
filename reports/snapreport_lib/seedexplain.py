# SPDX-License-Identifier: GPL-2.0
# seedexplain.py - what each kind of finding of a known-unsafe strategy
# means and the interleaving behind it: prose only.  Whether a finding is
# present is never decided here but by findings.py from the result files,
# through each mechanism's evidence rule below.
"""A Mechanism explains one way a known-unsafe strategy fails.

`evidence(facts)` looks at one run (findings.RunFacts: violations, hung,
stuck roles, the strategy's own counters from snapbench.strategy_counters,
scenario parameters) and says "shown" (the run cannot be explained without
this mechanism), "possible" (the run is consistent with it, another
mechanism may explain it as well) or None.  `trace` is the interleaving, one
(thread, step) per line, written from the port's theory of operation
(strategies/rangelock2015.c) and the spin models (strategies/model/);
`kinds` are the kinds of finding (CATEGORIES) it accounts for;
`model_checks` name the checks of strategies/model/check whose
counterexample trails show it, shown beside the prose when the report has
a model-check summary.

Adding a strategy's explanations: one more entry in MECHANISMS keyed by the
strategy name, its corrected counterpart in CORRECTED and its port in
SOURCES.  A known-unsafe strategy without entries still gets its
violations, hangs and crashes listed, with the generic text of CATEGORIES."""

from collections import namedtuple

Mechanism = namedtuple("Mechanism", "ident title kinds evidence explanation trace outcome model_checks")

# The corrected design each historical one is set against.  A known-unsafe
# strategy not listed is set against every other strategy in the results.
CORRECTED = {"rangelock-2015": "rangelock", "validflag": "seqretry"}

# Where each one's port, and the theory of operation the traces follow, is;
# and its Promela model in strategies/model/, where it has one.
SOURCES = {"rangelock-2015": "strategies/rangelock2015.c", "validflag": "strategies/validflag.c"}
MODELS = {"rangelock-2015": "rangelock2015.pml"}

# The three kinds of finding the suite records for any strategy.
CATEGORIES = {
    "violation": ("invariant violations",
                  "The invariant checker found device PTEs mapping a page that had been "
                  "invalidated and freed (seen when the page was freed, or when a stale "
                  "snapshot was committed after it): the page may be reused, so the device "
                  "would read or write someone else's memory."),
    "hang": ("hangs",
             "No thread made progress for run.watchdog_s; the watchdog stopped the run and "
             "wrote it as rep-N.hung.json with what each stuck thread was doing."),
    "crash": ("crashes",
              "The run's process died (a signal) or left no result file; snapbench runs "
              "each repetition in its own child process, so only that run is lost."),
}


def _c(facts, name):
    return facts.counters.get(name, 0) or 0


def _cow_on(facts):
    def num(key):
        try:
            return float(facts.params.get(key, 0) or 0)
        except (TypeError, ValueError):
            return 0.0
    return num("mm.cow_permille") > 0 and num("mirror.write_permille") > 0


def _ev_early_return(f):
    return "shown" if f.violations and _c(f, "early_returns") else None


def _ev_count_race(f):
    if not f.violations:
        return None
    return "possible" if _c(f, "early_returns") else "shown"


def _ev_underflow(f):
    if _c(f, "notifier_count_underflows") and f.hung and "mirror" in f.stuck_roles:
        return "shown"
    return None


def _ev_left_behind(f):
    return "shown" if _c(f, "entries_left_behind") else None


def _ev_cow(f):
    if not (f.hung and "mirror" in f.stuck_roles and _cow_on(f)):
        return None
    others = (_c(f, "early_returns") or _c(f, "notifier_count_underflows")
              or _c(f, "slept_when_not_blockable"))
    return "possible" if others else "shown"


def _ev_nonblockable(f):
    return "shown" if _c(f, "slept_when_not_blockable") else None


# The first steps of the early return, shared by the findings that follow it.
_EARLY_RETURN_PREFIX = [
    ("M0", "hmm_vma_range_lock(): puts its range R1 on hmm->ranges; notifier_count is 0, "
           "so it goes on"),
    ("I0", "hmm_invalidate_range() of a page in R1: R1 overlaps, so I0 puts its own range R2 "
           "on the list, sets R1->waiting = R2 and sleeps until R2->wakeup"),
    ("M0", "snapshots the CPU PTE (page version v1) and writes v1 into the device PTE"),
    ("M0", "hmm_vma_range_unlock(R1): takes R1 off the list, sets R2->wakeup, wakes the queue"),
    ("I0", "wakes and returns at once: the mirror update, notifier_count++ and its own "
           "unlock are all on the other branch, so none of them happens and R2 stays listed"),
    ("I0", "the CPU PTE moves to v2 and v1 is freed"),
    ("I0", "range end: notifier_count-- takes the count from 0 to -1"),
]

MECHANISMS = {
    "rangelock-2015": [
        Mechanism(
            "early-return",
            "A woken invalidation returns early and skips the device update",
            ("violation",),
            _ev_early_return,
            "When hmm_invalidate_range() finds an overlapping range on the list it appends "
            "itself to that range's waiting chain, sleeps, and on wake-up simply returns. "
            "Updating the mirrors happens only on the path that found no overlap, so the "
            "device is never told about this invalidation. Whatever the mirror committed "
            "while the invalidation slept stays in the device page table after the CPU has "
            "replaced and freed the page.",
            _EARLY_RETURN_PREFIX + [
                ("", "the device still maps v1, a freed page: the checker counts a violation "
                     "(early_returns counts the early returns)")],
            "stale device PTE (invariant violation)",
            ["rangelock2015-stale-early-return"]),
        Mechanism(
            "count-race",
            "The range lock misses an invalidation that is between its list walk and "
            "notifier_count++",
            ("violation",),
            _ev_count_race,
            "hmm_vma_range_lock() puts its range on the list and then only waits for "
            "notifier_count to be zero. hmm_invalidate_range() walks the list and adds "
            "itself under hmm->lock, drops the lock, and only then increments "
            "notifier_count. A mirror that locks in that gap sees a zero count, while the "
            "invalidation saw no overlap: both go ahead, and nothing orders the mirror's "
            "commit after the device update. This needs no early return, so a run with "
            "violations but no early return can only be this one.",
            [("I0", "hmm_invalidate_range(): walks the list, finds no overlap, puts R2 on the "
                    "list and releases hmm->lock"),
             ("M0", "hmm_vma_range_lock(): puts R1 on the list; notifier_count is still 0, "
                    "so it goes on"),
             ("I0", "notifier_count++ (0 -> 1), sequence++"),
             ("I0", "device callback clears the device PTEs of the range (nothing mapped yet)"),
             ("I0", "unlocks R2; nobody waits on it"),
             ("M0", "snapshots the CPU PTE: still v1"),
             ("I0", "the CPU PTE moves to v2 and v1 is freed"),
             ("M0", "writes v1 into the device PTE, after the update that should have "
                    "removed it"),
             ("I0", "range end: notifier_count-- (1 -> 0)"),
             ("", "the device maps the freed page v1: a violation")],
            "stale device PTE (invariant violation)",
            ["rangelock2015-stale-count-race"]),
        Mechanism(
            "count-underflow",
            "notifier_count goes negative and later range locks wait for good",
            ("hang",),
            _ev_underflow,
            "The early return skips notifier_count++, but the range end still decrements "
            "the count, so it drops below zero. hmm_vma_range_lock() waits for the count to "
            "equal zero. Later invalidations raise it by one and lower it again, and wake the "
            "queue only after the decrement (or from a chained unlock while it is briefly "
            "zero), so a waiting mirror finds it negative nearly every time it looks: mirrors sleep in the range lock for good and the watchdog finds "
            "them stuck inside a mirror pass. Their ranges stay listed, so every invalidation "
            "that overlaps one chains behind it and sleeps as well: the storm threads show up "
            "stuck too.",
            _EARLY_RETURN_PREFIX + [
                ("M0", "next pass: hmm_vma_range_lock() puts R3 on the list and waits for "
                       "notifier_count == 0; it is -1"),
                ("", "every mirror ends up here; notifier_count_underflows counts the "
                     "decrements below zero, the watchdog writes rep-N.hung.json")],
            "hang: mirror threads stuck in a mirror pass",
            ["rangelock2015-mirror-stuck"]),
        Mechanism(
            "left-behind",
            "Ranges the early return leaves on the list: an invalidation that overlaps one "
            "waits for a wake-up that never comes",
            ("hang",),
            _ev_left_behind,
            "The early-returning invalidation never takes its own range off hmm->ranges "
            "(its unlock is on the other branch), and nobody else will. The next "
            "overlapping invalidation follows the waiting chain to that orphan, hangs "
            "itself behind it and sleeps until the orphan is unlocked, which never happens. "
            "The same loss happens along a chain: unlocking wakes only range->waiting, and "
            "the woken invalidation returns early without passing the wake-up on. In the "
            "kernel the orphan lives in the stack frame of a function that has returned, so "
            "later list walks follow a dangling pointer (spin shows the list corrupted when "
            "the same frame is reused). The port allocates the entries instead and counts "
            "them (entries_left_behind) so that the suite can watch the hang instead of "
            "corrupting its own memory. The counter shows the orphans; whether a given stuck "
            "invalidating thread waits on one, or behind a mirror that is stuck itself (see "
            "notifier_count above), the result files cannot tell.",
            _EARLY_RETURN_PREFIX[:6] + [
                ("I1", "hmm_invalidate_range() of the same page: R2, still listed, overlaps; "
                       "R2->waiting = R4; sleeps until R4->wakeup"),
                ("", "only R2's owner could unlock it, and I0 has long returned"),
                ("", "I1 sleeps forever: the watchdog shows the invalidating storm thread "
                     "stuck inside its operation")],
            "orphaned entries on hmm->ranges (pointers into dead stack frames in the kernel); "
            "hang: invalidating threads stuck",
            ["rangelock2015-dead-entry", "rangelock2015-chain-lost-wakeup",
             "rangelock2015-double-add"]),
        Mechanism(
            "cow-self-deadlock",
            "A mirror's own fault invalidates the range it holds locked (the HMM v13 deadlock)",
            ("hang",),
            _ev_cow,
            "The mirror faults pages in while it holds its range lock. A write fault on a "
            "copy-on-write page breaks the sharing, which invalidates that page. The "
            "invalidation finds the mirror's own range on the list, chains behind it and "
            "sleeps until that range is unlocked, by the very thread that is now asleep. "
            "The design's 2016 posting was withdrawn after this deadlock was found. Shown "
            "when a run with copy-on-write breaks hung with a stuck mirror and none of the "
            "other mechanisms' counters moved.",
            [("M0", "hmm_vma_range_lock(): puts R1 = [a, b) on the list and goes on"),
             ("M0", "the snapshot needs write access to page p in [a, b), which is "
                    "copy-on-write: fault"),
             ("M0", "the COW break calls hmm_invalidate_range([p, p+1)): R1 overlaps, "
                    "R1->waiting = R2, sleep until R2->wakeup"),
             ("", "only M0's own hmm_vma_range_unlock(R1) would wake it"),
             ("", "M0 sleeps forever inside its mirror pass; later invalidations of [a, b) "
                  "chain behind and sleep too")],
            "hang: a mirror stuck in its own pass",
            []),
        Mechanism(
            "nonblockable-sleep",
            "Invalidations that must not sleep sleep behind a range lock",
            ("hang",),
            _ev_nonblockable,
            "The seed predates non-blockable invalidations: hmm_invalidate_range() sleeps "
            "whenever it overlaps a listed range. Direct reclaim entered from a mirror's own "
            "fault, and reclaim in try-to-invalidate mode, must not wait there; they should "
            "get -EAGAIN and move to the next candidate. In the seed they chain and sleep. "
            "When the candidate lies in the faulting mirror's own locked range nobody can "
            "wake it; when it lies in another mirror's range, that mirror may be stuck the "
            "same way, and kswapd and allocating threads pile up behind them.",
            [("M0", "hmm_vma_range_lock(): puts R1 = [a, b) on the list and goes on"),
             ("M0", "a fault in [a, b) allocates a page; free memory is below the minimum, so "
                    "the allocation enters direct reclaim, which may not block"),
             ("M0", "reclaim picks page q in [a, b): hmm_invalidate_range() finds R1, sets "
                    "R1->waiting = R2 and sleeps (it should have returned -EAGAIN)"),
             ("", "kswapd and other allocating threads pick candidates in R1 and chain "
                  "behind R2"),
             ("", "M0 and the reclaimers sleep forever; slept_when_not_blockable counts "
                  "each sleep that was not allowed")],
            "hang: mirrors and reclaimers stuck",
            []),
    ],
}


# ---- validflag: Linux 5.2's hmm_range_register()/hmm_range_valid() ----

def _ev_flag_race(f):
    return "shown" if f.violations and _c(f, "valid_after_invalidation") else None


def _ev_mm_wide_wait(f):
    return "shown" if _c(f, "wait_timeouts") else None


def _ev_flag_lost(f):
    return "shown" if _c(f, "wait_flag_lost") else None


MECHANISMS["validflag"] = [
    Mechanism(
        "flag-race",
        "The valid flag is a boolean: an invalidation that starts and ends between the "
        "snapshot and the valid check leaves it true",
        ("violation",),
        _ev_flag_race,
        "A registered range carries one bool, valid. invalidate_range_start() clears it on "
        "every overlapping range and invalidate_range_end() sets it again on every listed "
        "range once no invalidation is left in progress. The driver snapshots with "
        "hmm_range_fault() and then, under its device lock, commits only if "
        "hmm_range_valid() is true. But the flag says \"no invalidation is in progress "
        "now\", not \"none happened since the snapshot\": there is no sequence count. An "
        "invalidation whose start and end both fall between the wait and the check, "
        "around or after the snapshot, clears the flag and sets it back, its device callback finds nothing to zap "
        "(the snapshot is not committed yet), and the driver commits a page the CPU has "
        "already freed. The invalidation need not come from another thread: the "
        "driver's own fault can allocate, enter direct reclaim and reclaim a page of the "
        "range it walked a moment before. Upstream replaced the scheme with "
        "mmu_interval_notifier (Linux 5.5), whose sequence count is what seqretry "
        "checks. valid_after_invalidation counts the commits the flag allowed although an "
        "overlapping invalidation had begun after the wait; the checker counts the ones "
        "that committed a freed page.",
        [("M0", "hmm_range_register(): list_add; no invalidation in progress "
                "(notifiers == 0), so valid = true"),
         ("M0", "hmm_range_wait_until_valid(): valid is true, returns at once"),
         ("M0", "hmm_range_fault(): snapshots the CPU PTE: page A"),
         ("I0", "invalidate_range_start(): notifiers 0 -> 1; the range overlaps: valid = false"),
         ("I0", "device callback: takes the device lock, zaps the device PTEs of the range "
                "(A is not mapped there yet), unlocks"),
         ("I0", "the CPU PTE moves away from A; A is freed"),
         ("I0", "invalidate_range_end(): notifiers 1 -> 0, so valid = true again on every "
                "listed range; wake_up_all"),
         ("M0", "takes the device lock; hmm_range_valid(): true"),
         ("M0", "writes A into the device PTE: A is already free"),
         ("", "the checker counts a stale snapshot committed (a use-after-free by the "
              "device); valid_after_invalidation counts the commit")],
        "stale snapshot committed (invariant violation)",
        []),
    Mechanism(
        "mm-wide-wait",
        "The flag waits for every invalidation in the mm, not the range's: under a storm "
        "the driver's wait times out",
        (),
        _ev_mm_wide_wait,
        "hmm_range_register() makes a range valid only when no invalidation is in progress "
        "anywhere in the mm (hmm->notifiers counts them all), and invalidate_range_end() "
        "makes ranges valid again only when the count drops to zero. While storm threads "
        "overlap one another the count never reaches zero, so a driver registering an "
        "unrelated range sleeps in hmm_range_wait_until_valid() until "
        "HMM_RANGE_DEFAULT_TIMEOUT (1000 ms) and gives up with -EBUSY. No page is stale; "
        "the driver makes no progress. wait_timeouts counts these; each is a pass that "
        "missed its deadline.",
        [("I0", "invalidate_range_start() of [x, y): notifiers 0 -> 1"),
         ("M0", "hmm_range_register() of [a, b), far from [x, y): notifiers is 1, so "
                "valid = false"),
         ("I1", "invalidate_range_start() somewhere else: notifiers 1 -> 2"),
         ("I0", "invalidate_range_end(): notifiers 2 -> 1; not zero, so no range is made "
                "valid and nobody is woken"),
         ("", "the storms keep at least one invalidation in progress"),
         ("M0", "hmm_range_wait_until_valid() times out after 1000 ms: valid is false, "
                "the pass fails with -EBUSY")],
        "mirror passes that wait 1000 ms and fail (deadline misses)",
        []),
    Mechanism(
        "flag-lost",
        "The wait reads the flag once more after waking: an overlapping start in between "
        "fails the pass without a timeout",
        (),
        _ev_flag_lost,
        "hmm_range_wait_until_valid() sleeps until the flag is set and then reads it once "
        "more (\"just in case we get lucky\"). The flag is set by the end of the last "
        "invalidation in the mm; an overlapping invalidation that starts between the "
        "wake-up and that read clears it again, and the wait reports failure although it "
        "did not time out. The driver drops the fault (in the model the pass ends as a "
        "deadline miss). No page is stale; a pass is lost. wait_flag_lost counts these.",
        [("M0", "hmm_range_register(): an invalidation is in progress somewhere in the mm, "
                "so valid = false"),
         ("M0", "hmm_range_wait_until_valid(): sleeps until valid"),
         ("I0", "invalidate_range_end(): notifiers 1 -> 0, so valid = true on every listed "
                "range; wake_up_all"),
         ("M0", "wakes: the wait condition (valid) holds, so the wait returns before its "
                "timeout"),
         ("I1", "invalidate_range_start() of a page in M0's range: valid = false"),
         ("M0", "reads range->valid once more: false; the wait fails and the pass is "
                "dropped with -EBUSY"),
         ("", "wait_flag_lost counts it; the pass ends as a deadline miss")],
        "mirror passes dropped after a successful wait (deadline misses)",
        []),
]


def source(strategy):
    """The port of @strategy, where its theory of operation is written."""
    return SOURCES.get(strategy, "strategies/")


def mechanisms(strategy):
    """The explained mechanisms of @strategy (empty when none are written)."""
    return MECHANISMS.get(strategy, [])
