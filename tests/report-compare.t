#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-compare.t - `snapreport compare` on SYNTHETIC result sets: verdicts
# and exit status for a regression, an improvement, noise, violations, hangs.

import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402

tmp = tempdir("report-compare.")
S = ["--scenarios", "baseline,numa-storm,reclaim-try"]
sets = {
    "base": ["--seed", "1"] + S,
    "regress": ["--seed", "1", "--profile", "regress"] + S,
    "improve": ["--seed", "1", "--profile", "improve"] + S,
    "noise": ["--seed", "4"] + S,
    "violations": ["--seed", "1", "--violations", "rangelock"] + S,
    "hung": ["--seed", "1", "--hung", "baseline/seqretry/3"] + S,
    "base3": ["--seed", "1", "--reps", "3"] + S,
    "regress3": ["--seed", "1", "--reps", "3", "--profile", "regress"] + S,
}
with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(lambda kv: make_results(os.path.join(tmp, kv[0]), *kv[1]), sets.items()))
D = {k: os.path.join(tmp, k) for k in sets}


def compare(base, new, *flags):
    js = os.path.join(tmp, "%s-%s.json" % (base, new))
    rc, so, se = run(SNAPREPORT, "compare", D[base], D[new], "--json", js, *flags)
    rows = json.load(open(js)) if os.path.exists(js) else {"rows": []}
    return rc, so, se, rows["rows"]


def verdicts(rows, strategy=None, headline=True):
    return {(r["group"][2], r["metric"]): r["verdict"] for r in rows
            if (strategy is None or r["group"][4] == strategy) and (r["headline"] or not headline)}


rc, so, se, rows = compare("base", "regress")
ok(rc == 1, "clear regression: exit 1", so + se)
v = verdicts(rows)
ok(v.get(("numa-storm", "ttm_p99_ns")) == "worse" or
   verdicts(rows, "seqretry").get(("numa-storm", "ttm_p99_ns")) == "worse",
   "regression: seqretry's time to mirror p99 is worse", so)
ok(all(x == "no significant change" for x in verdicts(rows, "rangelock").values()),
   "regression: rangelock, unchanged, has no verdict but no significant change", so)
ok(verdicts(rows, "seqretry").get(("baseline", "passes_per_s")) == "worse",
   "regression: fewer passes per second is worse (higher is better)", so)

rc, so, se, rows = compare("base", "improve")
ok(rc == 0, "clear improvement: exit 0", so + se)
vs = verdicts(rows, "seqretry")
ok(vs.get(("numa-storm", "ttm_p99_ns")) == "better" and vs.get(("numa-storm", "passes_per_s")) == "better",
   "improvement: seqretry ttm p99 and passes/s are better", so)
ok("worse" not in verdicts(rows).values(), "improvement: nothing worse", so)

rc, so, se, rows = compare("base", "noise")
ok(rc == 0, "noise only: exit 0", so + se)
ok(set(verdicts(rows).values()) == {"no significant change"},
   "noise only: every headline metric 'no significant change'", so)
ok(len(rows) > 20 and all(0 <= r["p"] <= 1 for r in rows if "p" in r), "noise only: p-values in [0, 1]")

rc, so, se, rows = compare("base", "regress", "--threshold", "1000")
ok(rc == 0, "a regression below the minimum effect (1000%) is not a failure", so)
rc, so, se, rows = compare("base", "regress", "--alpha", "0.0001")
ok(rc == 0, "a regression above alpha 0.0001 (exact p >= 2/12870) is not significant", so)

rc, so, se, rows = compare("base", "violations")
ok(rc == 1 and "correctness failure" in so, "violations in NEW: exit 1, named a correctness failure", so)
rc, so, se, rows = compare("base", "hung")
ok(rc == 1 and "hung" in so, "a hung run in NEW: exit 1", so)

rc, so, se, rows = compare("base3", "regress3")
ok(rc == 0 and "nothing can be significant" in so,
   "3 vs 3 repetitions: no exact p below 0.1, so no verdict and a note saying so", so)
ok("(normal, n=3/3)" not in so, "3 vs 3 with ties: exact, never the normal approximation", so)

# bad input: exit 2, one line on stderr naming the problem
empty = os.path.join(tmp, "empty")
os.makedirs(empty)
rc, so, se = run(SNAPREPORT, "compare", D["base"], os.path.join(tmp, "missing"))
ok(rc == 2 and "missing" in se and "no such directory" in se and len(se.strip().splitlines()) == 1,
   "missing directory: exit 2, one line naming it", se)
rc, so, se = run(SNAPREPORT, "compare", empty, D["base"])
ok(rc == 2 and "no result files" in se, "directory without results: exit 2", se)
bad = os.path.join(tmp, "bad", "baseline", "seqretry")
os.makedirs(bad)
with open(os.path.join(bad, "rep-0.json"), "w") as f:
    f.write('{"context": {"scenario": "baseline", ')
rc, so, se = run(SNAPREPORT, "compare", D["base"], os.path.join(tmp, "bad"))
ok(rc == 2 and "rep-0.json" in se and "malformed JSON" in se and len(se.strip().splitlines()) == 1,
   "malformed JSON: exit 2, one line naming the file", se)
with open(os.path.join(bad, "rep-0.json"), "w") as f:
    json.dump({"context": {"scenario": "baseline"}, "benchmarks": []}, f)
