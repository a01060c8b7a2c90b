# SPDX-License-Identifier: GPL-2.0
# claims.py - every claim of the seed (2015) and of our strategies against
# every strategy in a result set: the measurement that supports or refutes
# it, a verdict, and the command that reproduces it.  `snapreport claims
# DIR` prints the table; the HTML report shows it (section_html).
"""A verdict is decided only from the result files (harness/RESULTS.md):
the strategies' own counters (snapbench.strategy_counters: order.*,
wakeup.*, early_returns, hybrid.retries_bound), violations, retries,
invalidation counts and hung runs.  "holds" needs a run that exercised the
claim; a strategy that does not report a measurement, or whose runs never
exercised it, gets n/a with the reason, never a zero.

Reproducers: every verdict names the snapbench command of a run that shows
it (context.command_line, with that run's seed); refuting verdicts of the
known-unsafe ports also name the C test that finds each race on its own
(tests/seed_races.c, tests/seed_findings.c, tests/validflag_findings.c)."""


from .markup import esc
from .results import load_runs

# Who makes each claim, and its words.
CLAIMS = [
    ("order", "seed: overlapping ranges wait on each other \"according to the order they "
              "happen\"; ours: FIFO"),
    ("wakeup", "seed and ours: no lost wake-up"),
    ("invalidates", "seed: an invalidation always invalidates the device"),
    ("stale", "seed and ours: no stale device PTE"),
    ("faults", "seed and ours: no deadlock with the mirror's own faults"),
    ("retries", "ours: bounded retries (hybrid)"),
]

# The C reproducers of a refuting verdict, per known-unsafe strategy.
C_REPRODUCERS = {
    ("rangelock-2015", "order"): "build/tests/seed_races.t (a later range lock served first)",
    ("rangelock-2015", "wakeup"): "build/tests/seed_races.t (wake-up lost along the chain; "
                                  "chained on a dead entry)",
    ("rangelock-2015", "invalidates"): "build/tests/seed_races.t (early return leaves a stale PTE)",
    ("rangelock-2015", "stale"): "build/tests/seed_races.t (count race; early return)",
    ("rangelock-2015", "faults"): "build/tests/seed_findings.t (COW break under the lock)",
    ("validflag", "stale"): "build/tests/validflag_findings.t",
}

# Why a strategy has no arrival order or wake-up to measure.
NO_WAITS = ("n/a: snapshots never hold invalidations back (they retry on a sequence), so "
            "there is no arrival order to keep and no waiter to wake; the strategy reports "
            "no order.* or wakeup.* counters")


class Verdict:
    def __init__(self, verdict, measured, command=""):
        self.verdict = verdict          # "holds", "refuted", "n/a: why", "not claimed: why"
        self.measured = measured
        self.command = command


def _num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _sum(runs, name):
    """Sum of strategy counter @name over @runs; None when no run reports it."""
    vals = [_num(r.strategy_counters.get(name)) for r in runs]
    vals = [v for v in vals if v is not None]
    return sum(vals) if vals else None


def _max(runs, name):
    vals = [_num(r.strategy_counters.get(name)) for r in runs]
    vals = [v for v in vals if v is not None]
    return max(vals) if vals else None


def _bench_sum(runs, name):
    vals = [_num(r.counter(name)) for r in runs]
    vals = [v for v in vals if v is not None]
    return sum(vals) if vals else None


def _command(run):
    cmd = run.context.get("command_line") or "snapbench run"
    seed = run.context.get("seed")
    return "%s  # %s rep %s, seed %s" % (cmd, run.scenario, run.rep, seed)


def _first(runs, pred):
    for r in runs:
        if pred(r):
            return r
    return runs[0] if runs else None


def _with_c(strategy, claim, command):
    c = C_REPRODUCERS.get((strategy, claim))
    return command + ("; C: " + c if c else "")


