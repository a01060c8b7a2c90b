# SPDX-License-Identifier: GPL-2.0
# findings.py - the report section "The seed as published vs corrected":
# what the suite found for every known-unsafe strategy (violations, hangs,
# crashes), next to its corrected counterpart, per scenario, and the
# interleaving behind each kind of finding (seedexplain.py).
"""Everything shown as found comes from the run being reported:

- result files (context.strategy_known_unsafe marks the strategies under
  scrutiny; benchmarks[0].violations and snapbench.violations[] the
  invariant violations; rep-N.hung.json and snapbench.threads[].doing what
  the stuck threads were doing; snapbench.strategy_counters the port's own
  counters);
- crashes, which leave no result file: a repetition below context.reps
  with no file, and the lines `snapbench: SCENARIO/STRATEGY rep N: crashed:
  SIGNAL` (or `... no end past its watchdog; killed`) in any *.log file at
  the top of the result directory, where `make report` keeps the stderr of
  its known-unsafe runs.

Only the explanations (why, and the interleaving) are written in advance."""

import os
import re

from . import seedexplain
from .markup import esc, strategy as _strategy

# harness/snapbench.c: "PROG: SCEN/STRAT rep N: crashed: SIGNAL", "... rep N: no
# end past its watchdog; killed", and "PROG: SCEN/STRAT: cannot run: WHY" (no rep).
LOG_LINE = re.compile(r"^\S+: (?P<scenario>[^/\s]+)/(?P<strategy>[^\s:]+)(?: rep (?P<rep>\d+))?: "
                      r"(?P<what>crashed: .*|no end past its watchdog; killed|cannot run: .*)$")
MAX_HUNG_SHOWN = 2
PRE = '<pre style="white-space: pre-wrap; margin: 4px 0">'


class RunFacts:
    """What one result file says about correctness and progress."""

    def __init__(self, run):
        self.run = run
        self.rep = run.rep
        self.violations = int(run.counter("violations") or 0)
        self.records = run.violation_records
        self.hung = run.hung
        self.stuck = [("%s-%s" % (t.get("role", "?"), t.get("index", "?")), t.get("doing") or "")
                      for t in run.threads if t.get("stuck")]
        self.stuck_roles = {t.get("role", "?") for t in run.threads if t.get("stuck")}
        self.counters = {k: v for k, v in run.strategy_counters.items()
                         if isinstance(v, (int, float)) and not isinstance(v, bool)}
        self.params = run.params


class Cell:
    """One (environment, kernel, scenario, variant, strategy): its runs and
    the repetitions that left no result file."""

    def __init__(self, key, runs):
        self.key = key
        self.environment, self.kernel, self.scenario, self.variant, self.strategy = key
        self.facts = [RunFacts(r) for r in sorted(runs, key=lambda r: (
            r.rep if isinstance(r.rep, int) else 0, r.path))]
        self.crashes = []       # (rep, what)
        self.unsafe = any(r.context.get("strategy_known_unsafe") for r in runs)

    @property
    def label(self):
        return self.scenario + (" [%s]" % self.variant if self.variant else "")

    @property
    def violations(self):
        return sum(f.violations for f in self.facts)

    @property
    def hung(self):
        return [f for f in self.facts if f.hung]

    def counter_totals(self):
        out = {}
        for f in self.facts:
            for k, v in f.counters.items():
                out[k] = out.get(k, 0) + v
        return out


def read_logs(root):
    """{(scenario, strategy): {rep: what}} from the *.log files at the top of @root."""
    out = {}
    try:
        names = sorted(n for n in os.listdir(root) if n.endswith(".log"))
    except OSError:
        return out
    for name in names:
        try:
            with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = LOG_LINE.match(line.strip())
                    if m and (m.group("rep") is not None or m.group("what").startswith("cannot run")):
                        rep = int(m.group("rep")) if m.group("rep") is not None else "?"
                        out.setdefault((m.group("scenario"), m.group("strategy")), {})[
                            rep] = m.group("what")
        except OSError:
            continue
    return out


