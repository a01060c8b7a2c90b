# SPDX-License-Identifier: GPL-2.0
# compare.py - `snapreport compare BASE NEW`: per scenario, strategy and
# metric, medians, change, intervals, Mann-Whitney p and a verdict.
# `snapreport compare DIR --sweep KEY=A,B` compares two points of one sweep
# instead, whose repetitions `snapbench run` interleaved (README, "The
# noise floor of the userspace verdicts").
"""Verdicts.  A difference is significant when its test passes AND |change|
>= the minimum effect (percent of the BASE median).  The test, --correction:
 - "bh" (the default): the Benjamini-Hochberg q-value of the metric's
   two-sided Mann-Whitney p, over every headline metric compared in the
   same comparison (all scenarios and strategies of one BASE -> NEW, or of
   one build pair in `trend`; the other metrics of --all are a family of
   their own), must be < alpha.  One comparison tests
   dozens of metrics; at p < 0.05 each, some are "significant" by chance
   in most comparisons of two unchanged builds (measured: `trend
   --false-positives`, README).  BH keeps the expected share of false
   verdicts among the significant ones at alpha when the samples are
   independent (for kernels: boots, not repetitions within one boot); it
   costs power: with five samples a side the smallest p is 0.0079, so
   over ~100 tests sixteen metrics must move together; with eight, 0.00016,
   and one metric can be flagged alone;
 - "none": the metric's own p < alpha, no correction.
Significant and in the metric's good direction: "better"; in the bad one:
"worse"; for a metric without a direction: "changed"; otherwise "no
significant change".  Correctness is not statistics: any invariant violation
in NEW or a NEW run the watchdog stopped (hung) is "worse" whatever the
numbers; runs that completed no mirror pass (no progress) count with their
passes/s of 0 (verdicts.values()).  Known-unsafe strategies are shown but never judged (no verdict, no
correctness note, outside the family).  The headline metrics are the ones
metrics.QUESTIONS declares for every verdict of the suite.

Userspace runs measured in the host's two states (results.host_states(),
judged over BASE and NEW together: one machine) are compared within a
state only (verdicts.test()), and the output says how many ran in the
less usual one.

Kernel (guest) results are compared only within a batch (context.batch:
one `snapbench kernel` invocation, whose boots were interleaved), as in
`trend`: a build of BASE and the same build of NEW are compared on the
samples of the latest batch both have runs of; sharing no known batch id,
the build is not compared ("different batches"), since builds booted at
different times differ by the host alone.  When no guest result carries a
batch id (older trees) they are compared as before, with a caveat.

Exit status: 1 when any headline metric is "worse", else 0; 2 on bad
input, and when every build of the two trees was refused as coming from
different batches."""

import json
import math

from . import metrics
from . import stats
from . import verdicts
from .results import InputError, batch_text, batches, group_runs, host_states, in_batch, \
    load_runs, shared_batch, version_key

BATCH_CAVEAT = ("batch unknown: these kernel results carry no batch id (context.batch), so "
                "BASE and NEW are compared as if booted interleaved in one batch; results of "
                "separate invocations can differ by the host alone")


def contrast(base, new, metric, alpha, min_effect_pct, one=None):
    """Compare two samples of one metric, @one the report's test of them
    (verdicts.test() of their groups; by default verdicts.test_samples()).
    Returns a dict with the medians, their intervals, change_pct, the
    bootstrap interval of the difference (and of the change in percent when
    the ratio is defined), the test and the verdict."""
    mb, mn = stats.median(base), stats.median(new)
    blo, bhi, _, _ = stats.median_interval(base)
    nlo, nhi, _, _ = stats.median_interval(new)
    dlo, dhi, rlo, rhi = stats.bootstrap_diff_ci(base, new)
    test = stats.mann_whitney(new, base)
    one = one or verdicts.test_samples(base, new)      # the report's one test
    change = one["change_pct"]
    verdict = decide(change, one["p"], metric.better, alpha, min_effect_pct)
    return {
        "metric": metric.name, "unit": metric.unit, "better": metric.better,
        "headline": metric.headline, "n_base": len(base), "n_new": len(new),
        "base_median": mb, "base_ci": [blo, bhi], "new_median": mn,
        "new_ci": [nlo, nhi], "change_pct": change, "diff_ci": [dlo, dhi],
        "change_pct_ci": [(rlo - 1) * 100.0, (rhi - 1) * 100.0] if rlo is not None else None,
        "u": test["u"], "p": one["p"], "test": one["test"], "verdict": verdict,
        "ratio": mn / mb if mb > 0 else None,
        "cliffs_delta": stats.cliffs_delta(test["u"], len(new), len(base)),
    }


