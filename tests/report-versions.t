#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-versions.t - version-aware reporting on SYNTHETIC kernel matrices:
# build labels sort as versions, the baseline is never a +patch build, a
# deliberately slowed range lock (+slow-range-lock-grant) is flagged and makes
# `snapreport trend` exit 1, noise-only builds are not flagged (exit 0), boots
# (not repetitions) as the unit of replication, the false-positive
# measurement over unchanged repeats, the trend plots, and the HTML sections
# with kernel results and without.

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
import tap  # noqa: E402
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402
from snapreport_lib import versions  # noqa: E402
from snapreport_lib.results import version_key  # noqa: E402

# ---- version order and the baseline, without any files -------------------

shuffled = ["6.12.117+slow-range-lock-grant", "6.13", "6.1.99", "6.12.7", "6.1.192-2", "6.1",
            "6.13-rc2", "6.12.117", "6.1.170", "6.1.192"]
want = ["6.1", "6.1.99", "6.1.170", "6.1.192", "6.1.192-2", "6.12.7", "6.12.117",
        "6.12.117+slow-range-lock-grant", "6.13-rc2", "6.13"]
got = sorted(shuffled, key=version_key)
ok(got == want, "labels sort as versions: 6.1.99 < 6.1.170 < 6.12.7, +patch right after its "
   "release, -rc before the release", got)

labels = ["6.1.170", "6.12.117", "6.12.117+slow-range-lock-grant"]
ok(versions.choose_baseline(labels)[0] == "6.12.117",
   "default baseline: the newest build without +patch, not the newer-sorting +patch build")
ok(versions.choose_baseline(["6.1.170", "6.12.117+x"])[0] == "6.1.170",
   "default baseline: a +patch build on a newer release than every plain build is still not chosen")
ok(versions.pair_for("6.12.117+slow-range-lock-grant", "6.12.117", labels) ==
   ("6.12.117", "6.12.117+slow-range-lock-grant"),
   "a +patch build is compared with its own release")
ok(versions.pair_for("6.1.170", "6.12.117", labels) == ("6.1.170", "6.12.117"),
   "an older release is compared FROM it TO the baseline")

# ---- synthetic result trees ------------------------------------------------

tmp = tempdir("report-versions.")
S = ["--scenarios", "munmap-storm,hot-range", "--reps", "5"]
SLOW = ["--profile", "slowlock", "--profile-strategy", "rangelock"]
BOOTS = ["--reps", "10", "--boots", "2", "--boot-noise", "0.15"]
BOOTS8 = ["--reps", "8", "--boots", "8", "--boot-noise", "0.05"]
# (tree, label, seed, extra flags): each label one `kernel run` of a matrix
plan = [
    ("matrix", "6.1.170", 1, []), ("matrix", "6.12.117", 2, []),
    ("matrix", "6.12.117+slow-range-lock-grant", 3, SLOW),
    ("matrix", None, 9, []),                                   # a userspace run beside it
    ("noise", "6.1.99", 11, []), ("noise", "6.1.170", 12, []), ("noise", "6.12.7", 13, []),
    ("noise", "6.12.117", 14, []),
    ("newer", "6.12.7", 21, []), ("newer", "6.12.117", 22, ["--profile", "regress"]),
    ("single", "6.12.117", 31, []),
    ("userspace", None, 41, []),
    ("fp1", "6.12.117", 51, []), ("fp2", "6.12.117", 52, []), ("fp3", "6.12.117", 53, []),
    ("fpslow", "6.12.117", 54, SLOW),
    # Two unchanged builds, each 2 boots x 5 repetitions, where a boot's speed
    # varies (sigma 15%) far more than a repetition's (2%): recorded, and not.
    ("boots", "6.12.7", 61, BOOTS), ("boots", "6.12.117", 62, BOOTS),
    ("hidden", "6.12.7", 61, BOOTS + ["--hide-boots"]),
    ("hidden", "6.12.117", 62, BOOTS + ["--hide-boots"]),
    # The matrix's own shape: 8 boots x 1 repetition, boot noise 5%.
    ("boots8", "6.12.117", 71, BOOTS8),
    ("boots8", "6.12.117+slow-range-lock-grant", 72, BOOTS8 + SLOW),
]