def _order(strategy, runs):
    granted = [_sum(runs, "order.%s.granted" % k) for k in ("snapshot", "inval")]
    if granted[0] is None:
        return Verdict(NO_WAITS, "")
    if not sum(granted):
        return Verdict("n/a: no snapshot or invalidation waited in the lock in these runs", "")
    over = sum(_sum(runs, "order.%s.overtakes" % k) or 0 for k in ("snapshot", "inval"))
    worst = max(_max(runs, "order.%s.overtakes_max" % k) or 0 for k in ("snapshot", "inval"))
    worst_run = max(runs, key=lambda r: max(
        _num(r.strategy_counters.get("order.%s.overtakes_max" % k)) or 0
        for k in ("snapshot", "inval")))
    wait = max(_num(worst_run.strategy_counters.get("order.%s.overtakes_max_wait_ns" % k)) or 0
               for k in ("snapshot", "inval"))
    measured = "%d snapshots and %d invalidations granted, %d overtakes" % (
        granted[0], granted[1], over)
    if over:
        measured += " by later overlapping arrivals; worst %d, which cost that waiter %.3f ms" % (
            worst, wait / 1e6)
    if over:
        return Verdict("refuted", measured, _with_c(strategy, "order", _command(worst_run)))
    return Verdict("holds", measured, _command(runs[0]))


def _wakeup(strategy, runs):
    lost = [_sum(runs, "wakeup.%s.lost" % k) for k in ("snapshot", "inval")]
    if lost[0] is None:
        return Verdict(NO_WAITS, "")
    late = sum(_sum(runs, "wakeup.%s.late" % k) or 0 for k in ("snapshot", "inval"))
    delay = max(_max(runs, "wakeup.%s.delay_max_ns" % k) or 0 for k in ("snapshot", "inval"))
    threshold = _max(runs, "wakeup.lost_threshold_ns")
    named = [t.get("doing") for r in runs for t in r.threads
             if t.get("stuck") and "lost wake-up" in (t.get("doing") or "")]
    granted = sum(_sum(runs, "order.%s.granted" % k) or 0 for k in ("snapshot", "inval"))
    measured = ("%d waiters asleep more than %.0f ms after nothing they waited for was held "
                "(snapshots %d, invalidations %d), %d woken that late; longest wake-up delay "
                "%.3f ms" % (sum(lost), (threshold or 0) / 1e6, lost[0], lost[1], late,
                             delay / 1e6))
    if named:
        measured += "; hang report: %s" % named[0]
    if sum(lost) or late:
        r = _first(runs, lambda r: any(_num(r.strategy_counters.get("wakeup.%s.%s" % (k, w)))
                                       for k in ("snapshot", "inval") for w in ("lost", "late")))
        return Verdict("refuted", measured, _with_c(strategy, "wakeup", _command(r)))
    if not granted:
        return Verdict("n/a: nothing waited in the lock in these runs", measured)
    return Verdict("holds", measured, _command(runs[0]))


def _violations(runs):
    return sum(int(_num(r.counter("violations")) or 0) for r in runs)


def _invalidations(runs):
    return sum(int(_num(v) or 0) for r in runs for k, v in r.bench.items()
               if k.startswith("invalidations.") and not k.startswith("invalidations_skipped"))


def _invalidates(strategy, runs):
    early = _sum(runs, "early_returns")
    inval = _invalidations(runs)
    viol = _violations(runs)
    if early:
        r = _first(runs, lambda r: _num(r.strategy_counters.get("early_returns")))
        return Verdict("refuted", "%d invalidations went ahead without updating the device "
                                  "(early returns); %d violations" % (early, viol),
                       _with_c(strategy, "invalidates", _command(r)))
    if not inval:
        return Verdict("n/a: no invalidation completed in these runs", "")
    if early is None:
        return Verdict("holds", "%d invalidations; the strategy has no path that skips the "
                       "device callback (stale PTEs are the next claim)" % inval,
                       _command(runs[0]))
    return Verdict("holds", "%d invalidations, 0 early returns" % inval, _command(runs[0]))


def _stale(strategy, runs):
    viol = _violations(runs)
    passes = _bench_sum(runs, "passes") or 0
    measured = "%d invariant violations in %d runs (%d mirror passes)" % (viol, len(runs), passes)
    if viol:
        r = _first(runs, lambda r: _num(r.counter("violations")))
        return Verdict("refuted", measured, _with_c(strategy, "stale", _command(r)))
    if not passes:
        return Verdict("n/a: no mirror pass completed", measured)
    return Verdict("holds", measured, _command(runs[0]))


