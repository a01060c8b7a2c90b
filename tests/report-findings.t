#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-findings.t - the report's "seed as published vs corrected" section
# and its model-check table, on SYNTHETIC result sets: findings present
# when the result files hold them, absent when they do not.

import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402
import make_results as synth  # noqa: E402

tmp = tempdir("report-findings.")
REPS = 3
sets = {
    "seed": ["--seed", "1", "--reps", str(REPS), "--unsafe", "rangelock-2015,validflag"],
    "clean": ["--seed", "1", "--reps", str(REPS), "--scenarios", "baseline,munmap-storm,hot-range"],
    "generic": ["--seed", "2", "--reps", str(REPS), "--scenarios", "baseline,munmap-storm",
                "--unsafe", "made-up-1999"],
    "crash-only": ["--seed", "3", "--reps", "1", "--scenarios", "baseline,mixed",
                   "--unsafe", "rangelock-2015"],
}
with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(lambda kv: make_results(os.path.join(tmp, kv[0]), *kv[1]), sets.items()))
D = {k: os.path.join(tmp, k) for k in sets}

# A model-check summary in strategies/model/check's format: one check that
# holds, one expected counterexample, one that did not come out as expected.
TRAIL = ["M0: range_lock: list_add range 1, wait for notifier_count == 0 (now 0)",
         "I0: invalidate_range_start, stack range 2", "I0: overlaps range 1",
         "I0: list_add range 2; range 1->waiting = 2; sleep until woken",
         "M0: range_lock returns", "M0: snapshot CPU PTE page 0 = v1",
         "M0: commit device PTE page 0 = v1",
         "I0: woken: returns early (no notifier_count++, no update, range 2 stays listed)",
         "FINDING stale-pte: invalidation of page 0 v1 ended, device still maps v1"]
model = {
    "schema": "snapbench-model-check/1", "started": "2024-01-02T03:04:05+00:00",
    "total_seconds": 12.5, "git_revision": "abc1234", "spin": "Spin Version 6.5.2",
    "passed": 2, "failed": 1,
    "checks": [
        {"id": "rangelock-safety", "number": 1, "model": "rangelock.pml", "kind": "safety",
         "defines": {"NPAGE": 2}, "expected": "holds", "outcome": "holds", "ok": True,
         "stats": {"states_stored": 4242}, "seconds": 1.1, "trail": [],
         "description": "rangelock: safety holds (synthetic)"},
        {"id": "rangelock2015-stale-early-return", "number": 2, "model": "rangelock2015.pml",
         "kind": "safety", "defines": {"STALE_KIND": 1}, "expected": "finding",
         "outcome": "assertion violated", "ok": True, "stats": {"states_stored": 77},
         "seconds": 0.9, "trail": TRAIL, "description": "rangelock-2015: stale PTE (synthetic)"},
        {"id": "seqretry-starvation", "number": 3, "model": "seqretry.pml", "kind": "cycle",
         "defines": {"LIVE": 1}, "expected": "cycle", "outcome": "holds", "ok": False,
         "stats": {}, "seconds": 1.0, "trail": [], "description": "seqretry: cycle (synthetic)"},
    ],
}
model_path = os.path.join(tmp, "model-summary.json")
with open(model_path, "w") as f:
    json.dump(model, f)


def html(name, *extra):
    out = os.path.join(tmp, "html-" + name + ("-" + str(len(extra)) if extra else ""))
    rc, so, se = run(SNAPREPORT, "html", D[name], "--out", out, *extra)
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
    return rc, page, se


def section(page):
    m = re.search(r'<h2 id="seed-vs-corrected">.*?(?=<h2)', page, re.S)
    return m.group(0) if m else ""


