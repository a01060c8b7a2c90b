#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-batches.t - verdicts only within a batch (context.batch: one
# `snapbench kernel` invocation, its boots interleaved), on SYNTHETIC kernel
# trees: day 1 boots 6.12.117 and 6.12.118 on a quiet host, day 2 boots
# 6.12.119 (and, tracking, 6.12.118 again) on a loaded host that makes every
# strategy slower.  Across days `trend` and `compare` refuse the verdict;
# the stored history is drawn but never the reference sample; without any
# batch id they behave as before, with one caveat.

import json
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
import tap  # noqa: E402
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402
from snapreport_lib import results, stats  # noqa: E402

tmp = tempdir("report-batches.")
S = ["--scenarios", "munmap-storm,hot-range", "--reps", "8", "--boots", "8", "--boot-noise", "0.05",
     "--revision", "synthetic-r1"]
LOADED = ["--profile", "regress", "--profile-strategy", "seqretry,rangelock"]   # the host, not a build
plan = [  # (tree, label, seed, batch, extra)
    ("day1", "6.12.117", 81, "day1", []), ("day1", "6.12.118", 82, "day1", []),
    ("day2", "6.12.119", 83, "day2", LOADED),
    ("track", "6.12.118", 84, "day2", LOADED), ("track", "6.12.119", 85, "day2", LOADED),
    # the same runs, written before results carried a batch id
    ("old1", "6.12.117", 81, None, []), ("old1", "6.12.118", 82, None, []),
    ("old2", "6.12.119", 83, None, LOADED),
    ("oldtrack", "6.12.118", 84, None, LOADED), ("oldtrack", "6.12.119", 85, None, LOADED),
]


def make(item):
    tree, label, seed, batch, extra = item
    flags = ["--seed", str(seed), "--guest", label] + S + extra + (["--batch", batch] if batch else [])
    return make_results(os.path.join(tmp, tree), *flags)


with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(make, plan))
D = {t: os.path.join(tmp, t) for t, *_ in plan}


def trend(*argv):
    return tap.trend(tmp, *argv)


builds = tap.trend_builds


CAVEAT = "caveat: batch unknown: these results carry no batch id"

# ---- no batch ids: as before, with the caveat once -----------------------------

rc, so, se, doc = trend(D["old1"], D["old2"])
ok(rc == 1 and "REGRESSION" in so,
   "no batch ids: day 2's loaded host is flagged as a regression of 6.12.119 (what batches fix)",
   so[-1500:] + se)
ok(so.count(CAVEAT) == 1, "no batch ids: the caveat is printed once", so[:1500])

# ---- across batches: refused, not flagged -----------------------------------------

rc, so, se, doc = trend(D["day1"], D["day2"])
b = builds(doc)
ok(rc == 2 and "no kernel build shares a batch with its reference" in se and len(se.splitlines()) == 1,
   "day 1 against day 2: nothing compared, exit 2, one line saying why", so[-1500:] + se)
ok("REGRESSION" not in so and "summary: 0 headline regressions" in so,
   "day 1 against day 2: no regression flagged", so[-1500:])
ok(b.get("6.12.117", {}).get("verdict") == "different batches"
   and b.get("6.12.118", {}).get("verdict") == "different batches"
   and b["6.12.117"].get("batches") == {"from": "day1", "to": "day2"},
   "the JSON says which builds were refused and their batches", b)
ok("not compared: 6.12.117 and 6.12.119 share no batch (6.12.117: day1; 6.12.119: day2)" in so
   and CAVEAT not in so,
   "the text says the samples come from different batches, naming them", so[-1200:])

# ---- tracking: the reference booted again beside the new build --------------------

rc, so, se, doc = trend(D["day1"], D["track"], "--plots", os.path.join(tmp, "plots"))
b = builds(doc)
rows = [r for a in doc["accelerators"] for r in a["rows"] if r["build"] == "6.12.118" and "n_base" in r]
ok(rc == 0 and b.get("6.12.118", {}).get("verdict") == "no change"
   and b["6.12.118"].get("batch") == "day2" and b["6.12.118"].get("to") == "6.12.119",
   "tracked: 6.12.118 -> 6.12.119 judged within batch day2, no change, exit 0", so[-1500:] + se)
