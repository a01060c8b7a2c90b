#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-cli.t - summarize, plot and html on SYNTHETIC result sets: groups,
# skipped plots, violations shown prominently, hung runs, kernel trends.

import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402

tmp = tempdir("report-cli.")
sets = {
    "full": ["--seed", "1", "--reps", "4", "--sweep"],
    "small": ["--seed", "2", "--reps", "4", "--scenarios", "baseline,munmap-storm",
              "--violations", "rangelock", "--hung", "munmap-storm/seqretry/1"],
    "guest": ["--seed", "3", "--reps", "5", "--scenarios", "numa-storm", "--guest", "6.1.0"],
}
with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(lambda kv: make_results(os.path.join(tmp, kv[0]), *kv[1]), sets.items()))
make_results(os.path.join(tmp, "guest"), "--seed", "4", "--reps", "5", "--scenarios", "numa-storm",
             "--guest", "6.12.0", "--profile", "regress")
D = {k: os.path.join(tmp, k) for k in sets}

# summarize
csv_path = os.path.join(tmp, "small.csv")
rc, so, se = run(SNAPREPORT, "summarize", D["small"], "--csv", csv_path)
ok(rc == 0, "summarize: exit 0", se)
ok("== userspace baseline seqretry (n=4)" in so and "== userspace munmap-storm seqretry (n=3)" in so,
   "summarize: one group per scenario and strategy; the hung run is left out (n=3)", so)
ok("HUNG 1 of 4 runs" in so and "VIOLATIONS" in so, "summarize: hung runs and violations flagged", so)
ok(re.search(r"ttm_p99_ns +\S+ \S+ +\[\S+ \S+, \S+ \S+\]", so) is not None,
   "summarize: median with its interval", so)
ok("order-statistic interval" in so and "] range " in so,
   "summarize: says how the interval was made, and that n = 3 gives only the range", so)
ok(os.path.exists(csv_path) and open(csv_path).readline().startswith("environment,kernel,scenario"),
   "summarize --csv writes a table")

# plot: absent data is a note, never a picture
out = os.path.join(tmp, "plots-small")
rc, so, se = run(SNAPREPORT, "plot", D["small"], "--out", out)
ok(rc == 0, "plot: exit 0", se)
ok("skipped userspace-sweep: no sweep" in so, "plot: no sweep in the data -> skipped with a note", so)
ok("skipped userspace-reclaim: needs reclaim runs in both modes" in so, "plot: no reclaim runs -> skipped", so)
ok("skipped userspace-pareto" in so, "plot: no reclaim stalls -> Pareto plot skipped", so)
pngs = [f for f in os.listdir(out) if f.endswith(".png")]
ok(len(pngs) >= 4 and all(open(os.path.join(out, f), "rb").read(8) == b"\x89PNG\r\n\x1a\n" for f in pngs),
   "plot: %d PNG files, each a PNG" % len(pngs))
ok(all(os.path.exists(os.path.join(out, f[:-4] + ".svg")) for f in pngs), "plot: an SVG beside each PNG")

out = os.path.join(tmp, "plots-full")
rc, so, se = run(SNAPREPORT, "plot", D["full"], "--out", out)
ok(rc == 0 and "skipped" not in so, "plot: the full synthetic set draws every plot", so + se)
for name in ("userspace-sweep-munmap-storm-storm.munmap.rate", "userspace-reclaim", "userspace-pareto",
             "userspace-mixed-stall-reclaim", "userspace-baseline-retries", "userspace-baseline-ttm"):
    ok(os.path.getsize(os.path.join(out, name + ".png")) > 5000, "plot: %s.png drawn" % name)
dat = open(os.path.join(out, "plot-data", "userspace-sweep-munmap-storm-storm.munmap.rate.dat")).read()
ok(len(re.findall(r"^(2000|5000|10000|20000|40000) ", dat, re.M)) == 10,
   "plot: the sweep has five points per strategy", dat)
