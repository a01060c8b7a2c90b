# SPDX-License-Identifier: GPL-2.0
# tradeoff.py - beside the Pareto plot: the numbers of its points, where the
# hybrid strategy sits on it, and whether the hybrid reaches its goal:
# retries per pass bounded like rangelock, and reclaim/munmap invalidation
# stall p99 within 1.2x of seqretry, on the storm scenarios.
"""The goal's terms are fixed here (GOAL); every number judged comes from
the result groups.  The verdict is one of three (VERDICTS):

met                 every check below passes, every stall ratio clearly
not met             a check fails clearly: a hybrid run with an invariant
                    violation or a hang, a pass that retried more often
                    than the bound, or a stall ratio whose whole interval
                    lies above the line
not enough evidence no check fails clearly, but at least one is undecided:
                    a stall ratio whose interval straddles the line, too
                    few repetitions, or nothing to judge

The checks, per storm scenario (one with invalidation stalls):

retries   the hybrid takes the range lock after a number of failed
          optimistic attempts that each result file records
          (context.strategy_params.attempts, harness/RESULTS.md), so a
          pass retries at most that often: "bounded like rangelock"
          means no pass of any completed repetition retried more often.
          A bound is a worst case, so this takes the maximum of
          retries_per_pass_max over the repetitions, not a median; one
          pass over the bound falsifies it.  Result files that do not
          record the bound (older ones), or hybrid runs that record
          different bounds, leave it n/a: the check is then undecided.
stalls    for each reclaim or munmap stall kind both hybrid and seqretry
          have: the ratio of the medians over repetitions of stall p99
          (hybrid / seqretry) with its 95% percentile-bootstrap interval
          (stats.bootstrap_diff_ci: each sample resampled on its own).
          Within when the whole interval is <= the ratio, beyond when the
          whole interval is above it, undecided otherwise or with fewer
          than MIN_REPS completed repetitions on either side.

Beside each scenario: the share of hybrid passes that fell back to the
range lock (retries >= the bound, from the retries-per-pass histogram),
median over repetitions with its interval: invalidations wait only behind
such passes, so it says whether a stall difference can come from the
lock at all."""

from . import metrics, plots, stats, verdicts
from .markup import esc, strategy as _strategy
from .results import InputError

GOAL = {
    "candidate": "hybrid",
    "stall_baseline": "seqretry",
    "bounded_like": "rangelock",
    "stall_ratio": 1.2,
    "stall_kinds": ("munmap", "reclaim", "direct_reclaim"),
}
MIN_REPS = 3
VERDICTS = ("met", "not met", "not enough evidence")
BOUND_PARAM = "attempts"        # context.strategy_params key of the candidate's bound


def retry_bound(runs):
    """(bound, where it came from) or (None, why it is n/a), from the
    candidate's result files @runs: context.strategy_params.attempts,
    which every one of them must record, with one value.  Raises
    InputError for a bound that is not a whole number."""
    where = "context.strategy_params.%s" % BOUND_PARAM
    if not runs:
        return None, "no %s result files" % GOAL["candidate"]
    values, missing = set(), 0
    for r in runs:
        params = r.context.get("strategy_params") or {}
        v = params.get(BOUND_PARAM)
        if v is None:
            missing += 1
        elif isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InputError("%s: %s is %s, not a whole number" % (r.path, where, v))
        else:
            values.add(v)
    if missing:
        return None, ("%d of %d %s result files do not record %s"
                      % (missing, len(runs), GOAL["candidate"], where))
    if len(values) > 1:
        return None, ("the %s result files record different bounds (%s)"
                      % (GOAL["candidate"], ", ".join(map(str, sorted(values)))))
    return values.pop(), "%s of the %s result files" % (where, GOAL["candidate"])


def _fv(v, unit):
    return esc(metrics.format_value(v, unit))


def _ci(s, unit):
    """A group summary (median, lo, hi, n) as "median [lo, hi]"."""
    if not s:
        return "–"
    return '%s <span class="ci">[%s, %s]</span>' % (_fv(s[0], unit), _fv(s[1], unit), _fv(s[2], unit))


def _ratio_text(st, styled=True):
    if st["ratio"] is None:
        return "–"
    if st["lo"] is None:
        ci = "no interval"
    else:
        ci = "%.2fx, %.2fx" % (st["lo"], st["hi"])
    if styled:
        return '%.2fx <span class="ci">[%s]</span>' % (st["ratio"], ci)
    return "%.2fx [%s]" % (st["ratio"], ci)