def collect(runs, root):
    """(cells, unsafe names, other crashes).  cells: {(env, kernel, scenario,
    variant): {strategy: Cell}} for every scenario where a known-unsafe
    strategy ran or crashed, holding it and the strategies it is set
    against."""
    by_key = {}
    for r in runs:
        by_key.setdefault((r.environment, r.kernel, r.scenario, r.variant, r.strategy), []).append(r)
    all_cells = {k: Cell(k, v) for k, v in by_key.items()}
    unsafe = sorted({c.strategy for c in all_cells.values() if c.unsafe})
    logs = read_logs(root)

    # Missing repetitions, with what the log says about them.
    for c in all_cells.values():
        reps = [f.run.context.get("reps") for f in c.facts]
        want = max([n for n in reps if isinstance(n, int)] or [0])
        have = {f.rep for f in c.facts}
        said = logs.get((c.scenario, c.strategy), {})
        for rep in range(want):
            if rep not in have:
                c.crashes.append((rep, said.get(rep, said.get("?", "no result file"))))
    # Log lines of scenario/strategy pairs with no result file at all.
    seen = {(c.scenario, c.strategy) for c in all_cells.values()}
    other = []
    for (scenario, strategy), reps in sorted(logs.items()):
        if (scenario, strategy) in seen:
            continue
        if strategy in unsafe:
            # The place of the scenario's other runs: the same variant when
            # there is only one (a sweep elsewhere gives every run of the
            # scenario its swept parameter), else none.
            variants = sorted({k[3] for k in all_cells if k[0] == "userspace" and k[2] == scenario})
            key = ("userspace", "", scenario, variants[0] if len(variants) == 1 else "", strategy)
            c = all_cells[key] = Cell(key, [])
            c.unsafe = True
            c.crashes = sorted(reps.items(), key=lambda kv: str(kv[0]))
        else:
            other += ["%s/%s rep %s: %s" % (scenario, strategy, rep, what)
                      for rep, what in sorted(reps.items(), key=lambda kv: str(kv[0]))]

    cells = {}
    for c in all_cells.values():
        if c.unsafe:
            cells.setdefault(c.key[:4], {})[c.strategy] = c
    for place, per in cells.items():
        for c in all_cells.values():
            if c.key[:4] == place and c.strategy not in per:
                wanted = {seedexplain.CORRECTED.get(u) for u in per if u in unsafe}
                generic = any(u not in seedexplain.CORRECTED for u in per if u in unsafe)
                if c.strategy in wanted or (generic and c.strategy not in unsafe):
                    per[c.strategy] = c
    return cells, unsafe, other


# ---- html --------------------------------------------------------------------

def _violation_text(rec):
    parts = [str(rec.get("kind", "violation"))]
    for key, label in (("vpn", "vpn"), ("pfn", "pfn")):
        if key in rec:
            parts.append("%s %s" % (label, rec[key]))
    if "device_gen" in rec and "page_gen" in rec:
        parts.append("device holds generation %s, page is at %s" % (rec["device_gen"], rec["page_gen"]))
    if rec.get("committer"):
        parts.append("committed by %s" % rec["committer"])
    if rec.get("invalidator") == "earlier":
        # workloads/mm.c: found at the commit, the page already freed
        parts.append("the page was invalidated and freed before the commit")
    elif rec.get("invalidator"):
        parts.append("invalidated by %s" % rec["invalidator"])
    if rec.get("detail"):
        parts.append(str(rec["detail"]))
    return ", ".join(parts)


def _runs_cell(c):
    n = len(c.facts) + len(c.crashes)
    bits = []
    if c.hung:
        bits.append('<span class="hung">%d hung</span>' % len(c.hung))
    if c.crashes:
        bits.append('<span class="bad">%d crashed / no file</span>' % len(c.crashes))
    return "%d%s" % (n, (" (" + ", ".join(bits) + ")") if bits else "")


