#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-verdicts.t - one decision rule for every verdict (verdicts.py), on
# SYNTHETIC results: verdicts.json per scenario and question, BH over the
# whole report, constant metrics not evidence, "undecided" when n cannot
# decide, the Pareto front never contradicting the pick, known-unsafe
# strategies never judged, and compare staying quiet on them.

import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402
from snapreport_lib import metrics, verdicts  # noqa: E402
from snapreport_lib.results import group_runs, load_runs  # noqa: E402

tmp = tempdir("report-verdicts.")
S = ["--scenarios", "baseline,munmap-storm,reclaim-try,hot-range"]
make_results(os.path.join(tmp, "r8"), "--seed", "1", "--reps", "8", "--unsafe", "rangelock-2015", *S)
make_results(os.path.join(tmp, "r3"), "--seed", "1", "--reps", "3", *S)
make_results(os.path.join(tmp, "r8b"), "--seed", "2", "--reps", "8", "--unsafe", "rangelock-2015",
             "--hung", "munmap-storm/rangelock-2015/0", *S)

out = os.path.join(tmp, "html")
rc, so, se = run(SNAPREPORT, "html", os.path.join(tmp, "r8"), "--out", out)
path = os.path.join(out, "verdicts.json")
doc = json.load(open(path)) if os.path.exists(path) else {"scenarios": [], "rule": {}}
ok(rc == 0 and doc["scenarios"], "html writes verdicts.json beside index.html", se)
qs = set(metrics.QUESTIONS) | {"overall"}
ok(all(set(s["questions"]) == qs and all(v["verdict"] in ("pick", "trade-off", "undecided", "none")
                                          for v in s["questions"].values())
       for s in doc["scenarios"]),
   "every scenario has a verdict per question (driver, cpu, overall)")
ok(doc["rule"].get("correction", "").startswith("benjamini-hochberg over every test")
   and doc["rule"]["tests"] > 10, "the rule: BH over every test of the report", doc["rule"])
picks = [(s["scenario"], v) for s in doc["scenarios"] for v in [s["questions"]["overall"]]
         if v["verdict"] == "pick"]
ok(picks and all(v["evidence"] and re.search(r"q = \S+", v["evidence"][0]) for _, v in picks),
   "a pick carries its evidence with p and q", picks[:1])

# Every test in the report, and the q that decided it: the family is the
# whole report, so one scenario's q depends on the others' p.
groups = group_runs(load_runs(os.path.join(tmp, "r8")))
rule = verdicts.evaluate(groups)
one = verdicts.Rule([g for g in groups if g.scenario == "hot-range"])
t_all = [t for t in rule.tests if t["scenario"][2] == "hot-range"]
ok(len(one.tests) < len(rule.tests) and
   any(abs(a["q"] - b["q"]) > 1e-12 for a, b in zip(t_all, one.tests)),
   "BH over the whole report: hot-range's q values depend on the other scenarios' tests")
ok(all(t["q"] >= t["p"] for t in rule.tests), "q >= p for every test")

# Constant by construction: rangelock never misses a deadline (synthetic).
const = [k for k in rule.constant if k[1] == "deadline_miss_ratio"]
ok(any(s == "rangelock" for s, _ in const) and
   not any(t["metric"] == "deadline_miss_ratio" and "rangelock" in (t["a"], t["b"]) for t in rule.tests),
   "a metric constant for a strategy over the report is not tested", const)
ok(any("not evidence" in x for s in doc["scenarios"] for x in s["questions"]["overall"]["not_evidence"]),
   "verdicts.json names what was not evidence")

# Known-unsafe strategies: shown, never judged.
ok(not any("rangelock-2015" in (t["a"], t["b"]) for t in rule.tests) and
   all(any("rangelock-2015: known unsafe" in x for x in s["questions"]["overall"]["excluded"])
       for s in doc["scenarios"]),
   "known-unsafe strategies are never tested, and say so")

# The Pareto front and the pick cannot contradict each other.
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
contradictions = []
rows = re.findall(r"<tr><td>([^<]*)</td><td><span[^>]*>([^<]*)</span></td>(?:(?!</tr>).)*<td>(on the front|dominated)</td></tr>",
                  page, re.S)
front = {(s, st): f for s, st, f in rows}
for scen, v in picks:
    for p in v["picks"]:
        if front.get((scen, p)) == "dominated":
            contradictions.append((scen, p))
