#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-browser.t - open an HTML report made from SYNTHETIC results in
# headless Chromium and check that every <img> loaded (naturalWidth > 0),
# that the first screen (1400 x 900) holds the answers table and a plot,
# and that nothing, every <details> open, is wider than the window.

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run, skip_all  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
if not os.access(CHROMIUM, os.X_OK):
    skip_all("%s not installed (harness/deps browser)" % CHROMIUM)

# A copy of the report with this script appended: on load it writes, into
# the DOM, how many images there are and which failed.  The report itself
# has no script.
CHECK = """<script>
window.addEventListener("load", function () {
  var imgs = document.images, loaded = 0, failed = [];
  for (var i = 0; i < imgs.length; i++) {
    if (imgs[i].complete && imgs[i].naturalWidth > 0) loaded++;
    else failed.push(imgs[i].getAttribute("src"));
  }
  var pre = document.createElement("pre");
  pre.id = "imgcheck";
  pre.textContent = "IMGCHECK images=" + imgs.length + " loaded=" + loaded +
                    " failed=[" + failed.join(" ") + "] END";
  document.body.appendChild(pre);
});
</script>
"""


def chromium(*args):
    profile = tempfile.mkdtemp(prefix="report-browser-profile.")
    try:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=15000"] + list(args),
            capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


LAYOUT = """<script>
window.addEventListener("load", function () {
  var table = document.querySelector("table.answers");
  var img = table ? table.querySelector("img") : null;
  var top = table ? Math.round(table.getBoundingClientRect().top) : -1;
  var bottom = img ? Math.round(img.getBoundingClientRect().bottom) : -1;
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  var over = [];
  document.querySelectorAll("body *").forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > window.innerWidth + 1)
      over.push(e.tagName + (e.className ? "." + e.className : "") + ":" + Math.round(r.right));
  });
  var pre = document.createElement("pre");
  pre.textContent = "LAYOUT h=" + window.innerHeight + " w=" + window.innerWidth + " table=" + top +
                    " img=" + bottom + " scrollw=" + document.documentElement.scrollWidth +
                    " over=[" + over.slice(0, 8).join(" ") + "] END";
  document.body.appendChild(pre);
});
</script>
"""


def layout_check(report_dir):
    page = os.path.join(report_dir, "index.html")
    check = os.path.join(report_dir, "layoutcheck.html")
    with open(page, encoding="utf-8") as f, open(check, "w", encoding="utf-8") as g:
        g.write(f.read().replace("</body>", LAYOUT + "</body>"))
    res = chromium("--window-size=1400,900", "--hide-scrollbars", "--dump-dom", "file://" + check)
    return re.search(r"LAYOUT h=(\d+) w=(\d+) table=(-?\d+) img=(-?\d+) scrollw=(\d+) over=\[([^\]]*)\] END",
                     res.stdout), res


def image_check(report_dir):
    page = os.path.join(report_dir, "index.html")
    check = os.path.join(report_dir, "imgcheck.html")
    with open(page, encoding="utf-8") as f, open(check, "w", encoding="utf-8") as g:
        g.write(f.read().replace("</body>", CHECK + "</body>"))
    res = chromium("--dump-dom", "file://" + check)
    m = re.search(r"IMGCHECK images=(\d+) loaded=(\d+) failed=\[([^\]]*)\] END", res.stdout)
    return m, res


tmp = tempdir("report-browser.")
results = make_results(os.path.join(tmp, "results"), "--seed", "1", "--reps", "4", "--sweep",
                       "--scenarios", "baseline,munmap-storm,reclaim-block,reclaim-try")
report = os.path.join(tmp, "report")
rc, so, se = run(SNAPREPORT, "html", results, "--out", report)
ok(rc == 0, "snapreport html: exit 0", se)

m, res = image_check(report)
ok(m is not None, "Chromium ran the check and dumped the DOM", res.stderr[-2000:])
if m:
    images, loaded, failed = int(m.group(1)), int(m.group(2)), m.group(3)
    ok(images >= 10, "the report has %d images" % images)
    ok(loaded == images and not failed.strip(), "all %d images loaded (naturalWidth > 0)" % images,
       "failed: " + failed)

m, res = layout_check(report)
ok(m is not None, "Chromium ran the layout check", res.stderr[-2000:])
if m:
    h, w, top, bottom, scrollw, over = int(m.group(1)), int(m.group(2)), int(m.group(3)), \
        int(m.group(4)), int(m.group(5)), m.group(6)
    ok(0 <= top < h and 0 < bottom <= h,
       "the first screen (%dx%d) holds the answers table (top %d) and a plot (bottom %d)"
       % (w, h, top, bottom))
    ok(scrollw <= w and not over.strip(),
       "every section open, nothing is wider than %d px (page %d px)" % (w, scrollw), over)

# The check must be able to fail: a report with one plot removed.
broken = os.path.join(tmp, "broken")
shutil.copytree(report, broken)
victim = sorted(f for f in os.listdir(broken) if f.endswith(".png"))[0]
os.remove(os.path.join(broken, victim))
m, res = image_check(broken)
ok(m is not None and victim in m.group(3) and int(m.group(2)) == int(m.group(1)) - 1,
   "negative control: a missing %s is reported as not loaded" % victim, res.stdout[-500:])

shot = os.path.join(tmp, "report.png")
res = chromium("--window-size=1280,2000", "--hide-scrollbars", "--screenshot=" + shot,
               "file://" + os.path.join(report, "index.html"))
ok(os.path.exists(shot) and os.path.getsize(shot) > 20000, "screenshot of the report (kept with REPORT_TEST_KEEP=1): %s" % shot,
   res.stderr[-1000:])
done()