def _label(g):
    return g.scenario + (" [%s]" % g.variant if g.variant else "")


def _worst(g, name):
    vals = g.values(name)
    return max(vals) if vals else None


def _places(groups):
    out = []
    for g in groups:
        if (g.scenario, g.variant) not in out:
            out.append((g.scenario, g.variant))
    return out


def pareto_table_html(groups):
    """The points of the Pareto plot of these groups (one environment)."""
    pts = plots.pareto_points(groups)
    if not pts:
        return ""
    front = plots.pareto_front(pts)
    out = ["<p>The points of the plot: medians over repetitions with order-statistic intervals "
           "(the range when n &lt;= 5). "
           "The plot's stall is the larger of the kswapd-like and direct reclaim stalls; munmap "
           "stalls are shown beside it where the scenario has them. A point is dominated when another "
           "strategy is significantly better on one axis and not significantly worse on the other, "
           "by the rule of the recommendations (verdicts.json). Known-unsafe strategies are not "
           "candidates and are left out.</p>",
           "<table><tr><th>scenario</th><th>strategy</th><th>time to mirror p99</th>"
           "<th>reclaim stall p99</th><th>munmap stall p99</th><th>retries per pass, worst</th>"
           "<th>Pareto front</th></tr>"]
    for g, t, s, name in pts:
        out.append("<tr><td>%s</td><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s "
                   "<span class=\"ci\">(%s)</span></td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                   "<td>%s</td></tr>"
                   % (esc(_label(g)), _strategy(g.strategy), _ci(t, "ns"), _ci(s, "ns"),
                      esc(name.partition(".")[2]), _ci(g.summary("stall_p99_ns.munmap"), "ns"),
                      _fv(_worst(g, "retries_per_pass_max"), "count"),
                      "on the front" if id(g) in front else "dominated"))
    out.append("</table>")
    return "\n".join(out)


def stall_verdict(lo, hi, ratio, enough=True):
    """"within", "beyond" or "undecided" for a ratio interval [@lo, @hi]
    against the line @ratio."""
    if not enough or lo is None or hi is None:
        return "undecided"
    if hi <= ratio:
        return "within"
    if lo > ratio:
        return "beyond"
    return "undecided"


def ratio_of_medians(hvals, bvals):
    """(median ratio, lo, hi) of hybrid values over baseline values; the
    bounds are None when a resampled baseline median is not positive."""
    mb = stats.median(bvals)
    ratio = stats.median(hvals) / mb if mb > 0 else None
    _, _, lo, hi = stats.bootstrap_diff_ci(bvals, hvals)
    return ratio, lo, hi


def locked_share(g, bound):
    """Per completed run of @g, the share of passes that retried at least
    @bound times (so took the range lock).  [] when unknown."""
    if bound is None:
        return []
    out = []
    for h in g.hist("retries_per_pass"):
        count = h.get("count", 0)
        if count > 0:
            out.append(sum(n for lo, _, n in h.get("buckets", []) if lo >= bound) / count)
    return out


def _summ(vals):
    if not vals:
        return None
    lo, hi, _, _ = stats.median_interval(vals)
    return (stats.median(vals), lo, hi, len(vals))


