#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-shards.t - `snapreport trend SHARD SHARD...` merges the shard trees
# of one kernel matrix (`kernel matrix --shard I/N`) only when they were made
# alike: same harness revision, accelerator, boots per build, repetitions
# per boot, and per scenario the same parameters and duration.  A mix is
# refused with one line naming the field and the two values, exit 2.
# `snapreport merge DST SRC...` makes the same checks, refuses a build or a
# file in two shards, and writes one tree that trend judges as it judges
# the shards.  SYNTHETIC trees: shard 1 boots 6.12.117, shard 2 6.12.118.

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402

tmp = tempdir("report-shards.")
S = ["--scenarios", "munmap-storm,hot-range", "--reps", "4", "--boots", "4", "--revision", "synthetic-r1"]
FIRST = ("6.12.117", 91, [])
plan = {  # tree: (label, seed, flags other than S)
    "shard1": FIRST,
    "shard2": ("6.12.118", 92, []),
    "revision": ("6.12.118", 92, ["--revision", "synthetic-r2"]),
    "accel": ("6.12.118", 92, ["--accel", "kvm"]),
    "boots": ("6.12.118", 92, ["--boots", "2"]),              # 2 boots of 2 repetitions
    "reps": ("6.12.118", 92, ["--reps", "8"]),                # 4 boots of 2 repetitions
    "duration": ("6.12.118", 92, ["--duration", "0.5"]),
    "param": ("6.12.118", 92, ["--set", "mm.pages=8192"]),
    "param1": ("6.12.117", 91, ["--set", "mm.pages=4096"]),
    "fewer": ("6.12.118", 92, ["--scenarios", "munmap-storm"]),
    "userspace": (None, 93, []),
}


def make(item):
    tree, (label, seed, extra) = item
    flags = ["--seed", str(seed)] + S + extra + (["--guest", label] if label else [])
    return make_results(os.path.join(tmp, tree), *flags)


with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(make, plan.items()))
D = {t: os.path.join(tmp, t) for t in plan}


def trend(*trees):
    return run(SNAPREPORT, "trend", *[D[t] for t in trees])


rc, so, se = trend("shard1", "shard2")
ok(rc in (0, 1) and "shard trees differ" not in se and "6.12.117 -> 6.12.118 (baseline)" in so,
   "two shards made alike: merged and compared", so[-800:] + se)
rc, so, se = trend("shard1", "fewer")
ok(rc in (0, 1) and not se, "a scenario only one shard ran is not a mismatch", se)
rc, so, se = trend("shard1", "userspace", "shard2")
ok(rc in (0, 1) and not se, "a userspace tree beside the shards is not a shard", se)

WANT = {
    "revision": "harness revision (context.snapbench_revision): synthetic-r1 in %s, synthetic-r2 in %s",
    "accel": "accelerator: tcg in %s, kvm in %s",
    "boots": "boots per build: 4 in %s, 2 in %s",
    "reps": "repetitions per boot: 1 in %s, 2 in %s",
    "duration": "duration (run.duration_s) of hot-range: 2 in %s, 0.5 in %s",
    "param": "scenario parameter mm.pages of hot-range: absent in %s, 8192 in %s",
}
for tree, want in WANT.items():
    rc, so, se = trend("shard1", tree)
    line = "snapreport: shard trees differ in " + want % (D["shard1"], D[tree])
    ok(rc == 2 and se.startswith(line) and len(se.splitlines()) == 1 and not so,
       "shards that differ in %s: refused, exit 2, one line naming the field and both values"
       % tree, se)
rc, so, se = trend("param1", "param")
ok(rc == 2 and "scenario parameter mm.pages of hot-range: 4096 in %s, 8192 in %s" % (D["param1"], D["param"])
   in se, "a parameter both shards set, to different values", se)
rc, so, se = trend("shard2", "shard1", "revision")
ok(rc == 2 and "synthetic-r1 in %s, synthetic-r2 in %s" % (D["shard2"], D["revision"]) in se,
   "the third of three shards is checked too", se)
rc, so, se = run(SNAPREPORT, "trend", D["shard1"])
ok(rc == 2 and "one kernel build only" in se, "one shard alone: nothing to check, one build", se)

# ---- snapreport merge ------------------------------------------------------------

def merge(dst, *trees):
    return run(SNAPREPORT, "merge", os.path.join(tmp, dst), *[D[t] for t in trees])


def verdicts(*dirs):
    js = os.path.join(tmp, "v-%d.json" % len(os.listdir(tmp)))
    rc, so, se = run(SNAPREPORT, "trend", *dirs, "--json", js)
    doc = json.load(open(js)) if os.path.exists(js) else {"accelerators": []}
    return rc, [(r["build"], r["scenario"], r["strategy"], r["metric"], r["verdict"], r["p"])
                for a in doc["accelerators"] for r in a["rows"]]


rc, so, se = merge("merged", "shard1", "shard2")
m = os.path.join(tmp, "merged")
ok(rc == 0 and "merged" in so and os.path.isdir(os.path.join(m, "kernel", "6.12.117"))
   and os.path.isdir(os.path.join(m, "kernel", "6.12.118")), "merge: two shards into one tree",
   so + se)
a, b = verdicts(m), verdicts(D["shard1"], D["shard2"])
ok(a[1] and a == b, "trend on the merged tree gives the shards' verdicts, row for row", (a[0], b[0]))
rc, so, se = merge("mixed", "shard1", "boots")
ok(rc == 2 and se.startswith("snapreport: shard trees differ in boots per build: 4 in ")
   and not os.path.exists(os.path.join(tmp, "mixed")),
   "merge refuses shards made differently, writes nothing", se)
rc, so, se = merge("twice2", "shard2", "fewer")
ok(rc == 2 and se.strip() == "snapreport: merge: kernel build 6.12.118 is in both %s and %s: shards "
   "split the builds of a matrix" % (D["shard2"], D["fewer"]), "merge refuses a build in two shards", se)
rc, so, se = merge("merged", "shard1", "shard2")
ok(rc == 2 and "exists and is not an empty directory" in se, "merge never writes into a tree", se)
rc, so, se = merge("us", "shard1", "userspace")
ok(rc == 2 and "no kernel results" in se, "merge: a userspace tree is not a shard", se)

done()