def make(item):
    tree, label, seed, extra = item
    flags = ["--seed", str(seed)] + S + extra + (["--guest", label] if label else [])
    return make_results(os.path.join(tmp, tree), *flags)


with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(make, plan))
D = {t: os.path.join(tmp, t) for t, _, _, _ in plan}


def trend(*argv):
    return tap.trend(tmp, *argv)


builds = tap.trend_builds


# ---- the injected slowdown -------------------------------------------------

rc, so, se, doc = trend(D["matrix"])
ok(rc == 1, "matrix with +slow-range-lock-grant: trend exits 1", so + se)
b = builds(doc)
ok(list(b) == ["6.1.170", "6.12.117", "6.12.117+slow-range-lock-grant"],
   "builds listed in version order", list(b))
ok(doc["accelerators"] and doc["accelerators"][0]["baseline"] == "6.12.117",
   "baseline 6.12.117, not the +patch build", doc["accelerators"][:1] and doc["accelerators"][0]["baseline"])
slow = b.get("6.12.117+slow-range-lock-grant", {})
ok(slow.get("verdict") == "regression" and slow.get("from") == "6.12.117",
   "the slowed build is a regression against its own release", slow)
ok(b.get("6.1.170", {}).get("verdict") == "no change", "the unchanged older release: no change",
   b.get("6.1.170"))
rows = [r for a in doc["accelerators"] for r in a["rows"]
        if r["build"] == "6.12.117+slow-range-lock-grant" and r["verdict"] == "regression"]
ok(rows and {r["strategy"] for r in rows} == {"rangelock"},
   "only the slowed strategy (rangelock) regresses", sorted({r["strategy"] for r in rows}))
ttm = [r for r in rows if r["metric"] == "ttm_p99_ns"]
ok(ttm and all(r["p"] < 0.05 and r["change_pct"] > 40 and r["cliffs_delta"] == 1.0
               and 1.4 < r["ratio"] < 2.0 for r in ttm),
   "the regression carries its p-value and effect sizes (change, ratio, Cliff's delta)", ttm[:1])
ok("REGRESSION: 6.12.117+slow-range-lock-grant worse than 6.12.117" in so,
   "the text names which build is worse than which", so[-1500:])
ok("REGRESSION tcg munmap-storm / rangelock ttm_p99_ns: 6.12.117 -> 6.12.117+slow-range-lock-grant" in so,
   "one REGRESSION line per flagged metric", so[-1500:])

rc, so, se, doc = trend(D["matrix"], "--baseline", "6.1.170")
ok(doc["accelerators"] and doc["accelerators"][0]["baseline"] == "6.1.170"
   and builds(doc)["6.12.117"]["from"] == "6.1.170",
   "--baseline picks the reference; newer releases are compared FROM it", so[-800:] + se)
rc, so, se, doc = trend(D["matrix"], "--baseline", "5.10.1")
ok(rc == 2 and "--baseline 5.10.1: no such kernel build" in se, "an unknown --baseline: exit 2", se)

# ---- noise only, and a plain regression between releases ---------------------

rc, so, se, doc = trend(D["noise"])
ok(rc == 0, "four unchanged versions (different seeds): trend exits 0", so[-2000:] + se)
ok(all(v["verdict"] in ("no change", "baseline") for v in builds(doc).values()),
   "noise only: no build flagged", {k: v["verdict"] for k, v in builds(doc).items()})