def evaluate(groups, bound):
    """Per storm scenario, the goal's checks, and the verdict.
    Returns (rows, summary dict); summary["verdict"] is one of VERDICTS."""
    cand, base, like = GOAL["candidate"], GOAL["stall_baseline"], GOAL["bounded_like"]
    line = GOAL["stall_ratio"]
    rows = []
    for scenario, variant in _places(groups):
        sg = {g.strategy: g for g in groups if (g.scenario, g.variant) == (scenario, variant)}
        h = sg.get(cand)
        if not h:
            continue
        kinds = sorted({m.name.partition(".")[2] for g in sg.values() for m in g.metrics
                        if m.name.startswith("stall_p99_ns.")})
        if not kinds:
            continue            # no invalidations: not a storm scenario
        row = {"label": _label(h), "group": h, "kinds": kinds, "stalls": [],
               "correct": not h.violations and not h.hung,
               "violations": h.violations, "hung": h.hung, "n": h.n,
               "locked": _summ(locked_share(h, bound)),
               "locked_max": max(locked_share(h, bound) or [None]),
               "retries": {s: _worst(sg[s], "retries_per_pass_max") if s in sg else None
                           for s in (cand, base, like)}}
        worst = row["retries"][cand]
        row["retries_ok"] = None if bound is None or worst is None else worst <= bound
        for kind in GOAL["stall_kinds"]:
            name = "stall_p99_ns." + kind
            if base not in sg:
                continue
            hv, bv = h.values(name), sg[base].values(name)
            if not hv or not bv:
                continue
            ratio, lo, hi = ratio_of_medians(hv, bv)
            enough = len(hv) >= MIN_REPS and len(bv) >= MIN_REPS
            row["stalls"].append({"kind": kind, "hybrid": h.summary(name),
                                  "base": sg[base].summary(name), "ratio": ratio,
                                  "lo": lo, "hi": hi, "enough": enough,
                                  "verdict": stall_verdict(lo, hi, line, enough)})
        rows.append(row)
    pts = plots.pareto_points(groups)
    front = plots.pareto_front(pts)
    for row in rows:
        mine = [(t, s, name) for g, t, s, name in pts if g is row["group"]]
        row["front"] = (id(row["group"]) in front) if mine else None
        row["point"] = mine[0] if mine else None
        row["dominators"] = []
        if mine and not row["front"]:
            g = row["group"]
            rule = verdicts.rule_for([g])
            row["dominators"] = [(o, False) for o in
                                 rule.dominated(g.key[:4], g.strategy, ("ttm_p99_ns", mine[0][2]))]
    stalls = [(r["label"], s) for r in rows for s in r["stalls"]]
    summ = {
        "scenarios": len(rows),
        "retry_fail": [r["label"] for r in rows if r["retries_ok"] is False],
        "retry_unknown": [r["label"] for r in rows if r["retries_ok"] is None],
        "incorrect": [r["label"] for r in rows if not r["correct"]],
        "stall_checked": len(stalls),
        "stall_within": [x for x in stalls if x[1]["verdict"] == "within"],
        "stall_beyond": [x for x in stalls if x[1]["verdict"] == "beyond"],
        "stall_undecided": [x for x in stalls if x[1]["verdict"] == "undecided"],
    }
    if summ["incorrect"] or summ["retry_fail"] or summ["stall_beyond"]:
        verdict = "not met"
    elif (not rows or not summ["stall_checked"] or summ["retry_unknown"]
          or summ["stall_undecided"]):
        verdict = "not enough evidence"
    else:
        verdict = "met"
    summ["verdict"] = verdict
    return rows, summ


def _dominated_text(dominators, styled):
    """"by A and B" plus whether the intervals overlap (medians only)."""
    names = " and ".join(_strategy(d) if styled else esc(d) for d, _ in dominators)
    noisy = [d for d, noise in dominators if noise]
    note = ""
    if noisy and len(noisy) == len(dominators):
        note = "on medians only: the intervals overlap"
    elif noisy:
        note = "on medians only for %s: the intervals overlap" % " and ".join(esc(d) for d in noisy)
    if note and styled:
        note = ' <span class="ci">(%s)</span>' % note
    elif note:
        note = "; " + note
    return "dominated by %s%s" % (names, note)


def _locked_text(row):
    s = row["locked"]
    if not s:
        return "unknown"
    fv = metrics.format_value
    return "%s [%s, %s]" % (fv(s[0], "ratio"), fv(s[1], "ratio"), fv(s[2], "ratio"))


def _why_beyond(row):
    """Why a stall ratio can be above the line, from the locked share."""
    s, top = row["locked"], row["locked_max"]
    if not s:
        return ""
    if not top:
        return ("; no hybrid pass took the range lock there in any repetition, so no "
                "invalidation waited behind one: the difference is not the lock's (the two "
                "strategies' repetitions ran at different times, so background load can differ)")
    fv = metrics.format_value
    if s[0] == 0:
        return ("; in the median repetition no hybrid pass took the range lock there (at most %s "
                "in one repetition), and with none locked hybrid's invalidation is seqretry's "
                "plus one load of nr_locked: a difference this size points at the measurement "
                "(the strategies' repetitions ran back to back, at different times) more than at "
                "the design" % fv(top, "ratio"))
    return ("; %s of hybrid passes took the range lock there (median over repetitions, at most "
            "%s): while any pass holds it, every invalidation takes hybrid's queued path "
            "(unbump, queue, bump again), and one that overlaps a locked pass waits for it, as "
            "under rangelock" % (fv(s[0], "ratio"), fv(top, "ratio")))