ok(rows and not contradictions, "no picked strategy is marked dominated on the Pareto table (%d points)"
   % len(rows), contradictions)

# The answer first: the first section is the verdict table with a plot per
# scenario, and every section after it is folded.
first_h2 = re.search(r"<h2[^>]*>([^<]*)</h2>", page)
answers = page[page.find('<h2 id="answers">'):page.find("</table>", page.find('<h2 id="answers">'))]
ok(first_h2 and first_h2.group(1) == "Answers" and "<img " in answers and
   all(s["scenario"] in answers for s in doc["scenarios"]),
   "the page opens with the answers: every scenario's verdict and a plot")
rest = page[page.find("</table>", page.find('<h2 id="answers">')):]
ok(re.search(r"<h2", re.sub(r"<details.*?</details>", "", rest, flags=re.S)) is None,
   "everything after the answers is folded in <details>")

# Few repetitions: undecided, honestly, with the reason.
rule3 = verdicts.evaluate(group_runs(load_runs(os.path.join(tmp, "r3"))))
v3 = [rule3.verdict(k) for k in rule3.scenarios]
ok(all(v["verdict"] == "undecided" and "run more" in v["text"] for v in v3),
   "3 against 3: every scenario undecided, saying more runs are needed", [v["text"] for v in v3])

# compare on two sets where the known-unsafe strategy hung in one: no regression.
rc, so, se = run(SNAPREPORT, "compare", os.path.join(tmp, "r8"), os.path.join(tmp, "r8b"))
ok(rc == 0 and "not judged (known unsafe)" in so and "runs hung" not in so,
   "compare: a known-unsafe strategy is shown but never a regression (exit %d)" % rc, so[-1500:])
# n/a is missing, never 0: a run with no pass (status no-progress, null
# latencies) is counted as failed and left out; no report fails on it.
import shutil  # noqa: E402
np_dir = os.path.join(tmp, "np")
shutil.copytree(os.path.join(tmp, "r8"), np_dir)
f = os.path.join(np_dir, "baseline", "seqretry", "rep-0.json")
d = json.load(open(f))
b = d["benchmarks"][0]
for k in list(b):
    if k.startswith(("ttm_", "real_time", "cpu_time")) or k in ("retries_per_pass_mean", "deadline_miss_ratio"):
        b[k] = None
b.update(passes=0, iterations=0, passes_per_s=0.0, error_occurred=True, error_message="no progress")
d["context"]["status"] = "no-progress"
d["snapbench"]["histograms"]["time_to_mirror_ns"] = {"unit": "ns", "count": 0, "min": 0, "max": 0,
                                                     "sum": 0, "overflow": 0, "buckets": []}
json.dump(d, open(f, "w"))
f = os.path.join(np_dir, "munmap-storm", "rangelock", "rep-2.json")
d = json.load(open(f))
d["benchmarks"][0]["ops.munmap"] = 0
for p in ("p50", "p90", "p99", "p999", "max"):
    d["benchmarks"][0]["oplat_%s_ns.munmap" % p] = None
json.dump(d, open(f, "w"))
rc1, so1, se1 = run(SNAPREPORT, "summarize", np_dir)
rc2, so2, se2 = run(SNAPREPORT, "compare", os.path.join(tmp, "r8"), np_dir)
rc3, so3, se3 = run(SNAPREPORT, "html", np_dir, "--out", os.path.join(tmp, "np-html"))
base = so1[so1.find("== userspace baseline seqretry"):]
ok(rc1 == 0 and "NO PROGRESS in 1 of 8 runs" in base and "(n=7)" in base.split("\n")[0],
   "summarize: the no-progress run is flagged and left out (n=7)", so1[:800] + se1)
ok("1 of 8 NEW runs made no progress" in so2 and "counted in passes/s" in so2.lower(),
   "compare: a no-progress run in NEW is named, and counted in passes/s (exit %d)" % rc2,
   so2[-800:] + se2)
v = json.load(open(os.path.join(tmp, "np-html", "verdicts.json"))) if rc3 == 0 else {"scenarios": []}
bl = [s for s in v["scenarios"] if s["scenario"] == "baseline"]
ok(rc3 == 0 and bl and any("seqretry: 1 of 8 runs made no progress" in x
                           for x in bl[0]["questions"]["overall"]["failed_runs"]),
   "html: the verdict names the strategy's failed run", se3)
