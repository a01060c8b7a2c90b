#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-plots.t - plots never fail because of the data: empty, single-point,
# all-zero and zero-lower-bound results draw (or say why not), text is
# literal (noenhanced) and log-axis ticks are in ns/µs/ms/s.

import glob
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import done, ok  # noqa: E402
from snapreport_lib import plots  # noqa: E402
from snapreport_lib.results import Run, group_runs  # noqa: E402

PCTS = ("p50", "p90", "p99", "p999", "max")


def hist(values):
    """A RESULTS.md HIST of @values, one bucket per distinct value."""
    if not values:
        return {"unit": "ns", "count": 0, "min": 0, "max": 0, "sum": 0, "overflow": 0,
                "significant_bits": 7, "buckets": []}
    b = {}
    for v in values:
        b[v] = b.get(v, 0) + 1
    return {"unit": "ns", "count": len(values), "min": min(values), "max": max(values),
            "sum": sum(values), "overflow": 0, "significant_bits": 7,
            "buckets": [[v, v, n] for v, n in sorted(b.items())]}


def run(strategy, rep, ttm, stall, scenario="degenerate"):
    """A result file's document with time-to-mirror samples @ttm and
    direct-reclaim stall samples @stall; a percentile is null (n/a) when
    its histogram is empty, as harness/result.c writes it."""
    b = {"passes": len(ttm), "passes_per_s": len(ttm) / 0.5, "violations": 0,
         "deadline_misses": 0, "invalidations.direct_reclaim": len(stall)}
    for p in PCTS:
        b["ttm_%s_ns" % p] = max(ttm) if ttm else None
        b["stall_%s_ns.direct_reclaim" % p] = max(stall) if stall else None
    doc = {"context": {"scenario": scenario, "strategy": strategy, "rep": rep, "hung": False,
                       "status": "ok" if ttm else "no-progress", "scenario_params": {}},
           "benchmarks": [b],
           "snapbench": {"histograms": {"time_to_mirror_ns": hist(ttm),
                                        "invalidate_stall_ns.direct_reclaim": hist(stall),
                                        "retries_per_pass": hist([0] * len(ttm))}}}
    return Run("/synthetic/%s/%s/rep-%d.json" % (scenario, strategy, rep), doc, None)


def draw(name, runs):
    out = tempfile.mkdtemp(prefix="snapbench-plots-")
    try:
        figs = plots.make_all(group_runs(runs), out)
    except Exception as e:          # the point of the test: never
        ok(False, "%s: plots drawn or skipped with a note" % name, repr(e))
        return out, []
    bad = [f.ident for f in figs if not f.png and not f.note]
    ok(not bad and all(os.path.exists(os.path.join(out, f.png)) for f in figs if f.png),
       "%s: every plot drawn or skipped with a note" % name, bad)
    return out, figs


def by_suffix(figs, suffix):
    return [f for f in figs if f.ident.endswith(suffix)]


# Empty: no pass and no stall in any run (n/a everywhere).
out, figs = draw("empty data", [run("seqretry", 0, [], []), run("rangelock", 0, [], [])])
ok(all(f.note for f in by_suffix(figs, "-pareto")), "empty data: the Pareto plot says why it is absent")

# One run of one strategy: a single point.
out, figs = draw("single point", [run("seqretry", 0, [1200, 1500], [800, 900])])
ok(any(f.png for f in by_suffix(figs, "-pareto")), "single point: the Pareto plot is drawn")

# All zero: stalls of 0 ns cannot go on a log axis.
out, figs = draw("all zero", [run(s, i, [0, 0, 0], [0, 0]) for s in ("seqretry", "rangelock")
                             for i in range(3)])
ok(all(f.png or f.note for f in figs), "all zero: spectra drawn on a linear axis, Pareto explained")

# Zero lower bound: one repetition of three with a 0 ns stall p99, so the
# interval of the median reaches 0 on the Pareto plot's log axis (gnuplot
# stopped: "x range must be greater than 0 for log scale").
runs = [run("seqretry", 0, [1000, 2000], [0]), run("seqretry", 1, [1100, 2100], [500, 700]),
        run("seqretry", 2, [900, 1900], [600, 800]),
        run("rangelock", 0, [0, 3000], [100, 200]), run("rangelock", 1, [2500, 3000], [150]),
        run("rangelock", 2, [2600, 3100], [120, 180])]
out, figs = draw("zero lower bound", runs)
par = by_suffix(figs, "-pareto")
ok(par and par[0].png, "zero lower bound: the Pareto plot is drawn", [f.note for f in par])

# Literal text and readable ticks, in what was handed to gnuplot.
scripts = glob.glob(os.path.join(out, "plot-data", "*.gp"))
text = "".join(open(p, encoding="utf-8").read() for p in scripts)
ok(scripts and " enhanced" not in text and "noenhanced" in text,
   "every script sets noenhanced text (direct_reclaim is not subscripted)")
gp = open(os.path.join(out, "plot-data", par[0].ident + ".gp"), encoding="utf-8").read() if par else ""
ok('"100 ns" 100' in gp and '"1 µs" 1000' in gp and "0.0000001" not in gp,
   "log-axis ticks are labelled in ns and µs, not fractions of a second")
ok(plots.log_time_tics([1.5e3, 2e6]) == '"1 µs" 1000, "10 µs" 10000, "100 µs" 100000, '
   '"1 ms" 1e+06, "10 ms" 1e+07', "log_time_tics: one tick per decade, in its unit",
   plots.log_time_tics([1.5e3, 2e6]))
done()