CORRECTIONS = ("bh", "none")


def change_pct(a, b):
    """Percent change from @a to @b; +-inf when @a is 0 and @b is not."""
    if a != 0:
        return (b - a) / abs(a) * 100.0
    return 0.0 if b == a else math.copysign(math.inf, b - a)


def decide(change, p, better, alpha, min_effect_pct):
    """The verdict of a change (percent) with the p (or q) value of its test."""
    if not (p < alpha and abs(change) >= min_effect_pct):
        return "no significant change"
    if better is None:
        return "changed"
    return "better" if (change < 0) == (better == "lower") else "worse"


def adjust(rows, alpha, min_effect_pct, correction):
    """Give every statistical row of one comparison its Benjamini-Hochberg
    q-value, and with @correction "bh" decide its verdict on q instead of p.
    The family is the comparison's headline metrics (what its exit status
    is decided on); the other metrics (--all) are a family of their own, so
    asking for them changes no headline verdict.  Rows with a "note"
    (violations, hangs) are not statistics and keep their verdict."""
    for headline in (True, False):
        stat = [r for r in rows if "note" not in r and bool(r["headline"]) == headline
                and not r.get("unsafe")]
        m = len(stat)
        q = 1.0
        for rank, r in reversed(list(enumerate(sorted(stat, key=lambda r: r["p"]), 1))):
            q = min(q, r["p"] * m / rank)
            r["q"] = q
        if correction == "bh":
            for r in stat:
                r["verdict"] = decide(r["change_pct"], r["q"], r["better"], alpha, min_effect_pct)
    for r in rows:
        if r.get("unsafe"):
            r["q"] = r["p"]
            r["verdict"] = "not judged (known unsafe)"
    return rows


def _correctness(bg, ng):
    """Verdicts that need no statistics: violations and hangs in NEW."""
    out = []
    if ng.violations > 0:
        out.append({"metric": "violations", "headline": True, "verdict": "worse",
                    "note": "%d invariant violations in NEW (%d in BASE): a correctness failure"
                            % (ng.violations, bg.violations)})
    if ng.hung > 0:
        out.append({"metric": "hung", "headline": True, "verdict": "worse",
                    "note": "%d of %d NEW runs hung (%d of %d in BASE)"
                            % (ng.hung, len(ng.runs), bg.hung, len(bg.runs))})
    if ng.no_progress or bg.no_progress:
        out.append({"metric": "no-progress", "headline": True, "verdict": "counted in passes/s",
                    "note": "%d of %d NEW runs made no progress (%d of %d in BASE); their "
                            "passes/s of 0 is in the test of passes_per_s"
                            % (ng.no_progress, len(ng.runs), bg.no_progress, len(bg.runs))})
    return out


def compare_pair(bg, ng, alpha, min_effect_pct, all_metrics=False):
    """Rows comparing group @bg (BASE) with group @ng (NEW): the correctness
    verdicts, then contrast() of every metric both have (headline only
    unless @all_metrics)."""
    unsafe = any(r.context.get("strategy_known_unsafe") for r in bg.runs + ng.runs)
    items = [] if unsafe else _correctness(bg, ng)
    names = {m.name for m in bg.metrics} & {m.name for m in ng.metrics}
    for m in metrics.expand(names):
        if m.correctness or not (m.headline or all_metrics):
            continue
        b, n = verdicts.values(bg, m.name), verdicts.values(ng, m.name)
        if not b or not n:
            continue
        c = contrast(b, n, m, alpha, min_effect_pct, verdicts.test(bg, ng, m.name))
        if unsafe:      # shown, never part of a regression verdict
            c.update(headline=False, unsafe=True)
        items.append(c)
    return items


def compare_groups(base_groups, new_groups, alpha, min_effect_pct, all_metrics=False):
    """Rows for every group present in both, plus the keys present in one."""
    bmap = {g.key: g for g in base_groups}
    nmap = {g.key: g for g in new_groups}
    rows, only_base, only_new = [], [], []
    for key in [g.key for g in new_groups]:
        if key not in bmap:
            only_new.append(key)
            continue
        items = compare_pair(bmap[key], nmap[key], alpha, min_effect_pct, all_metrics)
        for it in items:
            it["group"] = key
        rows.extend(items)
    only_base = [k for k in bmap if k not in nmap]
    return rows, only_base, only_new