def _violations_cell(c):
    if not c.violations:
        return "0"
    with_v = [f for f in c.facts if f.violations]
    out = '<span class="bad">%d</span> in %d of %d runs' % (c.violations, len(with_v), len(c.facts))
    first = next((f for f in with_v if f.records), None)
    if first:
        out += "<br>first recorded (rep %s): <code>%s</code>" % (
            esc(first.rep), esc(_violation_text(first.records[0])))
        if len(first.records) > 1:
            out += ' <span class="ci">(+%d more kept)</span>' % (len(first.records) - 1)
    return out


def _hung_cell(c):
    if not c.hung:
        return "none"
    out = []
    for f in c.hung[:MAX_HUNG_SHOWN]:
        threads = "; ".join("%s: %s" % (name, doing or "between operations") for name, doing in f.stuck)
        out.append("rep %s: <code>%s</code>" % (esc(f.rep), esc(threads or "no stuck thread recorded")))
    if len(c.hung) > MAX_HUNG_SHOWN:
        out.append('<span class="ci">+%d more hung runs</span>' % (len(c.hung) - MAX_HUNG_SHOWN))
    return "<br>".join(out)


def _crash_cell(c):
    if not c.crashes:
        return "none"
    return "<br>".join("rep %s: <code>%s</code>" % (esc(rep), esc(what)) for rep, what in c.crashes)


def _counters_cell(c):
    tot = c.counter_totals()
    shown = ["%s %s" % (k, "%g" % v) for k, v in sorted(tot.items()) if v]
    if shown:
        return "<code>%s</code>" % esc(", ".join(shown))
    return "all 0" if tot else "–"


def _evidence(cells, strategy):
    """{mechanism ident: {"shown": [(cell, rep)], "possible": [...]}}."""
    out = {}
    for per in cells.values():
        c = per.get(strategy)
        if not c:
            continue
        for m in seedexplain.mechanisms(strategy):
            for f in c.facts:
                level = m.evidence(f)
                if level:
                    out.setdefault(m.ident, {"shown": [], "possible": []})[level].append((c, f.rep))
    return out


def _categories(c):
    cats = []
    if c.violations:
        cats.append("violation")
    if c.hung:
        cats.append("hang")
    if c.crashes:
        cats.append("crash")
    return cats


def _explained_cell(c, strategy):
    marks = []
    for m in seedexplain.mechanisms(strategy):
        levels = {m.evidence(f) for f in c.facts} - {None}
        if "shown" in levels:
            marks.append('<a href="#finding-%s-%s">%s</a>' % (esc(strategy), m.ident, esc(m.title)))
        elif "possible" in levels:
            marks.append('<a href="#finding-%s-%s">%s</a> <span class="ci">(possibly)</span>'
                         % (esc(strategy), m.ident, esc(m.title)))
    if marks or not _categories(c):
        return "<br>".join(marks) or "–"
    if not seedexplain.mechanisms(strategy):
        return '<span class="ci">no explanation written for this strategy</span>'
    return '<span class="ci">no written explanation matches these counters</span>'



def _where(items):
    seen = {}
    for c, rep in items:
        seen.setdefault(c.label, []).append(rep)
    return ", ".join("%s (rep %s)" % (esc(label), ", ".join(esc(r) for r in reps))
                     for label, reps in seen.items())


def _trace_html(steps):
    out = ['<ol class="trace">']
    for who, what in steps:
        who_html = "<code>%s</code> " % esc(who) if who else "⇒ "
        out.append("<li>%s%s</li>" % (who_html, esc(what)))
    out.append("</ol>")
    return "\n".join(out)


