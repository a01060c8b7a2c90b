# SPDX-License-Identifier: GPL-2.0
# html.py - `snapreport html DIR --out OUTDIR`: one self-contained report
# directory, index.html (inline CSS, no scripts) beside its PNG/SVG plots.

import datetime
import json
import math
import os
import sys

from . import claims, fidelity, findings, metrics, modelcheck, plots, recommend, stats, \
    tradeoff, verdicts, versions
from .markup import esc, figure as figure_html, fold, strategy as _strategy
from .results import InputError, group_runs, host_states, load_runs

CSS = """
body { font: 15px/1.45 "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222;
       max-width: 1340px; margin: 0 auto; padding: 0 18px 60px; }
details { margin: 6px 0; border: 1px solid #e2e2e2; padding: 4px 10px; }
summary { cursor: pointer; padding: 4px 0; }
table.answers td { font-size: 13px; }
img.thumb { width: 240px; height: auto; border: 1px solid #e2e2e2; }
.tablewrap { max-width: 100%; overflow-x: auto; }
h1 { font-size: 26px; margin: 24px 0 4px; }
h2 { font-size: 21px; margin-top: 38px; border-bottom: 2px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 17px; margin: 26px 0 6px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13.5px; max-width: 100%; }
th, td { border: 1px solid #d4d4d4; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td, th { overflow-wrap: anywhere; }
.ci { color: #666; font-size: 12px; }
.strategy { font-weight: bold; }
.alarm { background: #fde8e6; border: 3px solid #c0231a; color: #7a130d; padding: 10px 16px;
         margin: 16px 0; font-size: 16px; }
.alarm h2 { border: 0; margin: 4px 0; color: #a11; }
.warn { background: #fff4de; border: 2px solid #d98a10; padding: 8px 14px; margin: 14px 0; }
.synthetic { background: #ececec; border: 2px dashed #777; padding: 8px 14px; margin: 14px 0;
             font-weight: bold; }
.rec { border-left: 5px solid #2e8b3a; background: #f2f9f3; padding: 6px 12px; margin: 8px 0; }
.rec.none { border-color: #999; background: #f6f6f6; }
.rec.tradeoff { border-color: #d98a10; background: #fff8ec; }
.rec ul { margin: 4px 0; }
.question { font-style: italic; color: #333; margin: 18px 0 4px; }
figure { margin: 0 0 18px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e2e2e2; }
figcaption { font-size: 12px; color: #666; }
.skip { color: #8a5a00; font-size: 13px; }
.hung { color: #fff; background: #b35c00; padding: 1px 6px; border-radius: 3px; font-weight: bold; }
.bad { color: #fff; background: #c0231a; padding: 1px 6px; border-radius: 3px; font-weight: bold; }
code { font-size: 12.5px; }
"""


def _env_label(env, kernel):
    return env + (" " + kernel if kernel else "")


def _distinct(runs, key):
    vals = []
    for r in runs:
        v = r.context.get(key)
        v = "–" if v is None else v
        if isinstance(v, dict):
            v = ", ".join("%s: %s" % kv for kv in sorted(v.items()))
        if v not in vals:
            vals.append(v)
    return vals


def environment_html(runs):
    rows = [("environment", "environment"), ("kernel", "kernel"), ("accelerator", "accelerator"),
            ("CPU", "cpu_model"), ("topology", "topology"), ("placement", "placement"),
            ("host", "host_name"), ("snapbench revision", "snapbench_revision"),
            ("command line", "command_line"), ("first start", None)]
    out = ['<table class="env">']
    for label, key in rows:
        if key is None:
            starts = sorted(str(r.context.get("start_time", "")) for r in runs)
            vals = [starts[0] + " … " + starts[-1]] if starts else ["–"]
            label = "start times"
        else:
            vals = _distinct(runs, key)
        shown = vals[:6]
        more = " (+%d more)" % (len(vals) - 6) if len(vals) > 6 else ""
        out.append("<tr><th>%s</th><td>%s%s</td></tr>" % (
            esc(label), "<br>".join("<code>%s</code>" % esc(v) for v in shown), esc(more)))
    out.append("</table>")
    return "\n".join(out)


def _known_unsafe(g):
    return any(r.context.get("strategy_known_unsafe") for r in g.runs)