gp = open(os.path.join(out, "plot-data", "userspace-baseline-ttm.gp")).read()
ok('"#1f5fa8"' in gp and '"#c8352b"' in gp, "plot: seqretry blue, rangelock red, as in the palette")

# html
out = os.path.join(tmp, "html-small")
rc, so, se = run(SNAPREPORT, "html", D["small"], "--out", out)
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
ok(rc == 0 and so.strip() == os.path.join(out, "index.html"), "html: exit 0, prints the path", se)
ok('class="alarm"' in page and "Correctness failure" in page and page.index("Correctness failure") <
   page.index("Recommendations"), "html: violations in a banner above everything else")
ok("rangelock: " in page and "invariant violations" in page,
   "html: the violating strategy is excluded from recommendations")
ok('<span class="hung">HUNG' in page, "html: the hung run is shown as hung")
ok("<script" not in page.lower() and not re.search(r'(src|href)="(https?:)?//', page),
   "html: no scripts, no external resources")
srcs = re.findall(r'<img src="([^"]+)"', page)
ok(srcs and all(os.path.exists(os.path.join(out, s)) for s in srcs), "html: every <img> file exists (%d)" % len(srcs))
ok("Plot skipped: no sweep" in page, "html: skipped plots say why")
ok("SYNTHETIC DATA" in page, "html: synthetic data labelled as such")

out = os.path.join(tmp, "html-full")
rc, so, se = run(SNAPREPORT, "html", D["full"], "--out", out)
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
ok(rc == 0 and "Correctness failure" not in page, "html: no violations, no banner", se)
ok(re.search(r"<b>pick <span[^>]*>rangelock</span></b>.*?better than", page, re.S) is not None,
   "html: a pick with its evidence")
ok(re.search(r"better than \S+ on .*?, p = \S+, q = \S+, n = \d+/\d+", page) is not None,
   "html: evidence names the test, its p and its BH q")
for q in ("How many times must a mirror pass retry", "How long does a driver wait",
          "How do deadline misses grow", "Does try-to-invalidate keep reclaim moving",
          "Which strategy gives the driver progress"):
    ok(q in page, "html: question above a plot: %s ..." % q)
for k in ("kernel", "CPU", "topology", "accelerator", "snapbench revision", "command line"):
    ok("<th>%s</th>" % k in page, "html: environment shows %s" % k)

out = os.path.join(tmp, "html-guest")
rc, so, se = run(SNAPREPORT, "html", D["guest"], "--out", out)
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
ok(rc == 0 and "<th>6.1.0</th><th>6.12.0</th>" in page, "html: per-kernel trend table, versions in order", se)
ok('class="bad">regression, p=' in page, "html: the slower kernel is flagged as a regression")
ok("<code>tcg</code>" in page, "html: guest accelerator shown")

rc, so, se = run(SNAPREPORT, "html", os.path.join(tmp, "nope"), "--out", os.path.join(tmp, "x"))
ok(rc == 2 and "nope: no such directory" in se, "html: missing directory is exit 2", se)
rc, so, se = run(SNAPREPORT, "plot", D["small"])
ok(rc == 2 and "--out" in se, "plot without --out: exit 2", se)

# an output that cannot be written: one line naming it, exit 2 (not 1, which
# compare and trend use for "regression"), never a traceback
ro = os.path.join(tmp, "not-a-dir")
open(ro, "w").close()
for argv in (("summarize", D["small"], "--csv", os.path.join(ro, "t.csv")),
             ("compare", D["small"], D["small"], "--json", os.path.join(ro, "c.json")),
             ("plot", D["small"], "--out", os.path.join(ro, "plots"))):
    rc, so, se = run(SNAPREPORT, *argv)
    ok(rc == 2 and se.count("\n") == 1 and ro in se and "Traceback" not in se,
       "%s to an unwritable path: exit 2, one line naming it" % argv[0], se)
done()