def _model_trails(m, model, strategy):
    if not m.model_checks:
        pml = seedexplain.MODELS.get(strategy)
        mine = [c for c in (model or {}).get("checks") or [] if pml and c.get("model") == pml]
        also = ""
        if mine:
            also = (' <a href="#model-check">The model checks</a> cover %s in checks %s.'
                    % (esc(pml), esc(", ".join(str(c.get("number", c.get("id"))) for c in mine))))
        return ('<p class="ci">No spin check is written for this mechanism; the trace follows the '
                "port's theory of operation, %s.%s</p>" % (esc(seedexplain.source(strategy)), also))
    if not model or not model.get("checks"):
        return ('<p class="ci">spin shows it: checks %s of <code>make model-check</code> '
                "(no model-check summary was given to this report).</p>"
                % esc(", ".join(m.model_checks)))
    by_id = {c.get("id"): c for c in model["checks"]}
    out = []
    for ident in m.model_checks:
        c = by_id.get(ident)
        if not c:
            out.append('<p class="ci">check %s: not in the model-check summary.</p>' % esc(ident))
            continue
        verdict = "as expected" if c.get("ok") else "NOT as expected"
        trail = "\n".join(c.get("trail") or []) or "(no trail)"
        out.append("<details><summary>spin counterexample, check %s <code>%s</code>: %s, %s "
                   "(model-check run of %s)</summary>%s%s</pre></details>"
                   % (esc(c.get("number", "?")), esc(ident), esc(c.get("outcome", "?")), esc(verdict),
                      esc(model.get("started", "?")), PRE, esc(trail)))
    return "\n".join(out)


def _env_label(env, kernel):
    return env + (" " + kernel if kernel else "")


def _summary_line(cells, strategy):
    mine = [per[strategy] for per in cells.values() if strategy in per]
    nruns = sum(len(c.facts) + len(c.crashes) for c in mine)
    v = [c for c in mine if c.violations]
    h = [c for c in mine if c.hung]
    x = [c for c in mine if c.crashes]
    return ("%s: %d runs in %d scenarios; invariant violations in %d (%d in all), hangs in %d "
            "(%d hung runs), crashes in %d."
            % (_strategy(strategy), nruns, len(mine), len(v), sum(c.violations for c in v),
               len(h), sum(len(c.hung) for c in h), len(x)))