def _position_html(rows):
    """Where the hybrid sits on the Pareto plot, with its numbers."""
    plotted = [r for r in rows if r["point"]]
    if not plotted:
        return ""
    items = []
    for r in plotted:
        t, s, name = r["point"]
        where = "on the front" if r["front"] else _dominated_text(r["dominators"], True)
        items.append("<li>%s: time to mirror p99 %s, %s stall p99 %s — <b>%s</b></li>"
                     % (esc(r["label"]), _ci(t, "ns"), esc(name.partition(".")[2]), _ci(s, "ns"),
                        where))
    return ("<p>%s on the Pareto plot above (medians over repetitions, order-statistic intervals):"
            "</p><ul>%s</ul>" % (_strategy(GOAL["candidate"]), "".join(items)))


def _verdict_html(rows, summ, bound):
    cand, base = GOAL["candidate"], GOAL["stall_baseline"]
    line = GOAL["stall_ratio"]
    n_und = len(summ["stall_undecided"])
    if summ["verdict"] == "met":
        return ('<div class="rec"><b>Verdict: met.</b> In all %d storm scenarios '
                "no %s pass retried more than %d times, and all %d reclaim/munmap stall p99 ratios "
                "to %s have their whole 95%% interval at or below %gx.</div>"
                % (summ["scenarios"], esc(cand), bound, summ["stall_checked"], esc(base), line))
    if summ["verdict"] == "not met":
        why = []
        if summ["incorrect"]:
            why.append("invariant violations or hung runs in %s" % ", ".join(summ["incorrect"]))
        for r in rows:
            if r["retries_ok"] is False:
                why.append("a pass retried %s times in %s (bound %d)"
                           % (metrics.format_value(r["retries"][cand], "count"), r["label"], bound))
        for label, s in summ["stall_beyond"]:
            row = next(r for r in rows if r["label"] == label)
            why.append("%s stall p99 %s %s's in %s, the whole interval above %gx%s"
                       % (s["kind"], _ratio_text(s, False), base, label, line, _why_beyond(row)))
        reached = ("Where it stands otherwise: %d of %d stall ratios clearly within %gx, %d "
                   "undecided." % (len(summ["stall_within"]), summ["stall_checked"], line, n_und))
        return ('<div class="rec tradeoff"><b>Verdict: not met.</b> %s. %s</div>'
                % (esc("; ".join(why)), esc(reached)))
    why = []
    if not rows:
        why.append("no %s runs in a storm scenario" % cand)
    elif not summ["stall_checked"]:
        why.append("no scenario with reclaim or munmap stalls for both %s and %s" % (cand, base))
    if summ["retry_unknown"] and rows:
        why.append("the retry bound could not be checked in %s"
                   % ", ".join(summ["retry_unknown"]) if bound is not None else
                   "the retry bound is n/a: the result files do not record it")
    for label, s in summ["stall_undecided"]:
        if not s["enough"]:
            why.append("%s stall in %s: fewer than %d completed repetitions" % (s["kind"], label, MIN_REPS))
        else:
            row = next(r for r in rows if r["label"] == label)
            idle = row["locked"] and row["locked_max"] == 0
            why.append("%s stall p99 %s %s's in %s: the interval straddles %gx%s"
                       % (s["kind"], _ratio_text(s, False), base, label, line,
                          " (no hybrid pass took the range lock there, so its invalidations "
                          "ran as seqretry's do: the spread is noise between repetitions)"
                          if idle else ""))
    return ('<div class="rec none"><b>Verdict: not enough evidence.</b> Nothing '
            "fails clearly — no violation, no hang, no pass over the retry bound, no stall ratio "
            "clearly above %gx (%d of %d clearly within) — but these results cannot decide: %s. "
            "More repetitions narrow the intervals (FULL=1).</div>"
            % (line, len(summ["stall_within"]), summ["stall_checked"], esc("; ".join(why))))


def anchor(environment, kernel):
    """The id of the goal's heading for one environment."""
    return "hybrid-goal-" + plots.slug(environment + (" " + kernel if kernel else ""))


