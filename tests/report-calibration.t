#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-calibration.t - `snapreport calibration` and `snapbench run
# --calibration`, round trip: the calibrate-* scenarios run in the model
# plainly, and again with known costs injected (--calibration), relabelled as
# a guest's results, stand for a kernel that spends those costs; the
# calibration computed from the two must recover them, within what sleeping
# costs on a busy machine (spend_ns sleeps at 50 us or more), and the model
# must accept the file it writes.  Then bad input.

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, ok, run  # noqa: E402

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SNAPBENCH = os.path.join(TOP, "build", "snapbench")
SCEN = "calibrate-pass-16,calibrate-pass-256,calibrate-sleep,calibrate-inval,calibrate-munmap"
INJECT = {"pass_ns": 200000, "page_ns": 2000, "sleep_ns": 300000, "inval_ns": 150000, "mmap_ns": 200000}

tmp = tempdir("report-calibration.")
inject = os.path.join(tmp, "inject.ini")
with open(inject, "w") as f:
    f.write("# injected\n[cost]\n" + "".join("%s = %d\n" % kv for kv in INJECT.items()))

F = ["run", "--scenario", SCEN, "--strategy", "rangelock", "--reps", "3", "--duration", "0.2",
     "--set", "run.warmup_s=0.1", "--quiet"]
rc, _, se = run(SNAPBENCH, *F, "--out", os.path.join(tmp, "model"))
ok(rc == 0, "the calibrate-* scenarios run in the model", se)
rc, _, se = run(SNAPBENCH, *F, "--calibration", inject, "--out", os.path.join(tmp, "kern", "kernel", "9.9.9"))
ok(rc == 0, "and with --calibration (every key cost.*)", se)
files = glob.glob(os.path.join(tmp, "kern", "**", "rep-*.json"), recursive=True)
costs_seen = set()
for i, p in enumerate(sorted(files)):
    doc = json.load(open(p))
    ctx = doc["context"]
    costs_seen.add(ctx.get("calibration"))
    ctx.update(environment="guest", kernel_label="9.9.9", accelerator="tcg", boot=ctx["rep"] + 1)
    json.dump(doc, open(p, "w"))
ok(costs_seen == {inject}, "context.calibration names the file", costs_seen)

out = os.path.join(tmp, "cal.ini")
rc, so, se = run(SNAPREPORT, "calibration", os.path.join(tmp, "model"), os.path.join(tmp, "kern"),
                 "--out", out)
ok(rc == 0 and os.path.exists(out), "snapreport calibration writes the file", se)
text = open(out).read() if os.path.exists(out) else ""
got = {k: float(v) for k, v in re.findall(r"^(\w+_ns) = (\d+)$", text, re.M)}
# mmap_ns also holds the remap's wait for a mirror pass to let go of
# mmap_lock (a 16-page pass costs pass_ns + 16 page_ns more on the
# injected side): up to one such pass more.
SLACK = {"mmap_ns": INJECT["pass_ns"] + 16 * INJECT["page_ns"]}
for k, want in INJECT.items():
    ok(k in got and 0.6 * want <= got[k] <= 2.0 * want + SLACK.get(k, 0),
       "%s recovered: injected %d ns, calibrated %s" % (k, want, got.get(k)), text)
ok("# kernel: 9.9.9" in text and "# accelerator: tcg" in text and "not calibrated:" in text,
   "the header names the kernel, the accelerator and what is not calibrated", text)
rc, _, se = run(SNAPBENCH, "run", "--scenario", "hot-range", "--calibration", out, "--check")
ok(rc == 0, "the model accepts the calibration it wrote", se)

# Bad input: one line, exit 2.
rc, _, se = run(SNAPREPORT, "calibration", os.path.join(tmp, "model"))
ok(rc == 2 and "no kernel (guest) runs" in se and len(se.strip().splitlines()) == 1,
   "no kernel runs: one line, exit 2", se)
rc, _, se = run(SNAPREPORT, "calibration", os.path.join(tmp, "kern"))
ok(rc == 2 and "no userspace runs" in se and len(se.strip().splitlines()) == 1,
   "no model runs: one line, exit 2", se)
bad = os.path.join(tmp, "bad.ini")
with open(bad, "w") as f:
    f.write("[cost]\npass_ns = 10\n[mm]\npages = 16\n")
rc, _, se = run(SNAPBENCH, "run", "--scenario", "hot-range", "--calibration", bad, "--check")
ok(rc == 2 and "bad.ini:4: 'mm.pages' is not a cost.* key" in se,
   "a calibration with another key is refused, naming file, line and key", se)
rc, _, se = run(SNAPBENCH, "run", "--scenario", "hot-range", "--calibration", os.path.join(tmp, "none.ini"),
                "--check")
ok(rc == 2 and "none.ini: No such file" in se, "a missing calibration: one line, exit 2", se)
rc, _, se = run(os.path.join(TOP, "harness", "kernel", "run"), "calibrate", "--version", "6.12.118",
                "--set", "cost.pass_ns=5")
ok(rc == 2 and "cost.* calibrates the model; a kernel pays its own costs" in se,
   "kernel calibrate refuses cost.* keys before anything is built", se)
done()
