# SPDX-License-Identifier: GPL-2.0
# modelcheck.py - the report's model-check section: reads the summary.json
# that strategies/model/check writes (`make model-check`, default
# build/model/summary.json) and shows one row per check.
"""The summary (schema snapbench-model-check/1) holds, per check: id,
model, kind (safety, watch, cycle), defines, expected (holds, cycle,
finding), outcome, ok, stats, seconds and the condensed trail (the
`spin -t` replay reduced to the models' step lines).  This module only
reads it; `snapreport html DIR --model-check FILE` passes the file.  A
missing file is a note in the report (the checks were not run); a file
that is not such a summary is bad input."""

import datetime
import json

from .markup import esc
from .results import InputError

SCHEMA = "snapbench-model-check/1"
TRAIL_HEAD, TRAIL_TAIL = 2, 3
PRE = '<pre style="white-space: pre-wrap; margin: 4px 0">'     # trails wrap inside tables

PROPERTY = {
    "safety": "safety: no stale device PTE after an invalidation ended; no deadlock",
    "watch": "no thread sleeps forever (the model's watchdog judges end states)",
    "cycle": "liveness: a mirror pass completes, under weak fairness",
}


def load(path):
    """The summary as a dict, {"missing": path} when the file is absent,
    or None when no path was given.  Raises InputError on a bad file."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        return {"missing": path}
    except json.JSONDecodeError as e:
        raise InputError("%s: malformed JSON: %s" % (path, e)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError("%s: cannot read: %s" % (path, e)) from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or not isinstance(doc.get("checks"), list):
        raise InputError("%s: not a model-check summary (schema %s, from strategies/model/check)"
                         % (path, SCHEMA))
    for c in doc["checks"]:
        if not isinstance(c, dict) or not isinstance(c.get("id"), str):
            raise InputError("%s: a check without an id" % path)
    doc["path"] = path
    return doc


def result_word(check):
    """"pass" when the search completed without error, else "counterexample"
    (or what went wrong)."""
    outcome = check.get("outcome", "")
    if outcome == "holds":
        return "pass"
    if outcome in ("non-progress cycle", "assertion violated", "invalid end state"):
        return "counterexample (%s)" % outcome
    return outcome or "not run"


def trail_summary(trail):
    """A few steps of a condensed trail: a cycle's repeating part, or the
    first and last steps up to the finding."""
    if not trail:
        return []
    if any(s.startswith("<<<") for s in trail):
        i = next(i for i, s in enumerate(trail) if s.startswith("<<<"))
        cycle = trail[i + 1:]
        return ["cycle:"] + cycle[:4] + (["… (%d more steps, repeating)" % (len(cycle) - 4)]
                                         if len(cycle) > 4 else [])
    if len(trail) <= TRAIL_HEAD + TRAIL_TAIL + 1:
        return list(trail)
    return trail[:TRAIL_HEAD] + ["… (%d steps)" % (len(trail) - TRAIL_HEAD - TRAIL_TAIL)] + \
        trail[-TRAIL_TAIL:]


def _age(started):
    try:
        t = datetime.datetime.fromisoformat(started)
    except (TypeError, ValueError):
        return ""
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    hours = (datetime.datetime.now(datetime.timezone.utc) - t).total_seconds() / 3600.0
    if hours < 1:
        minutes = int(round(max(hours * 60, 0)))
        return "%d minute%s before this report" % (minutes, "" if minutes == 1 else "s")
    if hours < 48:
        return "%.1f hours before this report" % hours
    return "%.0f days before this report" % (hours / 24)


def _config(check):
    d = check.get("defines") or {}
    return " ".join("%s=%s" % kv for kv in sorted(d.items())) or "–"


def per_model_html(checks):
    """One line per model: what its checks found, in words."""
    models = []
    for c in checks:
        if c.get("model") not in models:
            models.append(c.get("model"))
    items = []
    for model in models:
        mine = [c for c in checks if c.get("model") == model]
        bits = []
        for kind, label in (("safety", "safety"), ("watch", "no thread sleeps forever"),
                            ("cycle", "liveness")):
            ck = [c for c in mine if c.get("kind") == kind]
            if not ck:
                continue
            words = {}
            for c in ck:
                w = result_word(c)
                words[w] = words.get(w, 0) + 1
            bits.append("%s: %s" % (label, ", ".join(
                "%s%s" % ("%d× " % n if n > 1 else "", w) for w, n in words.items())))
        bad = [c for c in mine if not c.get("ok")]
        verdict = ("all %d as expected" % len(mine) if not bad else
                   '<span class="bad">%d of %d not as expected</span>' % (len(bad), len(mine)))
        items.append("<li><code>%s</code>: %s — %s</li>" % (esc(model), esc("; ".join(bits)), verdict))
    return "<ul>%s</ul>" % "".join(items) if items else ""


def section_html(doc, revisions=()):
    """The section.  @revisions: snapbench revisions of the results, to say
    when the models were checked at another one."""
    out = ['<h2 id="model-check">Model checks (spin)</h2>']
    if doc is None:
        out.append('<p class="skip">No model-check results were given to this report '
                   "(<code>make model-check</code> writes build/model/summary.json; "
                   "<code>snapreport html DIR --model-check FILE</code> shows it).</p>")
        return "\n".join(out)
    if "missing" in doc:
        out.append('<p class="skip">No model-check results: %s does not exist '
                   "(run <code>make model-check</code>).</p>" % esc(doc["missing"]))
        return "\n".join(out)
    checks = doc["checks"]
    passed = sum(1 for c in checks if c.get("ok"))
    started = doc.get("started", "?")
    age = _age(started)
    rev = doc.get("git_revision")
    out.append("<p>Promela models in strategies/model/, checked by spin "
               "(<code>strategies/model/check</code>, <code>make model-check</code>). "
               "<b>%d of %d checks came out as expected.</b> These results were produced "
               "%s%s at revision <code>%s</code> with %s in %s s, and read from <code>%s</code>.</p>"
               % (passed, len(checks), esc(started), " (%s)" % esc(age) if age else "",
                  esc(rev or "?"), esc(doc.get("spin") or "spin"), esc(doc.get("total_seconds", "?")),
                  esc(doc.get("path", "?"))))
    other = sorted({r for r in revisions if r and rev and not str(r).startswith(rev)})
    if other:
        out.append('<p class="warn">The models were checked at revision <code>%s</code>; the '
                   "benchmark results come from <code>%s</code>. Re-run <code>make model-check</code> "
                   "if the models changed in between.</p>" % (esc(rev), esc(", ".join(other))))
    if passed < len(checks):
        out.append('<div class="alarm"><b>%d model check(s) did not come out as expected</b>: a '
                   "model or the design it models regressed.</div>" % (len(checks) - passed))
    out.append(per_model_html(checks))
    out.append("<p>A check expects <i>holds</i> (spin searched the whole state space of the "
               "instance and found no error), <i>cycle</i> (a documented starvation: a "
               "non-progress cycle) or <i>finding</i> (a documented defect of the 2015 seed: an "
               "assertion fails and the trail shows the interleaving). Trails are spin's "
               "counterexamples reduced to the models' steps (<code>M</code> mirrors, "
               "<code>I</code> invalidations); the full ones are in the model-check output "
               "directory.</p>")
    out.append("<table><tr><th>#</th><th>model</th><th>property</th><th>configuration</th>"
               "<th>expected</th><th>result</th><th>as expected</th><th>states</th><th>s</th>"
               "<th>what it shows; trail in a few steps</th></tr>")
    for c in checks:
        stats = c.get("stats") or {}
        summary = trail_summary(c.get("trail") or [])
        trail = ""
        if summary:
            trail = "%s%s</pre>" % (PRE, esc("\n".join(summary)))
            if len(c.get("trail") or []) > len(summary):
                trail += "<details><summary>whole trail (%d steps)</summary>%s%s</pre></details>" % (
                    len(c["trail"]), PRE, esc("\n".join(c["trail"])))
        ok = c.get("ok")
        out.append("<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td><code>%s</code></td>"
                   "<td>%s</td><td>%s</td><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                   "<td>%s%s</td></tr>"
                   % (esc(c.get("number", "")), esc(c.get("model", "?")),
                      esc(PROPERTY.get(c.get("kind"), c.get("kind", "?"))), esc(_config(c)),
                      esc(c.get("expected", "?")), esc(result_word(c)),
                      "yes" if ok else '<span class="bad">NO</span>',
                      esc(stats.get("states_stored", "–")), esc(c.get("seconds", "–")),
                      esc(c.get("description", c.get("id"))), trail))
    out.append("</table>")
    return "\n".join(out)