def _unsafe_note(groups):
    """One line for the known-unsafe strategies' expected findings, which
    the section "The seed as published vs corrected" (findings.py) shows."""
    bad = [g for g in groups if _known_unsafe(g) and (g.violations > 0 or g.hung)]
    if not bad:
        return ""
    names = []
    for g in bad:
        if g.strategy not in names:
            names.append(g.strategy)
    return ('<p class="skip">Known-unsafe strategies (%s), historical designs kept to show how '
            "they fail, had %d invariant violations and %d hung runs, as expected: "
            '<a href="#seed-vs-corrected">the seed as published vs corrected</a> explains them. '
            "They are never recommended.</p>"
            % (", ".join(_strategy(n) for n in names), sum(g.violations for g in bad),
               sum(g.hung for g in bad)))


def violations_html(groups):
    bad = [g for g in groups if g.violations > 0 and not _known_unsafe(g)]
    if not bad:
        return _unsafe_note(groups)
    out = ['<div class="alarm"><h2>Correctness failure: invariant violations</h2>',
           "<p>A device PTE still mapped a page after its invalidation ended. "
           "These strategies are incorrect in these runs; their performance numbers do not matter "
           "until this is fixed.</p><ul>"]
    for g in bad:
        rec = next((v for r in g.runs for v in r.violation_records), None)
        detail = ""
        if rec:
            detail = " — first: <code>%s</code>" % esc(", ".join("%s=%s" % kv for kv in rec.items()))
        out.append("<li>%s in %s (%s): <b>%d violations</b> over %d runs%s</li>" % (
            _strategy(g.strategy), esc(g.scenario_label), esc(_env_label(g.environment, g.kernel)),
            g.violations, len(g.runs), detail))
    out.append("</ul></div>")
    return "\n".join(out) + _unsafe_note(groups)


def hung_html(groups):
    hung = [(g, r) for g in groups for r in g.runs if r.hung and not _known_unsafe(g)]
    if not hung:
        return ""
    out = ['<div class="warn"><b><span class="hung">HUNG</span> runs: the watchdog stopped '
           "them; their partial numbers are left out of every statistic.</b><ul>"]
    for g, r in hung:
        out.append("<li>%s in %s (%s), rep %s: <code>%s</code></li>" % (
            _strategy(g.strategy), esc(g.scenario_label), esc(_env_label(g.environment, g.kernel)),
            esc(r.rep), esc(r.path)))
    out.append("</ul></div>")
    return "\n".join(out)


def summary_table(sgroups):
    names = []
    for g in sgroups:
        for m in g.metrics:
            if m.headline and m.name not in names:
                names.append(m.name)
    names.sort(key=metrics.order_key)
    out = ["<table><tr><th>metric (better)</th>"]
    for g in sgroups:
        flags = ""
        if g.hung:
            flags += ' <span class="hung">HUNG %d/%d</span>' % (g.hung, len(g.runs))
        if g.violations:
            flags += ' <span class="bad">%d VIOLATIONS</span>' % g.violations
        out.append("<th>%s <span class=\"ci\">n=%d</span>%s</th>" % (_strategy(g.strategy), g.n, flags))
    out.append("</tr>")
    for name in names:
        m = metrics.lookup(name)
        out.append("<tr><td>%s <span class=\"ci\">(%s)</span></td>" % (esc(m.label), esc(m.better or "–")))
        for g in sgroups:
            s = g.summary(name) if name != "violations" else None
            if name == "violations":
                v = g.violations
                cell = '<span class="bad">%d</span>' % v if v else "0"
                out.append('<td class="num">%s</td>' % cell)
            elif s:
                out.append('<td class="num">%s <span class="ci">[%s, %s]</span></td>' % (
                    esc(metrics.format_value(s[0], m.unit)), esc(metrics.format_value(s[1], m.unit)),
                    esc(metrics.format_value(s[2], m.unit))))
            else:
                out.append('<td class="num">n/a</td>')
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def idle_storms_html(sgroups):
    """A storm that completed no operation in a run says so (its latencies
    are n/a in that run, never 0)."""
    out = []
    for g in sgroups:
        kinds = sorted({n.partition(".")[2] for r in g.runs for n in r.bench
                        if n.startswith("ops.")})
        for kind in kinds:
            idle = [r for r in g.runs if r.counter("ops." + kind) == 0]
            if idle:
                out.append("<li>%s: the %s storm completed no operation in %d of %d runs; its "
                           "latencies there are n/a</li>"
                           % (_strategy(g.strategy), esc(kind), len(idle), len(g.runs)))
    return '<ul class="skip">%s</ul>' % "".join(out) if out else ""


