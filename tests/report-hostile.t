#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-hostile.t - every reader of result files (harness/check-result,
# snapreport summarize, compare, html) answers a malformed file with one
# line naming the file and the problem, and exit status 2, never a
# traceback; then the readers' fuzz target, briefly, and its regressions.

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, ok, run  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = os.path.join(ROOT, "harness", "check-result")
FUZZ = os.path.join(ROOT, "fuzz", "readers.py")
SEEDS = [os.path.join(ROOT, "fuzz", "corpus", "readers", f) for f in ("valid.json", "hung.json")]
REGRESSIONS = os.path.join(ROOT, "fuzz", "regressions", "readers")

tmp = tempdir("report-hostile.")
with open(SEEDS[0], encoding="utf-8") as f:
    VALID = json.load(f)


def tree(name, text, hung=False):
    """DIR/s/t/rep-0.json holding @text; returns (DIR, the file)."""
    d = os.path.join(tmp, name)
    os.makedirs(os.path.join(d, "s", "t"))
    path = os.path.join(d, "s", "t", "rep-0.hung.json" if hung else "rep-0.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return d, path


def edited(fn):
    doc = json.loads(json.dumps(VALID))
    fn(doc)
    return json.dumps(doc)


def set_path(doc, keys, value):
    for k in keys[:-1]:
        doc = doc[k]
    doc[keys[-1]] = value


good, _ = tree("good", json.dumps(VALID))
CASES = [
    ("top level null", "null", "top level is not an object"),
    ("snapbench.histograms a string",
     edited(lambda d: set_path(d, ["snapbench", "histograms"], "x")), "snapbench.histograms"),
    ("context.scenario_params a string",
     edited(lambda d: set_path(d, ["context", "scenario_params"], "x")), "scenario_params"),
    ("snapbench a list", edited(lambda d: set_path(d, ["snapbench"], [1])), "\"snapbench\""),
    ("100,000 nested arrays", "[" * 100000 + "]" * 100000, "nested too deeply"),
    ("histogram bucket [1]",
     edited(lambda d: set_path(d, ["snapbench", "histograms", "time_to_mirror_ns", "buckets"], [[1]])),
     "time_to_mirror_ns has a bucket [1]"),
    ("NaN", json.dumps(VALID).replace('"passes": ', '"passes": NaN, "x": ', 1), "NaN"),
    ("an integer of 400 digits", edited(lambda d: set_path(d, ["benchmarks", 0, "passes"], 10 ** 400)),
     "out of range"),
    ("not UTF-8", "\xff", "malformed JSON"),
]

for i, (what, text, want) in enumerate(CASES):
    d, path = tree("case%d" % i, text)
    if what == "not UTF-8":
        with open(path, "wb") as f:
            f.write(b"\xff{}")
    for name, argv in (("check-result", [CHECK, path]),
                       ("summarize", [SNAPREPORT, "summarize", d]),
                       ("compare", [SNAPREPORT, "compare", good, d]),
                       ("html", [SNAPREPORT, "html", d, "--out", os.path.join(tmp, "html%d" % i)])):
        rc, so, se = run(*argv)
        lines = se.strip().splitlines()
        ok(rc == 2 and len(lines) == 1 and path in lines[0] and want in lines[0],
           "%s: %s -> exit 2, one line naming the file and the problem" % (name, what),
           "exit %d, stderr:\n%s" % (rc, se))

# A FIFO named like a result file must not block a reader.
d = os.path.join(tmp, "fifo")
os.makedirs(os.path.join(d, "s", "t"))
os.mkfifo(os.path.join(d, "s", "t", "rep-0.json"))
rc, so, se = run(SNAPREPORT, "summarize", d, timeout=30)
ok(rc == 2 and "not a regular file" in se, "summarize: a FIFO named rep-0.json -> exit 2, no wait", se)

# A valid file still reads, in every reader.
rc, so, se = run(CHECK, SEEDS[0], SEEDS[1])
ok(rc == 0, "check-result: the valid and the hung seed are valid", se)
hung_tree, _ = tree("hung", open(SEEDS[1], encoding="utf-8").read(), hung=True)
rc, so, se = run(SNAPREPORT, "summarize", hung_tree)
ok(rc == 0 and "HUNG 1 of 1 runs" in so, "summarize reads the hung seed", se)

# The fuzz target: the seeds and every regression unmutated, then a few
# hundred mutated inputs from a fixed seed (a count, not a time).
regressions = sorted(os.path.join(REGRESSIONS, f) for f in os.listdir(REGRESSIONS)
                     if f.endswith(".json")) if os.path.isdir(REGRESSIONS) else []
crashes = os.path.join(tmp, "crashes")
rc, so, se = run(sys.executable, FUZZ, "--seed", "1", "--execs", "120", "--crashes", crashes,
                 "--replay", *regressions, "--", *SEEDS)
ok(rc == 0 and "0 crashing inputs" in so,
   "fuzz/readers.py: %d regressions and 120 mutated inputs, no crash" % len(regressions), so + se)
print("# " + (so.strip().splitlines() or ["?"])[-1])
shutil.rmtree(crashes, ignore_errors=True)
done()