# A run without progress in each build is reported, and counted in passes/s,
# but is not by itself a regression (unchanged builds under host load).
import glob  # noqa: E402
import shutil  # noqa: E402
np_tree = os.path.join(tmp, "noprogress")
shutil.copytree(D["noise"], np_tree)
for label in ("6.12.7", "6.12.117"):
    f = sorted(glob.glob(os.path.join(np_tree, "kernel", label, "munmap-storm", "seqretry", "rep-*.json")))[0]
    d = json.load(open(f))
    d["context"]["status"] = "no-progress"
    d["benchmarks"][0]["passes"] = 0
    json.dump(d, open(f, "w"))
rc, so, se, doc = trend(np_tree)
ok(rc == 0 and all(v["verdict"] in ("no change", "baseline") for v in builds(doc).values())
   and "made no progress" in so,
   "a no-progress run in each of two unchanged builds: reported, not a regression (exit 0)",
   so[-1500:] + se)

rc, so, se, doc = trend(D["newer"])
ok(rc == 1 and builds(doc).get("6.12.7", {}).get("verdict") == "regression",
   "a newer release with slower seqretry: exit 1, flagged", so[-1500:])
ok("REGRESSION: 6.12.117 worse than 6.12.7" in so, "the older release's row says the newer one is worse",
   so[-800:])

# ---- the boot is the unit of replication --------------------------------------

def flagged(doc):
    return [r for a in doc["accelerators"] for r in a["rows"]
            if r["verdict"] in ("regression", "improvement")]


rc, so, se, doc = trend(D["hidden"])
ok(flagged(doc), "boots not recorded: two unchanged builds differ by boot noise alone, and 10 vs "
   "10 repetitions call it significant (%d metrics) -- the failure boots fix" % len(flagged(doc)),
   so[-1500:] + se)
rc, so, se, doc = trend(D["boots"])
rows = [r for a in doc["accelerators"] for r in a["rows"] if "n_base" in r]
ok(rc == 0 and not flagged(doc) and rows and all(r["n_base"] == r["n_new"] == 2 for r in rows),
   "the same runs with their boots recorded: n is 2 boots a side, nothing flagged, exit 0",
   so[-1500:] + se)
ok("with 2 and 2 samples" in so and "nothing can be significant" in so,
   "two boots a side: the report says no test can reach alpha", so[-600:])
rc, so, se, doc = trend(D["boots8"])
slow = builds(doc).get("6.12.117+slow-range-lock-grant", {})
rows = [r for a in doc["accelerators"] for r in a["rows"] if r["verdict"] == "regression"]
ok(rc == 1 and slow.get("verdict") == "regression" and rows
   and all(r["n_base"] == r["n_new"] == 8 and r["strategy"] == "rangelock" for r in rows),
   "8 boots of 1 repetition a side: the slowed range lock is flagged, on rangelock only",
   so[-1500:] + se)

# ---- bad input ------------------------------------------------------------------

rc, so, se = run(SNAPREPORT, "trend", D["userspace"])
ok(rc == 2 and "no guest results" in se, "trend on userspace results only: exit 2, says why", se)
rc, so, se = run(SNAPREPORT, "trend", D["single"])
ok(rc == 2 and "one kernel build only" in se, "trend on one kernel build: exit 2, says why", se)

# ---- false positives over unchanged repeats ----------------------------------

js = os.path.join(tmp, "fp.json")
rc, so, se = run(SNAPREPORT, "trend", "--false-positives", D["fp1"], D["fp2"], D["fp3"], "--json", js)
fp = json.load(open(js)) if os.path.exists(js) else {}
ok(rc == 0, "trend --false-positives: exit 0 (a measurement)", so[-1500:] + se)
ok(fp.get("build_comparisons") == 6 and fp.get("metric_comparisons", 0) > 6 * 10,
   "three repeats: 6 ordered build comparisons of every headline metric", fp and
   (fp["build_comparisons"], fp["metric_comparisons"]))