def rec_html(rec):
    cls = {"pick": "rec", "tradeoff": "rec tradeoff", "none": "rec none"}[rec.kind]
    head = esc(rec.text)
    for p in rec.picks:
        head = head.replace(esc(p), _strategy(p), 1)
    out = ['<div class="%s"><b>%s</b>' % (cls, head)]
    if rec.evidence:
        out.append("<br>evidence:<ul>%s</ul>" % "".join("<li>%s</li>" % esc(e) for e in rec.evidence))
    if rec.excluded:
        out.append('<br><span class="bad">excluded</span> %s' % esc("; ".join(rec.excluded)))
    if rec.not_evidence:
        out.append('<br><span class="ci">not evidence: %s</span>' % esc("; ".join(rec.not_evidence)))
    out.append("</div>")
    return "\n".join(out)


VERDICT_CLASS = {"pick": "rec", "trade-off": "rec tradeoff", "undecided": "rec none", "none": "rec none"}


def answers_html(rule, sections, figs, warnings=None):
    """The first screen: per scenario the verdict of each question, the
    numbers that decide it, and a small time-to-mirror plot; @warnings
    ({(scenario, variant): text}) qualify a userspace scenario's verdict
    where the model disagrees with a kernel (fidelity.scenario_warnings())."""
    if not sections:
        return ""
    thumbs = {p.ident: p for p in figs if p.png}
    out = ['<h2 id="answers">Answers</h2>',
           '<p class="ci">Per scenario: the verdict on driver progress and on the CPU side, and '
           "overall, by one rule (Benjamini-Hochberg over all %d tests of this report, q &lt; %g and a "
           "change of at least %g%%; <a href=\"verdicts.json\">verdicts.json</a>); "
           "the numbers that decide it (for a pick, its strongest win over each strategy not picked); "
           "time to mirror by percentile. Details below, folded.</p>"
           % (len(rule.tests), rule.alpha, rule.min_effect_pct),
           '<table class="answers"><tr><th>scenario</th><th>verdict</th><th>driver progress</th>'
           "<th>CPU side</th><th>deciding numbers</th><th>time to mirror</th></tr>"]
    for env, kernel, anchor, sg, rec in sections:
        skey = sg[0].key[:4]
        cells = []
        for q in ("overall", "driver", "cpu"):
            v = rule.verdict(skey, q)
            cells.append('<td class="%s">%s</td>' % (VERDICT_CLASS[v["verdict"]], esc(v["text"])))
        warn = (warnings or {}).get((sg[0].scenario, sg[0].variant)) if env == "userspace" else None
        if warn:
            cells[0] = cells[0][:-len("</td>")] + '<br><span class="bad">%s</span></td>' % esc(
                "model vs kernel: " + warn)
        v = rule.verdict(skey, "overall")
        nums = v["deciding"][:3] or v["excluded"][:2]
        ident = "%s-%s-ttm" % (plots.slug(_env_label(env, kernel)), plots.slug(sg[0].scenario_label))
        img = thumbs.get(ident)
        out.append('<tr><td><a href="#%s">%s</a>%s</td>%s<td class="ci">%s</td><td>%s</td></tr>' % (
            anchor, esc(sg[0].scenario_label),
            "" if (env, kernel) == ("userspace", "") else " <span class=\"ci\">(%s)</span>"
            % esc(_env_label(env, kernel)),
            "".join(cells), "<br>".join(esc(x) for x in nums) or "–",
            '<img class="thumb" src="%s" alt="%s">' % (esc(img.png), esc(img.title)) if img else "–"))
    out.append("</table>")
    return "\n".join(out)