rc, so, se = run(SNAPREPORT, "compare", D["base"], os.path.join(tmp, "bad"))
ok(rc == 2 and "rep-0.json" in se and "strategy" in se, "context without a strategy: exit 2", se)
rc, so, se = run(SNAPREPORT, "compare", D["base"])
ok(rc == 2 and se.startswith("snapreport:"), "missing argument: exit 2", se)
rc, so, se = run(SNAPREPORT, "compare", D["base"], D["noise"], "--alpha", "2")
ok(rc == 2 and "alpha" in se, "alpha out of range: exit 2", se)

# Benjamini-Hochberg, by hand: p sorted .005 .01 .03 .04 .5 (m = 5) give
# p*m/rank .025 .025 .05 .05 .5, already monotone, so those are the q-values.
from snapreport_lib import compare  # noqa: E402
rows = [{"p": p, "change_pct": 10.0, "better": "lower", "headline": True, "verdict": "x"}
        for p in (0.01, 0.04, 0.03, 0.005, 0.5)]
compare.adjust(rows, 0.05, 5.0, "none")
ok([round(r["q"], 12) for r in rows] == [0.025, 0.05, 0.05, 0.025, 0.5] and
   {r["verdict"] for r in rows} == {"x"}, "BH q-values by hand; --correction none keeps p's verdicts",
   [r["q"] for r in rows])
# monotone step-up: p .02 .021 (m = 2) -> .04 and .021*2/2 = .021: q(.02) = min(.04, .021)
rows = [{"p": p, "change_pct": 10.0, "better": "lower", "headline": True} for p in (0.02, 0.021)]
compare.adjust(rows, 0.05, 5.0, "bh")
ok([round(r["q"], 12) for r in rows] == [0.021, 0.021] and all(r["verdict"] == "worse" for r in rows),
   "BH is step-up: a smaller p never gets a larger q", [r["q"] for r in rows])
# the family is the headline metrics: asking for more metrics changes no headline verdict
rows = [{"p": 0.01, "change_pct": 10.0, "better": "lower", "headline": True}] + \
       [{"p": 0.9, "change_pct": 1.0, "better": "lower", "headline": False} for _ in range(50)]
compare.adjust(rows, 0.05, 5.0, "bh")
ok(rows[0]["q"] == 0.01 and rows[0]["verdict"] == "worse",
   "non-headline metrics are a family of their own", rows[0])
rc_bh, so_bh, _ = run(SNAPREPORT, "compare", D["base"], D["regress"])
rc_none, so_none, _ = run(SNAPREPORT, "compare", D["base"], D["regress"], "--correction", "none")
ok("p < 0.05 (no correction)" in so_none and "Benjamini-Hochberg q < 0.05" in so_bh
   and rc_bh == 1 and rc_none == 1,
   "the header says which rule decided the verdicts", so_none[:600])
rc, so, se = run(SNAPREPORT, "compare", D["base"], D["noise"], "--correction", "holm")
ok(rc == 2 and "--correction" in se, "unknown --correction: exit 2", se)

# compare DIR --sweep KEY=A,B: the two points of one sweep, as two directories.
def as_point(src, dst, key, value):
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".json"):
                continue
            doc = json.load(open(os.path.join(dirpath, f)))
            ctx = doc["context"]
            ctx["sweep"] = {"param": key, "value": value}
            ctx["scenario_params"][key] = int(value)
            d = os.path.join(dst, "%s@%s=%s" % (ctx["scenario"], key, value), ctx["strategy"])
            os.makedirs(d, exist_ok=True)
            json.dump(doc, open(os.path.join(d, f), "w"))


SW = os.path.join(tmp, "sweep")
as_point(D["base"], SW, "mirror.device_work_ns", "200")
as_point(D["regress"], SW, "mirror.device_work_ns", "220")
js = os.path.join(tmp, "sweep-dirs.json")
rc, so, se = run(SNAPREPORT, "compare", D["base"], D["regress"], "--json", js)
rows = json.load(open(js))["rows"] if os.path.exists(js) else []
js = os.path.join(tmp, "sweep.json")
rc2, so2, se2 = run(SNAPREPORT, "compare", SW, "--sweep", "mirror.device_work_ns=200,220",
                    "--json", js)
rows2 = json.load(open(js))["rows"] if os.path.exists(js) else []
ok(rc2 == rc == 1 and verdicts(rows2) == verdicts(rows) and len(rows2) == len(rows),
   "compare DIR --sweep KEY=A,B: the verdicts of comparing A and B as two directories", so2 + se2)
rc, so, se = run(SNAPREPORT, "compare", SW, "--sweep", "mirror.device_work_ns=220,200")
m = re.search(r"summary: (\d+) headline metrics worse, (\d+) better", so)
ok(rc == 0 and m and m.group(1) == "0" and int(m.group(2)) > 0,
   "--sweep KEY=B,A: the other way round, an improvement", so[-300:] + se)
for bad, why in ((["--sweep", "mirror.device_work_ns=200,300"], "no run at mirror.device_work_ns=300"),
                 (["--sweep", "mirror.device_work_ns=200"], "expected KEY=BASE,NEW"),
                 (["--sweep", "mirror.device_work_ns=200,200"], "expected KEY=BASE,NEW"),
                 ([D["base"], "--sweep", "mirror.device_work_ns=200,220"], "one DIR")):
    rc, so, se = run(SNAPREPORT, "compare", SW, *bad)
    ok(rc == 2 and why in se and len(se.strip().splitlines()) == 1,
       "compare DIR %s: exit 2, '%s'" % (" ".join(bad), why), se)
done()
