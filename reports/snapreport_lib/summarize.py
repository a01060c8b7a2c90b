# SPDX-License-Identifier: GPL-2.0
# summarize.py - `snapreport summarize DIR`: per group, the median of every
# headline metric over the repetitions with an order-statistic interval.

import csv
import os

from . import metrics
from . import stats
from .results import group_runs, load_runs

METHOD_NOTE = ("median over repetitions; [lo, hi] is an order-statistic interval of the "
               "median with >= 95%% coverage, or the range (min, max) when n <= 5 is too "
               "few to claim 95%%; n/a: no completed run measured it; hung and no-progress "
               "runs are counted but left out")


def rows(groups, headline_only=True):
    """One dict per (group, metric)."""
    out = []
    for g in groups:
        for m in g.metrics:
            if headline_only and not m.headline:
                continue
            s = g.summary(m.name)
            out.append({
                "environment": g.environment, "kernel": g.kernel,
                "scenario": g.scenario, "variant": g.variant,
                "strategy": g.strategy, "metric": m.name, "unit": m.unit,
                "better": m.better or "-", "n": s[3] if s else 0,
                "hung": g.hung, "median": s[0] if s else None,
                "ci_lo": s[1] if s else None, "ci_hi": s[2] if s else None,
            })
    return out


def _fmt(v):
    return "" if v is None else "%.6g" % v


def run(args, out):
    groups = group_runs(load_runs(args.dir))
    table = rows(groups, headline_only=not args.all)
    out.write("# %s\n" % METHOD_NOTE)
    last = None
    for r in table:
        key = (r["environment"], r["kernel"], r["scenario"], r["variant"], r["strategy"])
        if key != last:
            last = key
            head = "%s%s %s%s %s" % (r["environment"], " " + r["kernel"] if r["kernel"] else "",
                                     r["scenario"], " [" + r["variant"] + "]" if r["variant"] else "",
                                     r["strategy"])
            g = next(g for g in groups if g.key == key)
            extra = []
            if g.hung:
                extra.append("HUNG %d of %d runs" % (g.hung, len(g.runs)))
            if g.no_progress:
                extra.append("NO PROGRESS in %d of %d runs" % (g.no_progress, len(g.runs)))
            if g.violations:
                extra.append("VIOLATIONS %d" % g.violations)
            out.write("\n== %s (n=%d)%s\n" % (head, g.n,
                                                 "  ** " + ", ".join(extra) + " **" if extra else ""))
        if r["median"] is None:
            out.write("  %-34s %12s\n" % (r["metric"], "n/a"))
            continue
        out.write("  %-34s %12s  [%s, %s] %s  (%s is better)\n" % (
            r["metric"], metrics.format_value(r["median"], r["unit"]),
            metrics.format_value(r["ci_lo"], r["unit"]),
            metrics.format_value(r["ci_hi"], r["unit"]),
            stats.interval_kind(r["n"]),
            r["better"]))
    if args.csv:
        os.makedirs(os.path.dirname(os.path.abspath(args.csv)), exist_ok=True)
        with open(args.csv, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(table[0].keys()) if table else ["metric"])
            w.writeheader()
            for r in table:
                w.writerow({k: _fmt(v) if isinstance(v, float) else v for k, v in r.items()})
    return 0
