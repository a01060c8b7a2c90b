# SPDX-License-Identifier: GPL-2.0
# plots.py - `snapreport plot DIR --out OUTDIR`: .dat files and gnuplot
# scripts filled from reports/gnuplot/ templates, rendered to PNG and SVG.
"""Every number drawn is computed here (gnuplot only draws).  A plot whose
data is absent is skipped with a note saying what is missing."""

import math
import os
import re
import shutil
import string
import subprocess

from . import stats, verdicts
from .palette import colour
from .results import InputError, group_runs, load_runs

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gnuplot")
SPECTRUM = [(50, 0.30103), (90, 1.0), (99, 2.0), (99.9, 3.0), (99.99, 4.0), (100, 5.0)]
TIME_UNITS = [(1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns")]


class Plot:
    """One figure: what it answers, where its files are, or why it is absent."""

    def __init__(self, ident, section, question, title=None, note=None):
        self.ident, self.section, self.question = ident, section, question
        self.title, self.note = title, note
        self.png = self.svg = None


def slug(text):
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-").lower() or "x"


def quote(text):
    """A gnuplot double-quoted string."""
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def _time_scale(values):
    top = max(values) if values else 1.0
    for div, unit in TIME_UNITS:
        if top >= div:
            return div, unit
    return 1.0, "ns"


def _time_text(ns):
    """A tick label: 1 ns, 10 µs, 100 ms, 2 s (never 0.0000001 s)."""
    for div, unit in TIME_UNITS:
        if ns >= div:
            return "%g %s" % (float("%.3g" % (ns / div)), unit)
    return "%g ns" % ns


def log_time_tics(values_ns):
    """gnuplot tic list for a log axis of nanoseconds: each decade from
    below the smallest positive value to above the largest, labelled in
    ns, µs, ms or s."""
    pos = [v for v in values_ns if v > 0]
    if not pos:
        return ""
    lo = math.floor(math.log10(min(pos)))
    hi = math.ceil(math.log10(max(pos)))
    return ", ".join('%s %g' % (quote(_time_text(10.0 ** e)), 10.0 ** e) for e in range(lo, hi + 1))


class Renderer:
    """Writes the files of each plot under @outdir and runs gnuplot."""

    def __init__(self, outdir):
        self.outdir = outdir
        self.datadir = os.path.join(outdir, "plot-data")
        os.makedirs(self.datadir, exist_ok=True)
        self.gnuplot = shutil.which("gnuplot")
        if not self.gnuplot:
            raise InputError("gnuplot not found (install gnuplot-nox: harness/deps report)")

    def dat(self, plot, blocks):
        """Write blocks (lists of rows) as one .dat with gnuplot indexes."""
        path = os.path.join(self.datadir, plot.ident + ".dat")
        with open(path, "w", encoding="utf-8") as f:
            for i, (comment, rows) in enumerate(blocks):
                if i:
                    f.write("\n\n")
                f.write("# %s\n" % comment)
                for row in rows:
                    f.write(" ".join(r if isinstance(r, str) else "%.9g" % r for r in row) + "\n")
        return path

    def render(self, fig, template, **params):
        with open(os.path.join(TEMPLATES, template), encoding="utf-8") as f:
            text = string.Template(f.read())
        params["base"] = os.path.join(self.outdir, fig.ident)
        params["common"] = os.path.join(TEMPLATES, "common.gp")
        script = text.substitute(params)
        path = os.path.join(self.datadir, fig.ident + ".gp")
        with open(path, "w", encoding="utf-8") as f:
            f.write(script)
        res = subprocess.run([self.gnuplot, path], capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            raise RuntimeError("gnuplot failed on %s: %s" % (path, res.stderr.strip()))
        fig.png, fig.svg = fig.ident + ".png", fig.ident + ".svg"


def _envkey_label(env, kernel):
    return env + (" " + kernel if kernel else "")


def _scen_label(g):
    return g.scenario + (" [" + g.variant + "]" if g.variant else "")


def _line(path, index, using, style, strategy, title=None):
    points = "" if style == "steps" else " pt 7 ps 0.8"
    return "%s index %d using %s with %s lw 2%s lc rgb %s title %s" % (
        quote(path), index, using, style, points, quote(colour(strategy)), quote(title or strategy))


# ---- retries per pass --------------------------------------------------

def retries_cdf(r, plot, groups):
    live = [(g, stats.hist_merge(g.hist("retries_per_pass"))) for g in groups]
    live = [(g, h) for g, h in live if h["count"] > 0]
    if not live:
        plot.note = "no retries_per_pass histogram in these results"
        return
    xmax = max(h["max"] for _, h in live) + 2
    right = xmax * 1.2
    blocks, cdf, tail, tail_min = [], [], [], 1.0
    for g, h in live:
        rows, cum = [], 0
        for lo, hi, n in h["buckets"]:
            cum += n
            frac = cum / h["count"]
            rows.append((hi + 1, frac, max(1.0 - frac, 0.0)))
        rows.append((right, 1.0, 0.0))
        tail_min = min([tail_min] + [t for _, _, t in rows if t > 0])
        blocks.append(("%s: x = retries + 1, CDF, 1 - CDF (%d passes, %d runs)"
                       % (g.strategy, h["count"], len(g.ok_runs)), rows))
    path = r.dat(plot, blocks)
    has_tail = any(t > 0 for _, rows in blocks for _, _, t in rows)
    for i, (g, h) in enumerate(live):
        cdf.append(_line(path, i, "1:2", "steps", g.strategy))
        if has_tail:
            tail.append(_line(path, i, "1:($3 > 0 ? $3 : NaN)", "steps", g.strategy))
    tail_label = ""
    if not has_tail:
        # Nothing to draw on a log scale: say so on an empty panel.
        tail_label = 'set label 1 "no pass needed a retry" at graph 0.5, 0.5 center'
        tail_min = 1e-3
        tail = ['%g notitle lc rgb "white"' % tail_min]
    ticks = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000, 1000000]
    xtics = ", ".join('"%d" %d' % (t, t + 1) for t in ticks if t + 1 <= right)
    r.render(plot, "retries_cdf.gp", title=plot.title, xmax=right, xtics=xtics,
             tail_min="%.3g" % (10 ** math.floor(math.log10(tail_min))),
             plot_cdf=", ".join(cdf), plot_tail=", ".join(tail), tail_label=tail_label)


# ---- percentile spectra ------------------------------------------------

def spectrum(r, plot, groups, hist_name, what):
    per = []
    for g in groups:
        hs = [h for h in g.hist(hist_name) if h.get("count", 0) > 0]
        if not hs:
            continue
        pts = []
        for p, x in SPECTRUM:
            vals = [stats.hist_percentile(h, p) for h in hs]
            pts.append((x, stats.median(vals), min(vals), max(vals)))
        per.append((g, pts, len(hs)))
    if not per:
        plot.note = "no %s histogram in these results" % hist_name
        return
    # A log axis cannot show 0 (all-zero stalls, a 0 ns minimum): linear then.
    logy = all(lo > 0 for _, pts, _ in per for _, _, lo, _ in pts)
    div, unit = _time_scale([hi for _, pts, _ in per for _, _, _, hi in pts])
    tics = ""
    if logy:                    # nanoseconds, with tics labelled in their unit
        div, unit = 1.0, "time"
        tics = "set ytics (%s)" % log_time_tics([v for _, pts, _ in per for p in pts for v in p[1:]])
    blocks, lines = [], []
    k = len(per)
    for i, (g, pts, n) in enumerate(per):
        off = (i - (k - 1) / 2.0) * 0.05
        rows = [(x + off, m / div, lo / div, hi / div) for x, m, lo, hi in pts]
        blocks.append(("%s: x, median, min, max over %d runs (%s)" % (g.strategy, n, unit), rows))
    path = r.dat(plot, blocks)
    for i, (g, _, n) in enumerate(per):
        lines.append(_line(path, i, "1:2:3:4", "yerrorlines", g.strategy,
                           "%s (n=%d)" % (g.strategy, n)))
    r.render(plot, "spectrum.gp", title=plot.title,
             yscale=("set logscale y\n    " + tics) if logy else "unset logscale y\n    set yrange [0:*]",
             ylabel="%s (%s%s; line: median of runs, bars: min–max)"
                    % (what, unit, ", log scale" if logy else ""),
             plot=", ".join(lines))


# ---- sweeps --------------------------------------------------------------

PARAM_UNITS = {"rate": "ops/s per thread", "range_pages": "pages", "threads": "threads",
               "invalidate_cost_us": "µs", "deadline_ms": "ms", "memory_pages": "pages"}


def _param_unit(name):
    return PARAM_UNITS.get(name.rsplit(".", 1)[-1], "")


def find_sweeps(groups):
    """{(env, kernel, scenario, param): [groups]} for one-parameter numeric sweeps."""
    out = {}
    for g in groups:
        if not g.variant or "," in g.variant:
            continue
        param, _, value = g.variant.partition("=")
        try:
            float(value)
        except ValueError:
            continue
        out.setdefault((g.environment, g.kernel, g.scenario, param), []).append(g)
    return {k: v for k, v in out.items() if len({x.variant for x in v}) > 1}


def sweep_plot(r, plot, sgroups, param):
    metric, scale, what = "deadline_miss_ratio", 100.0, "deadline misses (% of passes)"
    if not any(g.summary(metric) for g in sgroups):
        metric, scale, what = "deadline_misses", 1.0, "passes that hit the deadline"
    by_strategy = {}
    for g in sgroups:
        s = g.summary(metric)
        if s:
            x = float(g.variant.partition("=")[2])
            by_strategy.setdefault(g.strategy, []).append((x, s[0] * scale, s[1] * scale, s[2] * scale))
    if not by_strategy:
        plot.note = "the sweep's results carry no deadline-miss counters"
        return
    blocks, lines = [], []
    xs = [x for rows in by_strategy.values() for x, _, _, _ in rows]
    for i, (strat, rows) in enumerate(sorted(by_strategy.items())):
        blocks.append(("%s: %s, median, interval lo, hi (order statistics)" % (strat, param), sorted(rows)))
    path = r.dat(plot, blocks)
    for i, strat in enumerate(sorted(by_strategy)):
        lines.append(_line(path, i, "1:2:3:4", "yerrorlines", strat))
    logx = min(xs) > 0 and max(xs) / min(xs) >= 10
    unit = _param_unit(param)
    r.render(plot, "sweep.gp", title=plot.title,
             xscale="set logscale x" if logx else "unset logscale x",
             xlabel="%s%s%s" % (param, " (%s)" % unit if unit else "", ", log scale" if logx else ""),
             ylabel="%s, median and %s" % (what, _interval_words(sgroups, metric)),
             plot=", ".join(lines))


def _interval_words(groups, metric):
    """"95% interval" or "range" (min-max), as honest for the smallest n."""
    ns = [g.summary(metric)[3] for g in groups if g.summary(metric)]
    return "range (min–max)" if ns and stats.interval_kind(min(ns)) == "range" \
        else "95% interval"


# ---- reclaim: block vs try -----------------------------------------------

TRUE = {"yes", "true", "1", "on"}


def reclaim_mode(g):
    """"try" or "block" for a reclaim-only scenario, None for others."""
    p = g.runs[0].params
    storms = {k.split(".")[1] for k in p if k.startswith("storm.") and k.endswith(".threads")
              and str(p[k]) not in ("0", "0.0")}
    reclaim_only = storms and storms <= {"kswapd", "alloc"}
    if not (reclaim_only or g.scenario.startswith("reclaim")):
        return None
    tries = [str(p.get("storm.%s.try" % s, "")).lower() for s in ("kswapd", "alloc")]
    if any(t in TRUE for t in tries) or (not any(tries) and g.scenario.endswith("-try")):
        return "try"
    return "block"


def reclaim_plot(r, plot, groups):
    rows = [(g, reclaim_mode(g)) for g in groups]
    rows = [(g, m) for g, m in rows if m and g.summary("reclaim_pages_per_s")]
    modes = {m for _, m in rows}
    if modes != {"block", "try"}:
        plot.note = ("needs reclaim runs in both modes (block and try); found: %s"
                     % (", ".join(sorted(modes)) or "none"))
        return
    scen = sorted({(m, _scen_label(g)) for g, m in rows})
    strategies = sorted({g.strategy for g, _ in rows})
    table = {(_scen_label(g), g.strategy): g for g, _ in rows}

    def block(metric, div):
        out = []
        for mode, label in scen:
            row = ['"%s"' % (label if mode in label else "%s (%s)" % (label, mode))]
            for s in strategies:
                g = table.get((label, s))
                v = g.summary(metric) if g else None
                row += ["%.6g" % (v[0] / div), "%.6g" % (v[1] / div), "%.6g" % (v[2] / div)] if v else ["NaN"] * 3
            out.append(row)
        return out
    thr = [g.summary("reclaim_pages_per_s")[0] for g, _ in rows]
    div, prefix = (1e6, "M") if max(thr) >= 1e6 else (1e3, "k") if max(thr) >= 1e3 else (1.0, "")
    path = r.dat(plot, [("scenario, then per strategy (%s): median, CI lo, CI hi; pages/s / %g"
                         % (" ".join(strategies), div), block("reclaim_pages_per_s", div)),
                        ("scenario, then per strategy: median, CI lo, CI hi; candidates skipped",
                         block("reclaim_skipped", 1.0))])

    def clause(index):
        parts = []
        for i, s in enumerate(strategies):
            c = 2 + 3 * i
            using = "%d:%d:%d%s" % (c, c + 1, c + 2, ":xtic(1)" if i == 0 else "")
            parts.append("%s index %d using %s lc rgb %s title %s" % (
                quote(path), index, using, quote(colour(s)), quote(s)))
        return ", ".join(parts)
    r.render(plot, "bars.gp", title=plot.title,
             title_left="reclaim throughput", ylabel_left="%spages reclaimed per second" % (prefix + " " if prefix else ""),
             title_right="reclaim candidates skipped", ylabel_right="candidates skipped per run (count)",
             plot_left=clause(0), plot_right=clause(1))


# ---- Pareto: driver progress vs reclaim stall ------------------------------

RECLAIM_STALLS = ("stall_p99_ns.reclaim", "stall_p99_ns.direct_reclaim")


def pareto_points(groups):
    """[(group, ttm summary, stall summary, stall metric)] for groups with both.
    Known-unsafe strategies are not candidates and are left out."""
    out = []
    for g in groups:
        if any(r.context.get("strategy_known_unsafe") for r in g.runs):
            continue
        t = g.summary("ttm_p99_ns")
        stalls = [(g.summary(m), m) for m in RECLAIM_STALLS if g.summary(m)]
        if t and stalls:
            s, name = max(stalls, key=lambda sm: sm[0][0])
            out.append((g, t, s, name))
    return out


def _label_positions(points):
    """Where to write each point's label (log-log axes): up and to the right
    of the point, pushed down a line at a time while it would overlap a label
    already placed."""
    placed = []
    for x, y in points:
        lx, ly = x * 1.06, y * 1.15
        while any(abs(math.log10(lx / px)) < 0.25 and abs(math.log10(ly / py)) < 0.06
                  for px, py in placed):
            ly /= 1.2
        placed.append((lx, ly))
    return placed


def pareto_front(pts, rule=None):
    """id()s of the groups of pareto_points() that no other strategy of the
    same scenario dominates by the report's rule (verdicts.py): better on
    one axis and not worse on the other, both significantly."""
    rule = rule or verdicts.rule_for([g for g, _, _, _ in pts])
    return {id(g) for g, _, _, name in pts
            if not rule.dominated(g.key[:4], g.strategy, ("ttm_p99_ns", name))}


def pareto_plot(r, plot, groups):
    all_pts = pareto_points(groups)
    if not all_pts:
        plot.note = "no run has both time to mirror p99 and a reclaim stall p99"
        return
    front = pareto_front(all_pts)
    # Log-log axes: a point at 0 cannot be drawn (it is listed instead), and
    # an interval reaching 0 is cut at the bottom of the axis.
    pts = [p for p in all_pts if p[1][0] > 0 and p[2][0] > 0]
    zero = ["%s/%s" % (_scen_label(g), g.strategy) for g, t, s, _ in all_pts
            if not (t[0] > 0 and s[0] > 0)]
    if not pts:
        plot.note = "every point has a median of 0, which a log scale cannot show: %s" % ", ".join(zero)
        return
    if zero:
        plot.note = "not drawn (a median of 0 on a log scale): %s" % ", ".join(zero)
    floor_t = min(v for _, t, _, _ in pts for v in t[:3] if v > 0) / 1.3
    floor_s = min(v for _, _, s, _ in pts for v in s[:3] if v > 0) / 1.5
    pts = [(g, (t[0], max(t[1], floor_t), t[2]) + tuple(t[3:]),
            (s[0], max(s[1], floor_s), s[2]) + tuple(s[3:]), m) for g, t, s, m in pts]
    xdiv = ydiv = 1.0           # nanoseconds, with tics labelled in their unit
    strategies = sorted({g.strategy for g, _, _, _ in pts})
    labels = _label_positions([(t[0] / xdiv, s[0] / ydiv) for _, t, s, _ in pts])
    at = {id(g): labels[i] for i, (g, _, _, _) in enumerate(pts)}
    blocks, lines = [], []
    for s_name in strategies:
        for on_front in (True, False):
            rows = [(t[0] / xdiv, s[0] / ydiv, t[1] / xdiv, t[2] / xdiv, s[1] / ydiv, s[2] / ydiv,
                     '"%s"' % _scen_label(g), at[id(g)][0], at[id(g)][1])
                    for g, t, s, _ in pts if g.strategy == s_name and (id(g) in front) == on_front]
            if not rows:
                continue
            state = "on the front" if on_front else "dominated"
            blocks.append(("%s, %s: ttm p99, stall p99, ttm CI lo, hi, stall CI lo, hi, scenario"
                           % (s_name, state), rows))
            lines.append((len(blocks) - 1, s_name, state, 7 if on_front else 6))
    path = r.dat(plot, blocks)
    clauses = []
    for index, s_name, state, pt in lines:
        clauses.append("%s index %d using 1:2:3:4:5:6 with xyerrorbars pt %d ps 1.6 lw 1.5 lc rgb %s title %s"
                       % (quote(path), index, pt, quote(colour(s_name)), quote("%s (%s)" % (s_name, state))))
        clauses.append("%s index %d using 8:9:7 with labels left font \",9\" tc rgb \"#333333\" notitle"
                       % (quote(path), index))
    xs = [v for _, t, _, _ in pts for v in t[:3]]
    ys = [v for _, _, s, _ in pts for v in s[:3]] + [y * ydiv for _, y in labels]
    r.render(plot, "pareto.gp", title=plot.title,
             xrange="%.6g:%.6g" % (min(xs) / xdiv / 1.3, max(xs) / xdiv * 1.6),
             yrange="%.6g:%.6g" % (min(ys) / ydiv / 1.5, max(ys) / ydiv * 1.5),
             xtics=log_time_tics(xs), ytics=log_time_tics(ys),
             xlabel="mirror time to mirror p99 (log scale) — driver progress, lower is better",
             ylabel="reclaim invalidation stall p99 (log scale), lower is better",
             plot=", ".join(clauses))


# ---- all of them -------------------------------------------------------------

def make_all(groups, outdir):
    """Render every plot the data allows.  Returns [Plot] (skipped ones carry a note)."""
    r = Renderer(outdir)
    plots = []
    envs = sorted({(g.environment, g.kernel) for g in groups})
    for env, kernel in envs:
        eg = [g for g in groups if (g.environment, g.kernel) == (env, kernel)]
        ek = slug(_envkey_label(env, kernel))
        where = _envkey_label(env, kernel)
        scen = []
        for g in eg:
            if (g.scenario, g.variant) not in scen:
                scen.append((g.scenario, g.variant))
        for scenario, variant in scen:
            sg = [g for g in eg if (g.scenario, g.variant) == (scenario, variant)]
            label = _scen_label(sg[0])
            sid = "%s-%s" % (ek, slug(label))
            p = Plot(sid + "-retries", label,
                     "How many times must a mirror pass retry its snapshot, and how long is the tail?",
                     "Retries per mirror pass — %s (%s)" % (label, where))
            retries_cdf(r, p, sg)
            plots.append(p)
            p = Plot(sid + "-ttm", label,
                     "How long does a driver wait to get a range mirrored, up to the worst case?",
                     "Time to mirror, percentile spectrum — %s (%s)" % (label, where))
            spectrum(r, p, sg, "time_to_mirror_ns", "time to mirror")
            plots.append(p)
            kinds = sorted({n.partition(".")[2] for g in sg for n in g.hist_names()
                            if n.startswith("invalidate_stall_ns.")})
            for kind in kinds:
                p = Plot("%s-stall-%s" % (sid, slug(kind)), label,
                         "How long does a %s operation take, the strategy's waits included, up to the worst case?" % kind,
                         "Invalidation stall (%s), percentile spectrum — %s (%s)" % (kind, label, where))
                spectrum(r, p, sg, "invalidate_stall_ns." + kind, "invalidation stall")
                plots.append(p)
        sweeps = find_sweeps(eg)
        q = "How do deadline misses grow as the storm gets more intense?"
        if not sweeps:
            plots.append(Plot(ek + "-sweep", "overview", q,
                              note="no sweep: no scenario was run over several values of one parameter"))
        for (_, _, scenario, param), sgroups in sorted(sweeps.items()):
            p = Plot("%s-sweep-%s-%s" % (ek, slug(scenario), slug(param)), "overview", q,
                     "Deadline misses vs %s — %s (%s)" % (param, scenario, where))
            sweep_plot(r, p, sgroups, param)
            plots.append(p)
        p = Plot(ek + "-reclaim", "overview",
                 "Does try-to-invalidate keep reclaim moving, and how many candidates does it skip?",
                 "Reclaim: blocking vs try-to-invalidate (%s)" % where)
        reclaim_plot(r, p, eg)
        plots.append(p)
        p = Plot(ek + "-pareto", "overview",
                 "Which strategy gives the driver progress without stalling reclaim (lower-left is better)?",
                 "Driver progress vs reclaim stall, per scenario (%s)" % where)
        pareto_plot(r, p, eg)
        plots.append(p)
    return plots


def run(args, out):
    groups = group_runs(load_runs(args.dir))
    plots = make_all(groups, args.out)
    for p in plots:
        if p.png:
            out.write("%s/%s  %s/%s\n" % (args.out, p.png, args.out, p.svg))
        else:
            out.write("skipped %s: %s\n" % (p.ident, p.note))
    return 0
