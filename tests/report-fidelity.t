#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-fidelity.t - `snapreport fidelity` and the report's fidelity table on
# SYNTHETIC results: a kernel that ranks the strategies as the userspace model
# does (agree), one where the kernel's seqretry is much faster (disagree, said
# plainly), a kernel run with one repetition (cannot test, medians only),
# +patch builds left out, a kernel that ran a storm as a stand-in (marked,
# not counted), and bad input.

import json
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402

tmp = tempdir("report-fidelity.")
S = ["--scenarios", "munmap-storm,hot-range", "--reps", "5"]
plan = [
    ("both", None, 1, []),
    ("both", "6.1.170", 2, []),                                 # same model: same order
    ("both", "6.12.117", 3, ["--profile", "improve"]),          # seqretry much faster in the kernel
    ("both", "6.12.117+slow-range-lock-grant", 4, ["--profile", "slowlock", "--profile-strategy", "rangelock"]),
    ("onerep", None, 1, []),
    ("onerep", "6.12.117", 2, ["--reps", "1"]),
    ("kernelonly", "6.12.117", 5, []),
]


def make(item):
    tree, label, seed, extra = item
    flags = ["--seed", str(seed)] + S + extra + (["--guest", label] if label else [])
    return make_results(os.path.join(tmp, tree), *flags)


with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(make, plan))
D = {t: os.path.join(tmp, t) for t, _, _, _ in plan}


def fidelity(*argv):
    js = os.path.join(tmp, "fid-%d.json" % len(os.listdir(tmp)))
    rc, so, se = run(SNAPREPORT, "fidelity", *argv, "--json", js)
    doc = json.load(open(js)) if os.path.exists(js) else {"pairings": []}
    return rc, so, se, doc


def verdicts(doc, kernel, scenario):
    for p in doc["pairings"]:
        if p["kernel"] == kernel and p["scenario"] == scenario:
            return {m["metric"]: m for m in p["metrics"]}
    return {}


rc, so, se, doc = fidelity(D["both"])
ok(rc == 0, "fidelity exits 0, disagreements included", se)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports"))
from snapreport_lib import stats  # noqa: E402
w1, w2 = stats.wilson_interval(4, 14), stats.wilson_interval(12, 12)
ok(abs(w1[0] - 0.117) < 0.001 and abs(w1[1] - 0.546) < 0.001 and abs(w2[0] - 0.758) < 0.001 and w2[1] == 1.0,
   "Wilson 95%% intervals: 4 of 14 -> [0.117, 0.546], 12 of 12 -> [0.758, 1]", (w1, w2))
agr = doc.get("agreement", {})
ok(agr.get("decided", 0) > agr.get("agree", 0) > 0 and agr["interval"][0] <= agr["rate"] <= agr["interval"][1],
   "agreement: the share of rankings decided in both environments that agree, with its interval", agr)
dis = [d for d in doc.get("disagreements", []) if d["build"] == "6.12.117" and d["metric"] == "passes_per_s"]
ok(dis and dis[0]["userspace"].startswith("seqretry<rangelock: ") and "[" in dis[0]["kernel"]
   and dis[0]["explanation"] is None and "why: unexplained" in so and "agreement: " in so,
   "each disagreement: both sides' order, medians and intervals; 'unexplained' without a known cause",
   doc.get("disagreements"))
ok(not [d for d in doc.get("disagreements", []) if d["build"] == "6.1.170"],
   "the kernel that ranks as the model does adds no disagreement")
ok(sorted({p["kernel"] for p in doc["pairings"]}) == ["6.1.170", "6.12.117"]
   and doc.get("patched_left_out") == ["6.12.117+slow-range-lock-grant"],
   "every scenario is paired with each unpatched build; +patch builds are left out and listed",
   [(p["scenario"], p["kernel"]) for p in doc["pairings"]])
same = verdicts(doc, "6.1.170", "munmap-storm")
ok(same and all(m["verdict"] == "agree" for m in same.values()),
   "same model in both environments: every headline metric agrees",
   {k: m["verdict"] for k, m in same.items()})
ok(same.get("ttm_p99_ns", {}).get("text") == "agree: both rank rangelock<seqretry",
   "an agreeing row says the common order", same.get("ttm_p99_ns", {}).get("text"))