ok(b.get("6.12.117", {}).get("verdict") == "different batches",
   "tracked: 6.12.117 (day 1 only) is history, not compared", b.get("6.12.117"))
ok(rows and all(r["n_base"] == 8 and r["n_new"] == 8 for r in rows),
   "the reference sample is day 2's 8 boots of 6.12.118, not its 16 boots over both days",
   rows[:1])
g = {x.key: x for x in results.group_runs(results.load_runs(D["track"]))}
ref = g[("guest", "6.12.118", "munmap-storm", "", "seqretry")]
row = next((r for r in rows if (r["scenario"], r["strategy"], r["metric"]) ==
            ("munmap-storm", "seqretry", "ttm_p99_ns")), {})
ok(row and row["base_median"] == stats.median(ref.values("ttm_p99_ns")),
   "its median is that of day 2's runs of 6.12.118", row)
gp = open(os.path.join(tmp, "plots", "plot-data", "trend-tcg-munmap-storm.gp"), encoding="utf-8").read()
ok('"6.12.117" 0' in gp and '"6.12.119" 2' in gp,
   "the trend plot still draws the stored history (6.12.117 from day 1)", gp[:600])
rc, so, se, doc = trend(D["oldtrack"], D["old1"])
ok(rc == 1, "the same runs without batch ids: history and new samples are pooled and 6.12.119 "
   "is flagged against a reference half from the quiet day", so[-1200:] + se)
rc, so, se, doc = trend(D["track"])
ok(rc == 0 and CAVEAT not in so and "# batches (context.batch)" in so,
   "one batch: compared, no caveat", so[:1500] + se)

# ---- compare on kernel trees ------------------------------------------------------

rc, so, se = run(SNAPREPORT, "compare", D["day1"], D["track"])
ok(rc == 2 and "not compared: kernel 6.12.118: samples from different batches (BASE: day1; NEW: day2)"
   in so and "summary: 0 headline metrics worse, 0 better, 0 compared" in so
   and "every kernel build in both comes from different batches" in se and len(se.splitlines()) == 1,
   "compare across batches: refused, nothing judged, exit 2 with one line", so[-1200:] + se)
rc, so, se = run(SNAPREPORT, "compare", D["old1"], D["oldtrack"])
ok(rc == 1 and so.count("caveat: batch unknown") == 1,
   "compare without batch ids: as before (the loaded host flagged), with the caveat once",
   so[-800:] + se)
rc, so, se = run(SNAPREPORT, "compare", D["track"], D["track"])
ok(rc == 0 and "caveat" not in so and "not compared" not in so,
   "compare within one batch: compared, no caveat", so[-800:] + se)

# ---- the HTML section ---------------------------------------------------------------

both = os.path.join(tmp, "both")
shutil.copytree(D["day1"], both)
shutil.copytree(os.path.join(D["day2"], "kernel", "6.12.119"), os.path.join(both, "kernel", "6.12.119"))
out = os.path.join(tmp, "html")
rc, so, se = run(SNAPREPORT, "html", both, "--out", out)
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
ok("Not compared: 2 kernel build comparisons across batches." in page
   and "Flagged:" not in page and 'src="trend-tcg-munmap-storm.png"' in page,
   "html: cross-batch builds are listed as not compared, none flagged, the trend still drawn", se)
rc, so, se = run(SNAPREPORT, "html", D["old1"], "--out", out + "-old")
page = open(os.path.join(out + "-old", "index.html"), encoding="utf-8").read() if rc == 0 else ""
ok(page.count("Caveat — Batch unknown") == 1, "html without batch ids: the caveat once", se)

# ---- a batch that is not a string is bad input ------------------------------------

bad = os.path.join(tmp, "bad")
shutil.copytree(D["track"], bad)
f = os.path.join(bad, "kernel", "6.12.119", "hot-range", "seqretry", "rep-0.json")
doc = json.load(open(f))
doc["context"]["batch"] = 7
json.dump(doc, open(f, "w"))
rc, so, se = run(SNAPREPORT, "trend", bad)
ok(rc == 2 and "rep-0.json: context.batch is not a string or null" in se, "context.batch 7: exit 2", se)

done()