ok(fp.get("flagged_build_comparisons") == 0 and
   "false-positive rate: 0 of 6 (0.0%) build comparisons flagged" in so,
   "unchanged repeats: none flagged, and the rate is printed", so[-600:])
rc, so, se = run(SNAPREPORT, "trend", "--false-positives", D["fp1"], D["fpslow"], "--json", js)
fp = json.load(open(js)) if os.path.exists(js) else {}
ok(fp.get("flagged_build_comparisons") == 1 and fp.get("build_comparisons") == 2,
   "a repeat that is not unchanged (slowed lock) is counted as flagged in one direction", so[-1500:])
rc, so, se = run(SNAPREPORT, "trend", "--false-positives", D["fp1"])
ok(rc == 2 and "at least two" in se, "--false-positives with one directory: exit 2", se)

# ---- plots -------------------------------------------------------------------------

pl = os.path.join(tmp, "plots")
rc, so, se = run(SNAPREPORT, "trend", D["matrix"], "--plots", pl)
figs = ["trend-tcg-munmap-storm", "trend-tcg-hot-range"]
ok(all(os.path.getsize(os.path.join(pl, f + ext)) > 1000 for f in figs for ext in (".png", ".svg")),
   "--plots: a PNG and an SVG per scenario", so[-600:] + se)
gp = open(os.path.join(pl, "plot-data", figs[0] + ".gp"), encoding="utf-8").read()
dat = open(os.path.join(pl, "plot-data", figs[0] + ".dat"), encoding="utf-8").read()
ok('"#1f5fa8"' in gp and '"#c8352b"' in gp and "filledcurves" in gp,
   "trend plot: seqretry blue, rangelock red as in every plot, a CI band", gp[:400])
ok('"6.12.117\\n+slow-range-lock-grant" 2' in gp, "x axis: builds in version order, +patch on its own line",
   gp[:600])
ok("ttm_p99_ns, rangelock: build index, median, CI lo, CI hi, median if flagged" in dat,
   "the data file says what each column is", dat[:300])

# ---- HTML ----------------------------------------------------------------------------


def render(name):
    out = os.path.join(tmp, "html-" + name)
    rc, so, se = run(SNAPREPORT, "html", D[name], "--out", out)
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
    return rc, page, se, out


with ThreadPoolExecutor(max_workers=2) as pool:
    (rc, page, se, out), (rc2, upage, se2, _), (rc3, spage, se3, sout) = \
        pool.map(render, ["matrix", "userspace", "single"])
ok(rc == 0, "html on a kernel matrix", se)
ok('<img src="trend-tcg-munmap-storm.png"' in page and 'href="trend-tcg-munmap-storm.svg"' in page
   and os.path.exists(os.path.join(out, "trend-tcg-munmap-storm.svg")),
   "html: the trend plot, PNG and SVG", se)
ok("Flagged: 1 kernel build comparison with a significant regression" in page and
   "REGRESSION: 6.12.117+slow-range-lock-grant worse than 6.12.117" in page,
   "html: the slowed build is flagged at the top of the trend section")
ok("Baseline <b>6.12.117</b>" in page, "html: names the baseline")
ok("regression, p=0.0079" in page and "δ +1.00" in page, "html: per-cell verdict with p-value and effect size")
ok("<h2>Userspace vs kernel fidelity</h2>" in page and "same order as userspace?" in page,
   "html: the fidelity table beside the trends")
ok(rc2 == 0 and "<b>No kernel results.</b>" in upage and "<b>No fidelity comparison.</b>" in upage
   and "no kernel (guest) results" in upage,
   "html on userspace results only: both sections say plainly there is no kernel data", se2)
ok(rc3 == 0 and "Only one kernel build ran under tcg" in spage
   and os.path.exists(os.path.join(sout, "trend-tcg-munmap-storm.png")),
   "html with one kernel build: says there is nothing to compare, still draws its medians", se3)

done()