diff = verdicts(doc, "6.12.117", "munmap-storm")
ok(diff.get("passes_per_s", {}).get("verdict") == "disagree" and
   diff.get("ttm_p99_ns", {}).get("verdict") == "disagree",
   "kernel seqretry much faster: passes/s and time to mirror p99 disagree",
   {k: m["verdict"] for k, m in diff.items()})
ok(diff.get("stall_p99_ns.munmap", {}).get("verdict") == "agree",
   "metrics the change does not touch still agree")
ok("DISAGREE: userspace ranks seqretry<rangelock, kernel ranks rangelock<seqretry" in so,
   "the text says plainly which pair is reversed", so[:3000])
ok(diff.get("passes_per_s", {}).get("userspace", {}).get("medians", {}).get("seqretry") and
   diff["passes_per_s"]["kernel"]["medians"]["seqretry"] > diff["passes_per_s"]["userspace"]["medians"]["seqretry"],
   "both environments' medians side by side in the JSON")
ok(doc.get("counts", {}).get("disagree", 0) >= 2 and "DISAGREE" in so.splitlines()[-1],
   "the summary counts disagreements", so.splitlines()[-1:] if so else se)

# A kernel that ran hot-range's numa storm as a stand-in: shown, not counted.
si = os.path.join(tmp, "standin")
shutil.copytree(D["both"], si)
for root, _, files in os.walk(os.path.join(si, "kernel", "6.12.117", "hot-range")):
    for f in files:
        if f.endswith(".json"):
            path = os.path.join(root, f)
            d = json.load(open(path))
            d["context"]["storm_notes"] = {"numa": "stand-in: mprotect() read-only and back"}
            json.dump(d, open(path, "w"))
rc0, so0, se0, doc0 = fidelity(D["both"])
rc, so, se, doc = fidelity(si)
sp = [p for p in doc["pairings"] if p["kernel"] == "6.12.117" and p["scenario"] == "hot-range"]
c0, c = doc0.get("counts", {}), doc.get("counts", {})
left = len(sp[0]["metrics"]) if sp else -1
ok(rc == 0 and sp and sp[0]["stand_ins"] == {"numa": "stand-in: mprotect() read-only and back"}
   and c.get("stand-in pairings") == 1 and c.get("stand-in metrics") == left
   and sum(c[k] for k in ("agree", "disagree", "ties differ", "cannot test", "not exercised")) ==
   sum(c0[k] for k in ("agree", "disagree", "ties differ", "cannot test", "not exercised")) - left,
   "a kernel run with a stand-in storm: its pairing carries the notes, its metrics leave the counts",
   (c0, c, sp[0]["stand_ins"] if sp else None))
ok("== hot-range: userspace vs kernel 6.12.117 (tcg) [stand-in]" in so
   and "STAND-IN, not counted: the kernel ran numa as stand-in: mprotect() read-only and back" in so
   and "not counted: 1 stand-in pairings (%d metrics)" % left in so.splitlines()[-1],
   "text: the pairing is marked, says which storm, and the summary says what was left out", so[-600:])
out = os.path.join(tmp, "html-standin")
rc, so, se = run(SNAPREPORT, "html", si, "--out", out)
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
ok("<b>stand-in</b> (kernel 6.12.117), not counted: the kernel ran numa as stand-in" in page
   and "Not counted: 1 stand-in pairings" in page,
   "html: the stand-in pairing is marked and the summary says it is not counted", se)

rc, so, se, doc = fidelity(D["onerep"])
one = verdicts(doc, "6.12.117", "munmap-storm")
ok(rc == 0 and one and all(m["verdict"] in ("cannot test", "not exercised") for m in one.values()),
   "one kernel repetition: nothing is called agreement (cannot test)", {k: m["verdict"] for k, m in one.items()})
ok("kernel has 1 repetition per strategy" in so and "(medians only)" in so and
   "medians in the same order (not significant)" in so,
   "cannot test: says why, and compares the medians alone, marked not significant", so[:2500])

rc, so, se, doc = fidelity(D["onerep"] + "/kernel")
ok(rc == 2 and "no scenario was run both in userspace and in a guest" in se,
   "kernel results only: exit 2, says why", se)