def goal_html(groups, bound_info=None, ident="hybrid-goal"):
    """The hybrid's goal, judged on these groups (one environment)."""
    cand, base, like = GOAL["candidate"], GOAL["stall_baseline"], GOAL["bounded_like"]
    line = GOAL["stall_ratio"]
    bound, source = bound_info if bound_info else \
        retry_bound([r for g in groups if g.strategy == cand for r in g.runs])
    rows, summ = evaluate(groups, bound)
    out = ['<h3 id="%s">Does %s reach its goal?</h3>' % (esc(ident), _strategy(cand)),
           "<p>Goal, on the storm scenarios: retries per pass bounded like %s, and "
           "reclaim/munmap invalidation stall p99 within %gx of %s — on the Pareto front of the "
           "two. Retry bound: %s. A stall is judged on the ratio of the medians over repetitions "
           "(%s / %s) and its 95%% bootstrap interval: <i>within</i> when the whole interval is at "
           "or below %gx, <i>beyond</i> when it is all above, <i>undecided</i> when it straddles "
           "the line (or with fewer than %d repetitions). Any clear failure makes the verdict "
           "<b>not met</b>; undecided checks without one make it <b>not enough evidence</b>. The "
           "%d stall intervals are read together with no correction for multiple comparisons. "
           "snapbench runs the repetitions of one strategy back to back, so a background load "
           "that changes between strategies shows up as a difference: judge on a quiet "
           "machine.</p>"
           % (_strategy(like), line, _strategy(base),
              ("at most %d retries per pass (%s), checked against the worst pass of every "
               "completed repetition" % (bound, esc(source))) if bound is not None
              else "n/a (%s): the retry check cannot be judged" % esc(source),
              esc(cand), esc(base), line, MIN_REPS, summ["stall_checked"])]
    if not rows:
        out.append('<p class="skip">No %s runs in a storm scenario in these results: '
                   "<b>not enough evidence</b> to judge the goal.</p>" % esc(cand))
        return "\n".join(out)
    out.append(_verdict_html(rows, summ, bound))
    out.append(_position_html(rows))
    out.append("<table><tr><th>scenario</th><th>retries per pass, worst: %s / %s / %s</th>"
               "<th>bounded</th><th>%s passes under the range lock</th><th>stall</th><th>%s p99</th>"
               "<th>%s p99</th><th>ratio [95%% CI]</th><th>within %gx</th><th>Pareto front</th></tr>"
               % (esc(cand), esc(base), esc(like), esc(cand), esc(cand), esc(base), line))
    for row in rows:
        r = row["retries"]
        retries = " / ".join(_fv(r[s], "count") for s in (cand, base, like))
        if row["retries_ok"] is None:
            bounded = "–"
        else:
            bounded = "yes" if row["retries_ok"] else '<span class="bad">no</span>'
        if not row["correct"]:
            bounded += ' <span class="bad">%d violations, %d hung</span>' % (row["violations"], row["hung"])
        front = {None: "–", True: "yes", False: "dominated"}[row["front"]]
        if row["dominators"]:
            front = _dominated_text(row["dominators"], True)
        stalls = row["stalls"] or [None]
        for i, s in enumerate(stalls):
            head = ("<td>%s</td><td class=\"num\">%s</td><td>%s</td><td class=\"num\">%s</td>"
                    % (esc(row["label"]), retries, bounded, esc(_locked_text(row)))
                    if i == 0 else "<td></td><td></td><td></td><td></td>")
            if s is None:
                out.append("<tr>%s<td colspan=\"5\" class=\"ci\">no reclaim or munmap stalls "
                           "(stalls here: %s)</td><td>%s</td></tr>"
                           % (head, esc(", ".join(row["kinds"])), front))
                continue
            within = {"within": "yes", "beyond": '<span class="bad">no</span>',
                      "undecided": "undecided"}[s["verdict"]]
            out.append("<tr>%s<td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                       "<td class=\"num\">%s</td><td>%s</td><td>%s</td></tr>"
                       % (head, esc(s["kind"]), _ci(s["hybrid"], "ns"), _ci(s["base"], "ns"),
                          _ratio_text(s), within, front if i == 0 else ""))
    out.append("</table>")
    return "\n".join(out)


def section_html(groups, environment, kernel):
    """The table of the plot's points and the goal, for one environment."""
    eg = [g for g in groups if (g.environment, g.kernel) == (environment, kernel)]
    return pareto_table_html(eg) + "\n" + goal_html(eg, ident=anchor(environment, kernel))