def section_html(runs, root, model=None):
    """The whole section, as HTML."""
    cells, unsafe, other = collect(runs, root)
    out = ['<h2 id="seed-vs-corrected">The seed as published vs corrected</h2>']
    if not unsafe:
        out.append('<p class="skip">No known-unsafe strategy ran in these results, so there are no '
                   "findings to show (<code>make report</code> runs them; by hand: "
                   "<code>snapbench run --scenario default --strategy rangelock-2015</code>).</p>")
        if other:
            out.append("<p>Crashes recorded in the logs: <code>%s</code></p>" % esc("; ".join(other)))
        return "\n".join(out)
    against = []
    for u in unsafe:
        corr = seedexplain.CORRECTED.get(u)
        against.append("%s against %s" % (_strategy(u), _strategy(corr) if corr else
                                          "every other strategy in the same scenarios"))
    out.append("<p>Known-unsafe strategies are historical designs kept to show how they fail; "
               "they are never recommended. Each is set against its corrected design (%s). "
               "Everything below except the explanations is read from this run's result files: "
               "the invariant checker's violations, the watchdog's <code>rep-N.hung.json</code> "
               "files with what each stuck thread was doing, and repetitions that left no result "
               "file (crashes, from the run logs).</p>" % "; ".join(against))
    out.append("<ul>%s</ul>" % "".join("<li>%s</li>" % _summary_line(cells, u) for u in unsafe))
    corrected = sorted({c.strategy for per in cells.values() for c in per.values() if not c.unsafe})
    for s in corrected:
        mine = [per[s] for per in cells.values() if s in per]
        out.append("<p>%s in the same scenarios: %d runs, %d invariant violations, %d hung runs, "
                   "%d crashes.</p>" % (_strategy(s), sum(len(c.facts) + len(c.crashes) for c in mine),
                                        sum(c.violations for c in mine),
                                        sum(len(c.hung) for c in mine),
                                        sum(len(c.crashes) for c in mine)))

    envs = sorted({k[:2] for k in cells})
    for env, kernel in envs:
        out.append("<h3>Findings per scenario — %s</h3>" % esc(_env_label(env, kernel)))
        out.append('<table class="findings"><tr><th>scenario</th><th>strategy</th><th>runs</th>'
                   "<th>invariant violations</th><th>hangs: what each stuck thread was doing</th>"
                   "<th>crashes</th><th>strategy counters (sum)</th><th>explained by</th></tr>")
        for place in sorted(k for k in cells if k[:2] == (env, kernel)):
            per = cells[place]
            order = [s for s in unsafe if s in per] + sorted(s for s in per if s not in unsafe)
            for s in order:
                c = per[s]
                out.append("<tr><td>%s</td><td>%s%s</td><td class=\"num\">%s</td><td>%s</td><td>%s</td>"
                           "<td>%s</td><td>%s</td><td>%s</td></tr>"
                           % (esc(c.label), _strategy(s),
                              ' <span class="ci">known unsafe</span>' if c.unsafe else "",
                              _runs_cell(c), _violations_cell(c), _hung_cell(c), _crash_cell(c),
                              _counters_cell(c), _explained_cell(c, s) if c.unsafe else "–"))
        out.append("</table>")

    for u in unsafe:
        ev = _evidence(cells, u)
        mechs = seedexplain.mechanisms(u)
        found = [m for m in mechs if m.ident in ev]
        out.append("<h3>What %s's findings mean, and the interleavings behind them</h3>" % _strategy(u))
        if found:
            out.append('<p class="ci">"Shown in": the run has the outcome, and its own counters '
                       "(or stuck threads) record this mechanism happening, or it is the only one "
                       "written here that leads to that outcome. \"Possibly\": the run has the "
                       "outcome, but its counters cannot tell this mechanism from another one. A "
                       "run can show several.</p>")
        for m in found:
            e = ev[m.ident]
            out.append('<h4 id="finding-%s-%s">Finding: %s</h4>' % (esc(u), m.ident, esc(m.title)))
            where = []
            if e["shown"]:
                where.append("<b>shown in</b> %s" % _where(e["shown"]))
            if e["possible"]:
                where.append("<b>possibly also in</b> %s" % _where(e["possible"]))
            out.append("<p><b>Outcome:</b> %s. %s.</p>" % (esc(m.outcome), "; ".join(where)))
            out.append("<p>%s</p>" % esc(m.explanation))
            out.append("<p>The interleaving:</p>" + _trace_html(m.trace))
            out.append(_model_trails(m, model, u))
        # Findings no written mechanism accounts for.
        loose = []
        for per in cells.values():
            c = per.get(u)
            if not c:
                continue
            explained = set()
            for m in mechs:
                if any(m.evidence(f) for f in c.facts):
                    explained.update(m.kinds)
            for cat in _categories(c):
                if cat not in explained:
                    loose.append((cat, c))
        if loose:
            out.append("<h4>Findings without a written explanation</h4><ul>")
            for cat in ("violation", "hang", "crash"):
                where = [c.label for k, c in loose if k == cat]
                if not where:
                    continue
                title, text = seedexplain.CATEGORIES[cat]
                out.append("<li><b>%s</b> in %s. %s No interleaving is written for them%s.</li>"
                           % (esc(title), esc(", ".join(where)), esc(text),
                              "" if mechs else " (add one in reports/snapreport_lib/seedexplain.py)"))
            out.append("</ul>")
        missing = [m for m in mechs if m.ident not in ev]
        if missing:
            out.append('<p class="ci">Explained but not seen in these results: %s.</p>'
                       % esc("; ".join(m.title for m in missing)))
        if not found and not loose:
            out.append("<p>%s ran without violations, hangs or crashes in these results.</p>"
                       % _strategy(u))
    if other:
        out.append("<p>Other crashes recorded in the logs: <code>%s</code></p>" % esc("; ".join(other)))
    return "\n".join(out)