rc, so, se, doc = fidelity(os.path.join(D["onerep"], "munmap-storm"), os.path.join(D["kernelonly"]))
ok(rc == 0 and verdicts(doc, "6.12.117", "munmap-storm"),
   "a userspace directory and a kernel directory given separately are paired", se)

out = os.path.join(tmp, "html")
rc, so, se = run(SNAPREPORT, "html", D["both"], "--out", out)
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
sec = page[page.find("<h2>Userspace vs kernel fidelity</h2>"):]
ok(rc == 0 and sec, "html: a fidelity section", se)
ok("<h3>munmap-storm — userspace vs kernel (tcg)</h3>" in sec and "<td>kernel 6.1.170</td>" in sec
   and "<td>kernel 6.12.117</td>" in sec and "<td>userspace</td>" in sec,
   "html: one table per scenario, the userspace row and a row per kernel build")
ok('<span class="bad">disagree</span> userspace ranks seqretry&lt;rangelock, kernel ranks rangelock&lt;seqretry' in sec,
   "html: a disagreement is marked and spelled out")
ok("Where the model and the kernel disagree</b>" in sec and "Agreement: " in sec,
   "html: the agreement rate and the disagreements are listed up front")
ok('style="color:#1f5fa8">seqretry' in sec, "html: strategies in their usual colours")
ok("6.12.117+slow-range-lock-grant" in sec and "Patched builds left out" in sec,
   "html: says which patched builds were left out")
answers = page[page.find('<h2 id="answers">'):page.find("</table>", page.find('<h2 id="answers">'))]
ok("model vs kernel: the model disagrees with the kernel here" in answers and "(6.12.117)" in answers,
   "html: the first screen's userspace verdict carries the model's disagreement with a kernel")
vj = json.load(open(os.path.join(out, "verdicts.json"))) if rc == 0 else {}
warned = {(e["environment"], e["scenario"]) for e in vj.get("scenarios", []) if e.get("fidelity_warning")}
ok(("userspace", "munmap-storm") in warned and not any(env == "guest" for env, _ in warned)
   and vj.get("fidelity", {}).get("decided"),
   "verdicts.json: the warning on the userspace scenario, the agreement over the report", warned)

# Placement: the guest pins nothing; a userspace run that pinned threads
# does not run the same workload on two CPUs, and the pairing says so.
pin = os.path.join(tmp, "pinned")
shutil.copytree(D["both"], pin)
for dirpath, _, files in os.walk(os.path.join(pin, "kernel")):
    for f in files:
        if f.endswith(".json"):
            path = os.path.join(dirpath, f)
            d = json.load(open(path))
            d["context"]["placement"] = {"mirror": [-1], "storm": [-1]}
            json.dump(d, open(path, "w"))
rc, so, se, doc = fidelity(pin)
ok(rc == 0 and "PLACEMENT: threads pinned in userspace, not in the kernel" in so
   and all(p["placement"] for p in doc["pairings"]),
   "a pinned userspace run against an unpinned guest: each pairing says so", so[:1500])
rc, so, se, doc = fidelity(D["both"])
ok(not any(p["placement"] for p in doc["pairings"]), "the same placement on both sides: no note")

# A time-to-mirror tail cut off by deadline misses: the disagreement says
# so (censored) instead of "unexplained".
cen = os.path.join(tmp, "censored")
shutil.copytree(D["both"], cen)
for dirpath, _, files in os.walk(os.path.join(cen, "kernel", "6.12.117", "munmap-storm", "seqretry")):
    for f in files:
        if f.endswith(".json"):
            path = os.path.join(dirpath, f)
            d = json.load(open(path))
            d["benchmarks"][0]["deadline_miss_ratio"] = 0.25
            json.dump(d, open(path, "w"))
rc, so, se, doc = fidelity(cen)
ttm = [d for d in doc.get("disagreements", []) if d["build"] == "6.12.117" and d["metric"] == "ttm_p99_ns"
       and d["scenario"] == "munmap-storm"]
ok(ttm and ttm[0]["explanation"].startswith("censored:") and "kernel seqretry 25%" in ttm[0]["explanation"],
   "a time-to-mirror disagreement where a side missed deadlines is explained as censored", ttm)

done()