def method_html(alpha, effect):
    return ("<p>Each number is the <b>median over repetitions</b> (for a kernel run with "
            "<code>--boots N</code>, over boots, each boot the median of its repetitions); "
            "brackets are a distribution-free interval of that median from order statistics, "
            "with at least 95%% coverage (for n &lt;= 5 no such interval exists: the brackets are "
            "then the range, min to max, which covers the median with probability 1 − 2<sup>1−n</sup>, "
            "75%% at n = 3); n/a: no completed run measured it (a run with no mirror pass failed: its "
            "latencies are n/a and left out, its passes/s of 0 counts in the verdicts). Differences use a percentile bootstrap (%d resamples, fixed seed %d). Two "
            "strategies differ significantly when the two-sided Mann-Whitney U test over "
            "repetitions (exact permutation distribution without ties and up to %d "
            "runs in all; with ties, exact by enumerating every split of the mid-ranks while there "
            "are at most %d splits; otherwise the normal approximation with tie correction and "
            "continuity correction), corrected by Benjamini-Hochberg over every test of this report "
            "(q &lt; %g), <i>and</i> the medians differ by at least %g%%. Only the headline metrics of "
            "each question are tested (driver progress: passes/s, CPU time per pass, "
            "time-to-mirror p99, deadline-miss ratio; CPU side: invalidation stall p99 per "
            "source); a metric constant for a strategy over "
            "the whole report (0 by construction) is not evidence; known-unsafe strategies are shown "
            "but never judged. The recommendations, the Pareto front and <code>verdicts.json</code> "
            "use this one rule (reports/snapreport_lib/verdicts.py). Percentiles come from "
            "the runs' log-linear histograms by the rule of harness/RESULTS.md. Hung runs are shown "
            "but left out of the statistics.</p>"
            % (stats.BOOT_RESAMPLES, stats.BOOT_SEED, stats.EXACT_MAX_N,
               stats.EXACT_TIES_MAX_SPLITS, alpha, effect))


def host_html(host):
    """The host's usual state and the runs in its other one (results.host_states())."""
    usual, other = host or (None, 0)
    if usual is None:
        return ""
    return ("<p>Host: a cache line's round trip between two CPUs took %.0f ns as usual "
            "(harness/probe.c, before and after every run)%s.</p>"
            % (usual, "; %d runs ran while the host was in its other state (on this "
               "suite's 2-core VMs, for seconds at a time, a round trip about three times "
               "shorter, in which the strategies run two to three times faster, not alike): "
               "every test compares runs within one state" % other if other else ""))