page3 = open(os.path.join(tmp, "np-html", "index.html"), encoding="utf-8").read() if rc3 == 0 else ""
ok(re.search(r"rangelock</span>: the munmap storm completed no operation in 1 of 8 runs", page3),
   "html: a storm that completed no operation says so")
g = [g for g in group_runs(load_runs(np_dir)) if g.scenario == "baseline" and g.strategy == "seqretry"][0]
ok(len(verdicts.values(g, "passes_per_s")) == 8 and 0.0 in verdicts.values(g, "passes_per_s")
   and len(verdicts.values(g, "ttm_p99_ns")) == 7,
   "verdicts count the failed run's passes/s of 0, never its n/a latency")

# Paired by block (blocks.py, the alternative reports/noise-designs measures
# against the rule): runs of one invocation in shuffled rounds
# (context.order) pair by repetition index.  A host whose speed drifts
# tenfold over the rounds hides a steady +10% from Mann-Whitney; per block
# it is plain.
from snapreport_lib import blocks  # noqa: E402
from snapreport_lib.results import Group  # noqa: E402


class FakeRun:
    def __init__(self, rep, value, order="shuffled"):
        self.rep, self.path, self.boot, self.batch = rep, "rep-%d.json" % rep, None, None
        self.failed = self.hung = False
        self.host_state, self.host_judged = None, True     # one host state: not probed
        self.context = {"order": order} if order else {}
        self._v = value

    def counter(self, name):
        return self._v if name == "cpu_time" else None

    def counter_names(self):
        return ["cpu_time"]


def fake_group(strategy, vals, order="shuffled", reps=None):
    reps = range(len(vals)) if reps is None else reps
    return Group(("userspace", "", "baseline", "", strategy),
                 [FakeRun(k, v, order) for k, v in zip(reps, vals)])


drift = [1000.0 * (k + 1) for k in range(10)]
gx, gy = fake_group("x", drift), fake_group("y", [v * 1.1 for v in drift])
t = blocks.test(gx, gy, "cpu_time")
ok(t["pairs"] == 10 and t["test"] == "signed-rank exact" and abs(t["p"] - 2 / 1024.0) < 1e-12
   and abs(t["change_pct"] - 10.0) < 1e-9,
   "paired: +10% in each of 10 blocks, p = 2/1024, change +10%", t)
ux, uy = fake_group("x", drift, order=None), fake_group("y", [v * 1.1 for v in drift], order=None)
u = blocks.test(ux, uy, "cpu_time")
ok(u["pairs"] is None and u["test"].startswith("exact") and u["p"] > 0.5,
   "without shuffled rounds: unpaired Mann-Whitney, and the drift hides the change", u)
r = verdicts.test(gx, gy, "cpu_time")
ok(r["test"] == "exact" and abs(r["p"] - u["p"]) < 1e-12 and abs(r["min_p"] - 2 / 184756.0) < 1e-15,
   "the rule's test is Mann-Whitney whatever the order (smallest p 2/C(20, 10))", r)
part = blocks.paired_values(fake_group("x", drift[:6]), fake_group("y", drift[2:], reps=range(2, 10)),
                              "cpu_time")
ok(part == (drift[2:6], drift[2:6]), "pairs only the repetitions both sides measured", part)
dup = Group(("userspace", "", "baseline", "", "x"), [FakeRun(0, 1.0), FakeRun(0, 2.0)])
ok(blocks.paired_values(dup, fake_group("y", [1.0]), "cpu_time") is None,
   "two runs of one repetition: not paired")

# Near a threshold (alpha 0.05, minimum effect 5%, factor 2): q in [0.025,
# 0.1) with |change| >= 5%, or significant with |change| in [2.5%, 10%).
nr = verdicts.Rule([])
for q, ch, win, want in ((0.03, 20.0, "x", True), (0.07, -20.0, None, True), (0.2, 20.0, None, False),
                         (0.001, 6.0, "x", True), (0.001, 30.0, "x", False), (0.001, 3.0, None, True),
                         (0.04, 2.0, None, False)):
    t = {"q": q, "change_pct": ch, "winner": win, "a": "x", "b": "y", "label": "m"}
    ok(nr.near(t) == want, "q = %g, change %+g%%: %s threshold" % (q, ch, "near a" if want else "far from the"))
ok("q = 0.03" in nr.near_text({"q": 0.03, "change_pct": 20.0, "winner": "x", "a": "x", "b": "y", "label": "m"}),
   "the near-threshold text names q")
done()