def within_batches(base, new):
    """(BASE groups, NEW groups, refused, caveat): each guest build of both
    trees restricted to the latest batch it has runs of in both (see the
    module's doc); refused: [(kernel label, BASE batches, NEW batches)] of
    builds that share none, left out of both sides; caveat: guest groups
    are compared but none carries a batch id."""
    guests = [g for g in base + new if g.environment == "guest"]
    if not guests or not batches(guests):
        return base, new, [], bool(guests)
    by = ({}, {})
    for side, groups in zip(by, (base, new)):
        for g in groups:
            if g.environment == "guest":
                side.setdefault(g.kernel, []).append(g)
    chosen, refused = {}, []
    for label in sorted(set(by[0]) & set(by[1]), key=version_key):
        b = shared_batch(by[0][label], by[1][label])
        if b is None:
            refused.append((label, batch_text(by[0][label]), batch_text(by[1][label])))
        else:
            chosen[label] = b
    skip = {label for label, _, _ in refused}

    def keep(groups):
        out = []
        for g in groups:
            if g.environment != "guest" or g.kernel not in chosen:
                if g.environment != "guest" or g.kernel not in skip:
                    out.append(g)
                continue
            sub = in_batch(g, chosen[g.kernel])
            if sub:
                out.append(sub)
        return out
    return keep(base), keep(new), refused, False


def _label(key):
    env, kernel, scenario, variant, strategy = key
    s = scenario + (" [%s]" % variant if variant else "")
    if env != "userspace" or kernel:
        s = "%s %s: %s" % (env, kernel, s)
    return "%s / %s" % (s, strategy)


def _pct(v):
    if v is None:
        return "–"
    if math.isinf(v):
        return "+inf%" if v > 0 else "-inf%"
    return "%+.1f%%" % v


def rule_text(alpha, effect, correction):
    """The significance rule in words, for the header of a text output."""
    if correction == "bh":
        return ("significant: Benjamini-Hochberg q < %g over the comparison's headline metrics "
                "and |change| >= %g%%" % (alpha, effect))
    return "significant: p < %g (no correction) and |change| >= %g%%" % (alpha, effect)


def write_text(rows, only_base, only_new, alpha, effect, correction, out):
    out.write("# medians over repetitions, [lo, hi]: order-statistic interval of the median,\n"
              "# >= 95%% coverage, or the range (min, max) when n <= 5;\n"
              "# diff CI: percentile bootstrap (%d resamples, seed %d);\n"
              "# p: two-sided Mann-Whitney U: exact without ties (n1+n2 <= %d), exact-ties by\n"
              "# enumerating every split (C(n1+n2, n1) <= %d), else normal approximation with tie\n"
              "# and continuity correction; q: Benjamini-Hochberg\n# %s\n"
              % (stats.BOOT_RESAMPLES, stats.BOOT_SEED, stats.EXACT_MAX_N,
                 stats.EXACT_TIES_MAX_SPLITS, rule_text(alpha, effect, correction)))
    last = None
    for r in rows:
        if r["group"] != last:
            last = r["group"]
            out.write("\n== %s\n" % _label(last))
        if "note" in r:
            out.write("  %-30s %s: %s\n" % (r["metric"], r["verdict"].upper(), r["note"]))
            continue
        u = r["unit"]
        fv = metrics.format_value
        out.write("  %-30s %10s [%s, %s] -> %10s [%s, %s]  %8s  diff CI [%s, %s]  p=%.3g q=%.3g "
                  "(%s, n=%d/%d)  %s\n" % (
                      r["metric"], fv(r["base_median"], u), fv(r["base_ci"][0], u),
                      fv(r["base_ci"][1], u), fv(r["new_median"], u), fv(r["new_ci"][0], u),
                      fv(r["new_ci"][1], u), _pct(r["change_pct"]), fv(r["diff_ci"][0], u),
                      fv(r["diff_ci"][1], u), r["p"], r["q"], r["test"], r["n_base"], r["n_new"],
                      r["verdict"]))
    for k in only_base:
        out.write("\nonly in BASE: %s\n" % _label(k))
    for k in only_new:
        out.write("\nonly in NEW: %s\n" % _label(k))


def power_notes(rows, alpha):
    """Sizes for which no exact test can reach alpha."""
    notes = set()
    for r in rows:
        if "n_base" in r and stats.min_exact_p(r["n_base"], r["n_new"]) >= alpha:
            notes.add((r["n_base"], r["n_new"]))
    return ["with %d and %d samples (repetitions; boots for kernel builds run with --boots) the "
            "smallest possible two-sided p is %.3g >= alpha %g: nothing can be significant; "
            "run more"
            % (a, b, stats.min_exact_p(a, b), alpha) for a, b in sorted(notes)]