def build(groups, runs, outdir, source, alpha, effect, model=None, baseline=None, correction="bh",
          host=None):
    rule = verdicts.evaluate(groups, alpha, effect)   # first: every part below shares it
    figs = plots.make_all(groups, outdir)
    env_keys = sorted({(g.environment, g.kernel) for g in groups})
    synthetic = any(r.context.get("synthetic") for r in runs)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>snapbench report</title>", "<style>%s</style></head><body>" % CSS,
             "<h1>snapbench report</h1>",
             "<p>%d runs from <code>%s</code>, %d groups; generated %s.</p>" % (
                 len(runs), esc(source), len(groups),
                 datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))]
    if synthetic:
        parts.append('<div class="synthetic">SYNTHETIC DATA: these results were written by '
                     "reports/testdata/make_results.py for tests; they are not measurements.</div>")
    parts += [host_html(host), violations_html(groups), hung_html(groups)]
    parts.append('<p>Design-review evidence: <a href="#seed-vs-corrected">the seed as published vs '
                 'corrected</a>%s · <a href="#model-check">model checks</a></p>'
                 % "".join(' · <a href="#%s">does hybrid reach its goal (%s)?</a>'
                           % (tradeoff.anchor(e, k), esc(_env_label(e, k))) for e, k in env_keys))
    parts.append("<h2>Recommendations</h2>")
    sections = []
    for env, kernel in env_keys:
        eg = [g for g in groups if (g.environment, g.kernel) == (env, kernel)]
        scen = []
        for g in eg:
            if (g.scenario, g.variant) not in scen:
                scen.append((g.scenario, g.variant))
        parts.append("<h3>%s</h3><table><tr><th>scenario</th><th>recommendation</th></tr>"
                     % esc(_env_label(env, kernel)))
        for scenario, variant in scen:
            sg = [g for g in eg if (g.scenario, g.variant) == (scenario, variant)]
            rec = recommend.recommend(sg)
            anchor = plots.slug("%s-%s-%s" % (_env_label(env, kernel), scenario, variant))
            parts.append('<tr><td><a href="#%s">%s</a></td><td>%s</td></tr>' % (
                anchor, esc(sg[0].scenario_label), rec_html(rec)))
            sections.append((env, kernel, anchor, sg, rec))
    parts.append("</table>" if env_keys else "")
    rec_start = parts.index("<h2>Recommendations</h2>")
    recs = "\n".join(p for p in parts[rec_start + 1:] if p)
    del parts[rec_start:]
    fid, _ = fidelity.pairings(groups, alpha, effect)
    warnings = fidelity.scenario_warnings(fid)
    parts.append(answers_html(rule, sections, figs, warnings))
    parts.append(fold("<b>Recommendations with their evidence</b>", recs, "recommendations"))
    parts.append(fold("<b>Design review: the seed as published, its claims measured, the model checks</b>",
                      findings.section_html(runs, source, model) + "\n" + claims.section_html(runs) + "\n" +
                      modelcheck.section_html(model, {r.context.get("snapbench_revision") for r in runs})))
    parts.append(fold("<b>How these numbers were made</b>", method_html(alpha, effect)))
    parts.append(fold("<b>Environment</b>", environment_html(runs)))
    for env, kernel in env_keys:
        where = _env_label(env, kernel)
        ek = plots.slug(where)
        body = []
        for p in figs:
            if p.section == "overview" and p.ident.startswith(ek + "-"):
                body.append(figure_html(p))
                if p.ident == ek + "-pareto":
                    body.append(tradeoff.section_html(groups, env, kernel))
        parts.append(fold("<b>Overview — %s</b>: sweeps, reclaim, the Pareto front, does hybrid "
                          "reach its goal" % esc(where), "\n".join(body)))
    parts.append(fold("<b>Across kernel versions</b>",
                      versions.section_html(groups, outdir, alpha, effect, baseline, correction)))
    parts.append(fold("<b>Userspace model against the kernel</b>", fidelity.section_html(groups, alpha, effect)))
    for env, kernel, anchor, sg, rec in sections:
        label = sg[0].scenario_label
        body = ['<h2 id="%s">%s — %s</h2>' % (anchor, esc(label), esc(_env_label(env, kernel)))]
        desc = sg[0].runs[0].params.get("scenario.description")
        if desc:
            body.append("<p>%s</p>" % esc(desc))
        body.append(rec_html(rec))
        body.append(summary_table(sg))
        body.append(idle_storms_html(sg))
        prefix = "%s-%s-" % (plots.slug(_env_label(env, kernel)), plots.slug(label))
        for p in figs:
            if p.section == label and p.ident.startswith(prefix):
                body.append(figure_html(p))
        body[0] = ""        # the title goes into the summary
        parts.append(fold("<b>%s%s</b> — %s: %s" % ("sweep point " if sg[0].variant else "", esc(label),
                                                  esc(_env_label(env, kernel)), esc(rec.text)),
                          "\n".join(body), anchor))
    parts.append("</body></html>")
    doc = rule.to_json()
    for entry in doc["scenarios"]:
        w = warnings.get((entry["scenario"], entry["variant"])) if entry["environment"] == "userspace" else None
        if w:
            entry["fidelity_warning"] = w
    if fid:
        doc["fidelity"] = fidelity.agreement(fid)
    if host and host[0] is not None:
        doc["host"] = {"usual_handoff_ns": host[0], "runs_in_other_state": host[1]}
    write_json(os.path.join(outdir, "verdicts.json"), doc)
    path = os.path.join(outdir, "index.html")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(p for p in parts if p) + "\n")
    os.replace(tmp, path)
    return path


def write_json(path, doc):
    """@doc as JSON at @path, atomically; infinities as strings."""
    def clean(v):
        if isinstance(v, float) and math.isinf(v):
            return "+inf" if v > 0 else "-inf"
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(clean(doc), f, indent=1, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)


def run(args, out):
    if not 0 < args.alpha < 1:
        raise InputError("--alpha must be between 0 and 1, not %g" % args.alpha)
    runs = load_runs(args.dir)
    host = host_states(runs)
    groups = group_runs(runs)
    os.makedirs(args.out, exist_ok=True)
    model = modelcheck.load(getattr(args, "model_check", None))
    if model and "missing" in model:   # the report says so too; make report runs on without it
        sys.stderr.write("snapreport: warning: --model-check %s: no such file; the report says "
                         "the model checks were not run\n" % model["missing"])
    path = build(groups, runs, args.out, args.dir, args.alpha, args.threshold, model,
                 getattr(args, "baseline", None), args.correction, host)
    out.write("%s\n" % path)
    return 0