def row(sec, scenario, strategy):
    for tr in re.findall(r"<tr>(.*?)</tr>", sec, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        if len(cells) >= 2 and cells[0] == scenario and ">%s<" % strategy in cells[1]:
            return cells
    return None


jobs = {"seed": (), "clean": (), "generic": (), "crash-only": ()}
with ThreadPoolExecutor(max_workers=2) as pool:
    pages = dict(zip(jobs, pool.map(lambda k: html(k, "--model-check", model_path), jobs)))

# --- the seed's findings, present in the data -------------------------------
rc, page, se = pages["seed"]
sec = sec_seed = section(page)
page_seed = page
ok(rc == 0 and sec, "seed: html exit 0 and the section is there", se)
ok(page.index('id="seed-vs-corrected"') < page.index("How these numbers were made"),
   "seed: the section comes early, after the recommendations")

F = synth.SEED_FINDINGS
viol = {s: F[s].get("violations", 0) * REPS for s in F}
want_viol = sum(viol.values())
hung_scen = [s for s in F if F[s].get("hung")]
hung_runs = sum(REPS - len(F[s].get("crash_reps", [])) for s in hung_scen)
line = re.search(r"rangelock-2015</span>: (\d+) runs in (\d+) scenarios; invariant violations in (\d+) "
                 r"\((\d+) in all\), hangs in (\d+) \((\d+) hung runs\), crashes in (\d+)\.", sec)
ok(line and line.groups() == (str(REPS * len(synth.SCENARIOS)), str(len(synth.SCENARIOS)),
                              str(sum(1 for v in viol.values() if v)), str(want_viol),
                              str(len(hung_scen)), str(hung_runs),
                              str(sum(1 for s in F if F[s].get("crash_reps")))),
   "seed: the summary line counts what the files hold", line.group(0) if line else sec[:600])
ok(re.search(r"rangelock</span> in the same scenarios: %d runs, 0 invariant violations, 0 hung runs, "
             r"0 crashes" % (REPS * len(synth.SCENARIOS)), sec),
   "seed: the corrected rangelock, same scenarios: nothing found")

r = row(sec, "madvise-storm", "rangelock-2015")
ok(r and r[3].startswith('<span class="bad">%d</span> in %d of %d runs' % (viol["madvise-storm"], REPS, REPS))
   and "first recorded (rep 0): <code>stale-device-pte, vpn 7, pfn 9" in r[3],
   "seed: madvise-storm violations with the first recorded one", r)
ok(r and "mirror-0: mirror pass [64, 128) for 1.7 s; madvise-0: madvise [0, 0) for 1.7 s" in r[4],
   "seed: madvise-storm hang says what each stuck thread was doing", r)
ok(r and "early_returns %d" % REPS in r[6] and "notifier_count_underflows %d" % (3 * REPS) in r[6],
   "seed: the port's counters, summed", r)
r = row(sec, "madvise-storm", "rangelock")
ok(r and r[3] == "0" and r[4] == "none" and r[5] == "none", "seed: rangelock's madvise-storm row is clean", r)
r = row(sec, "baseline", "rangelock-2015")
ok(r and r[3] == "0" and r[4] == "none" and r[5] == "none" and r[7] == "–",
   "seed: baseline has no finding and nothing explains one", r)
r = row(sec, "mixed", "rangelock-2015")
ok(r and "1 crashed" in r[2] and "rep 0: <code>crashed: Segmentation fault</code>" in r[5],
   "seed: the crash (no result file; the log line) is in the mixed row", r)

for ident, where in (("early-return", "madvise-storm"), ("count-race", "hot-range"),
                     ("count-underflow", "madvise-storm"), ("left-behind", "numa-storm"),
                     ("nonblockable-sleep", "reclaim-block"), ("cow-self-deadlock", "mixed")):
    m = re.search(r'<h4 id="finding-rangelock-2015-%s">(.*?)(?=<h[234])' % ident, sec, re.S)
    ok(m and re.search(r"<b>shown in</b> [^<]*%s \(rep" % re.escape(where), m.group(1))
       and '<ol class="trace">' in m.group(1),
       "seed: finding %s explained, shown in %s, with its interleaving" % (ident, where),
       m.group(1)[:400] if m else None)
m = re.search(r'<h4 id="finding-rangelock-2015-count-race">(.*?)(?=<h4)', sec, re.S)
ok(m and "<b>possibly also in</b> madvise-storm" in m.group(1),
   "seed: violations with early returns could be either mechanism: 'possibly'")
m = re.search(r'<h4 id="finding-rangelock-2015-early-return">(.*?)(?=<h4)', sec, re.S)
ok(m and "spin counterexample, check 2 <code>rangelock2015-stale-early-return</code>: assertion violated, "
   "as expected" in m.group(1) and "returns early (no notifier_count++" in m.group(1),
   "seed: the early return's spin trail comes from the model-check summary")
ok("Findings without a written explanation" in sec and "<b>crashes</b> in mixed" in sec,
   "seed: a crash no mechanism explains is listed as such")

# --- validflag (Linux 5.2), beside the seed, against seqretry -----------------
storm = [x for x in synth.SCENARIOS if x != "baseline"]
line = re.search(r"validflag</span>: (\d+) runs in (\d+) scenarios; invariant violations in (\d+) "
                 r"\((\d+) in all\), hangs in (\d+) \((\d+) hung runs\), crashes in (\d+)\.", sec_seed)
ok(line and line.groups() == (str(REPS * len(synth.SCENARIOS)), str(len(synth.SCENARIOS)),
                              str(len(storm)), str(REPS * len(storm)), "0", "0", "0"),
   "validflag: its own summary line, counted from the files", line.group(0) if line else None)
ok("validflag</span> against <span" in sec_seed and ">seqretry</span> in the same scenarios: %d runs, "
   "0 invariant violations" % (REPS * len(synth.SCENARIOS)) in sec_seed,
   "validflag: set against seqretry, upstream's fix, which has no violations")
r = row(sec_seed, "munmap-storm", "validflag")
ok(r and "the page was invalidated and freed before the commit" in r[3]
   and "valid_after_invalidation %d" % REPS in r[6] and "finding-validflag-flag-race" in r[7],
   "validflag: munmap-storm's stale commits, its counters, explained by the flag race", r)
m = re.search(r'<h4 id="finding-validflag-flag-race">(.*?)(?=<h[234])', sec_seed, re.S)
ok(m and re.search(r"<b>shown in</b> [^<]*munmap-storm \(rep 0, 1, 2\)", m.group(1))
   and "hmm_range_valid(): true" in m.group(1) and "strategies/validflag.c" in m.group(1)
   and "baseline" not in re.sub(r"<ol.*?</ol>", "", m.group(1), flags=re.S),
   "validflag: the flag race shown where the violations are, with its trace",
   m.group(1)[:600] if m else None)
m = re.search(r'<h4 id="finding-validflag-mm-wide-wait">(.*?)(?=<h[234]|\Z)', sec_seed, re.S)
ok(m and re.search(r"<b>shown in</b> hot-range \(rep 0, 1, 2\)\.", m.group(1)),
   "validflag: the wait timeouts shown only where wait_timeouts moved (hot-range)",
   m.group(1)[:400] if m else None)
m = re.search(r'<h4 id="finding-validflag-flag-lost">(.*?)(?=<h[234]|\Z)', sec_seed, re.S)
ok(m and re.search(r"<b>shown in</b> mixed \(rep 0, 1, 2\)\.", m.group(1))
   and "reads range-&gt;valid once more: false" in m.group(1),
   "validflag: a flag lost after the wait shown only where wait_flag_lost moved (mixed)",
   m.group(1)[:400] if m else None)
top = page_seed[:page_seed.index('<h2 id="answers">')]
ok("Correctness failure" not in top and 'class="hung"' not in top
   and re.search(r"Known-unsafe strategies \(.*rangelock-2015.*validflag.*\).*had %d invariant "
                 r"violations and %d hung runs, as expected" % (want_viol + REPS * len(storm), hung_runs), top),
   "the top of the page: known-unsafe findings are a pointer to the section, not an alarm", top[-800:])

# --- nothing to find ----------------------------------------------------------
rc, page, se = pages["clean"]
sec = section(page)
ok(rc == 0 and "No known-unsafe strategy ran in these results" in sec,
   "clean: the section says there are no findings", se)
ok("Finding:" not in sec and "finding-" not in sec and "<table" not in sec,
   "clean: no finding, no table, no trace")
ok("Correctness failure" not in page, "clean: no violation banner either")

# --- a known-unsafe strategy without written explanations --------------------
rc, page, se = pages["generic"]
sec = section(page)
r = row(sec, "munmap-storm", "made-up-1999")
ok(rc == 0 and r and r[3].startswith('<span class="bad">%d</span>' % REPS)
   and "no explanation written for this strategy" in r[7],
   "generic: made-up-1999's violations listed, no explanation claimed", r)
ok(row(sec, "munmap-storm", "seqretry") and row(sec, "munmap-storm", "rangelock"),
   "generic: set against every other strategy of the scenario")
r = row(sec, "baseline", "made-up-1999")
ok(r and r[3] == "0", "generic: baseline (no invalidations) has no violations", r)
ok("<b>invariant violations</b> in munmap-storm." in sec and "Finding:" not in sec,
   "generic: violations listed as found without an explanation")

# --- every repetition of a scenario crashed -----------------------------------
rc, page, se = pages["crash-only"]
sec = section(page)
r = row(sec, "mixed", "rangelock-2015")
ok(rc == 0 and r and "crashed: Segmentation fault" in r[5],
   "crash-only: a scenario with no result file at all still shows its crash", r)

# --- the model-check table ---------------------------------------------------
rc, page, se = pages["seed"]
m = re.search(r'<h2 id="model-check">.*?(?=<h2)', page, re.S)
mc = m.group(0) if m else ""
ok("<b>2 of 3 checks came out as expected.</b>" in mc and "2024-01-02T03:04:05+00:00" in mc,
   "model-check: counts and when the results were produced")
rows = re.findall(r"<tr><td>(\d+)</td>(.*?)</tr>", mc, re.S)
ok(len(rows) == 3, "model-check: one row per check (%d)" % len(rows))
ok(rows and "<td>pass</td>" in rows[0][1] and "4242" in rows[0][1], "model-check: a check that holds: pass")
ok(len(rows) > 1 and "counterexample (assertion violated)" in rows[1][1]
   and "… (4 steps)" in rows[1][1] and "FINDING stale-pte" in rows[1][1]
   and "whole trail (9 steps)" in rows[1][1],
   "model-check: a counterexample with its trail in a few steps, the whole trail folded")
ok("<li><code>rangelock2015.pml</code>: safety: counterexample (assertion violated) — all 1 as expected</li>"
   in mc and '<li><code>seqretry.pml</code>: liveness: pass — <span class="bad">1 of 1 not as expected</span>'
   in mc, "model-check: one line per model says what its checks found", mc[:1500])
ok(len(rows) > 2 and '<span class="bad">NO</span>' in rows[2][1] and 'class="alarm"' in mc,
   "model-check: a check not as expected is flagged")

out = os.path.join(tmp, "html-nomodel")
rc, so, se = run(SNAPREPORT, "html", D["clean"], "--out", out, "--model-check", os.path.join(tmp, "absent.json"))
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
ok(rc == 0 and "absent.json does not exist" in page, "model-check: a missing summary is a note", se)
bad = os.path.join(tmp, "bad.json")
with open(bad, "w") as f:
    f.write('{"schema": "something else"}')
rc, so, se = run(SNAPREPORT, "html", D["clean"], "--out", out, "--model-check", bad)
ok(rc == 2 and "not a model-check summary" in se, "model-check: a file of another kind is exit 2", se)
done()