def sweep_points(runs, spec):
    """The groups of two points of one sweep (`snapbench run --sweep KEY=A,B`,
    @spec "KEY=A,B"): the runs at A as BASE, those at B as NEW, each keyed as
    if it were unswept, so that A and B of one scenario and strategy pair up.
    Both points ran in one invocation, their repetitions interleaved: what
    the machine did in between fell on both alike."""
    key, eq, values = spec.partition("=")
    points = values.split(",")
    if not key or not eq or len(points) != 2 or not all(points) or points[0] == points[1]:
        raise InputError("--sweep '%s': expected KEY=BASE,NEW, two different values" % spec)
    sides = ([], [])
    for r in runs:
        sw = r.context.get("sweep")
        if not isinstance(sw, dict) or sw.get("param") != key or sw.get("value") not in points:
            continue
        r.variant = ""
        sides[points.index(sw["value"])].append(r)
    for side, value in zip(sides, points):
        if not side:
            raise InputError("--sweep: no run at %s=%s (is it a point of the directory's sweep?)"
                             % (key, value))
    return group_runs(sides[0]), group_runs(sides[1])


def run(args, out):
    if not 0 < args.alpha < 1:
        raise InputError("--alpha must be between 0 and 1, not %g" % args.alpha)
    if args.threshold < 0:
        raise InputError("--threshold must not be negative")
    if args.sweep is not None:
        if args.new is not None:
            raise InputError("compare --sweep: one DIR, not BASE and NEW")
        runs = load_runs(args.base)
        usual, other = host_states(runs)
        base, new = sweep_points(runs, args.sweep)
        args.new = "%s (%s)" % (args.base, args.sweep)
    elif args.new is None:
        raise InputError("compare: NEW is missing (BASE NEW, or DIR --sweep KEY=BASE,NEW)")
    else:
        base_runs, new_runs = load_runs(args.base), load_runs(args.new)
        usual, other = host_states(base_runs + new_runs)   # one machine, one usual state
        base, new = group_runs(base_runs), group_runs(new_runs)
    refused, caveat = [], False
    if args.sweep is None:
        base, new, refused, caveat = within_batches(base, new)
    rows, only_base, only_new = compare_groups(base, new, args.alpha, args.threshold, args.all)
    if not rows and not only_base and not only_new and not refused:
        raise InputError("%s and %s: nothing to compare" % (args.base, args.new))
    adjust(rows, args.alpha, args.threshold, args.correction)
    if caveat:
        out.write("# caveat: %s\n" % BATCH_CAVEAT)
    if other:
        out.write("# host: %d runs ran in the host's other state (a cache line's round trip "
                  "between CPUs not near the usual %.0f ns); each test compares runs within "
                  "one state\n" % (other, usual))
    write_text(rows, only_base, only_new, args.alpha, args.threshold, args.correction, out)
    for label, bb, nb in refused:
        out.write("\nnot compared: kernel %s: samples from different batches (BASE: %s; NEW: %s); "
                  "boot both in one invocation to compare them\n" % (label, bb, nb))
    for note in power_notes(rows, args.alpha):
        out.write("note: %s\n" % note)
    worse = [r for r in rows if r["headline"] and r["verdict"] == "worse"]
    better = [r for r in rows if r["headline"] and r["verdict"] == "better"]
    out.write("\nsummary: %d headline metrics worse, %d better, %d compared%s\n"
              % (len(worse), len(better), sum(1 for r in rows if r["headline"]),
                 "; %d kernel build%s not compared: different batches"
                 % (len(refused), "" if len(refused) == 1 else "s") if refused else ""))
    if args.json:
        rows = [{k: (str(v) if isinstance(v, float) and math.isinf(v) else v) for k, v in r.items()}
                for r in rows]
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"alpha": args.alpha, "threshold_pct": args.threshold,
                       "correction": args.correction,
                       "rows": [dict(r, group=list(r["group"])) for r in rows],
                       "only_base": [list(k) for k in only_base],
                       "only_new": [list(k) for k in only_new],
                       "not_compared_batches": [{"kernel": l, "base_batches": bb, "new_batches": nb}
                                                for l, bb, nb in refused]}, f, indent=1,
                      allow_nan=False)
    if refused and not rows:
        raise InputError("%s and %s: every kernel build in both comes from different batches (%s): "
                         "nothing compared" % (args.base, args.new, "; ".join(
                             "%s: BASE %s, NEW %s" % r for r in refused)))
    return 1 if worse else 0