def _faults(strategy, runs):
    exercised = [r for r in runs if _num(r.counter("invalidations.fault"))
                 or _num(r.counter("invalidations.direct_reclaim"))
                 or (float(r.params.get("mm.cow_permille") or 0) > 0
                     and float(r.params.get("mirror.write_permille") or 0) > 0)]
    if not exercised:
        return Verdict("n/a: no run had the mirror's faults invalidate (COW breaks or direct "
                       "reclaim)", "")
    hung = [r for r in exercised if r.hung and any(
        t.get("stuck") and t.get("role") == "mirror" for t in r.threads)]
    measured = "%d of %d runs with fault-made invalidations hung with a mirror stuck" % (
        len(hung), len(exercised))
    if hung:
        return Verdict("refuted", measured, _with_c(strategy, "faults", _command(hung[0])))
    return Verdict("holds", measured, _command(exercised[0]))


def _retries(strategy, runs):
    worst = max((_num(r.counter("retries_per_pass_max")) or 0) for r in runs)
    bound = _max(runs, "hybrid.retries_bound")
    retried = any(_num(r.counter("retries_per_pass_max")) for r in runs)
    if bound is not None:
        measured = "at most %d retries per pass; the design's bound is %d" % (worst, bound)
        r = max(runs, key=lambda r: _num(r.counter("retries_per_pass_max")) or 0)
        if worst > bound:
            return Verdict("refuted", measured, _command(r))
        return Verdict("holds", measured, _command(r))
    if not retried:
        return Verdict("holds", "no pass retried in %d runs (snapshots are never thrown away)"
                       % len(runs), _command(runs[0]))
    return Verdict("not claimed: retries are unbounded by design",
                   "at most %d retries per pass" % worst,
                   _command(max(runs, key=lambda r: _num(r.counter("retries_per_pass_max")) or 0)))


DECIDE = {"order": _order, "wakeup": _wakeup, "invalidates": _invalidates,
          "stale": _stale, "faults": _faults, "retries": _retries}


def column(run):
    """The table's column of @run: the strategy, "kernel:" before it for the
    kernel driver's (lib/test_snapbench, whose counters carry the same names)."""
    return run.strategy if run.environment == "userspace" else "kernel:" + run.strategy


def table(runs):
    """[(claim, text, {column: Verdict})], columns in first-seen order: each
    userspace strategy, and each kernel driver strategy apart from it."""
    by_column = {}
    for r in runs:
        by_column.setdefault(column(r), []).append(r)
    return [(c, text, {col: DECIDE[c](rs[0].strategy, rs) for col, rs in by_column.items()})
            for c, text in CLAIMS], list(by_column)


def run(args, out):
    rows, strategies = table(load_runs(args.dir))
    for claim, text, verdicts in rows:
        out.write("%s\n" % text)
        for s in strategies:
            v = verdicts[s]
            out.write("  %-16s %s\n" % (s, v.verdict))
            if v.measured:
                out.write("  %-16s   measured: %s\n" % ("", v.measured))
            if v.command:
                out.write("  %-16s   reproduce: %s\n" % ("", v.command))
    return 0


def section_html(runs):
    rows, strategies = table(runs)
    if not strategies:
        return ""
    parts = ['<h2 id="claims">Claims against measurements</h2>',
             "<p>Each claim of the seed and of our strategies, per strategy, decided from these "
             "result files (reports/snapreport_lib/claims.py); <code>snapreport claims DIR</code> "
             "prints the same table.</p>",
             "<table><tr><th>claim</th>%s</tr>" % "".join(
                 "<th>%s</th>" % esc(s) for s in strategies)]
    for claim, text, verdicts in rows:
        cells = []
        for s in strategies:
            v = verdicts[s]
            cells.append("<td><b>%s</b>%s%s</td>" % (
                esc(v.verdict), "<br>%s" % esc(v.measured) if v.measured else "",
                "<br><code>%s</code>" % esc(v.command) if v.command else ""))
        parts.append("<tr><td>%s</td>%s</tr>" % (esc(text), "".join(cells)))
    parts.append("</table>")
    return "\n".join(parts)
