#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-host.t - runs measured in the host's two states are compared within
# a state (results.host_states(), verdicts.test(), harness/probe.c), on
# SYNTHETIC results: the host's usual cache-line round trip is 470 ns; in a
# stretch of four rounds it is 160 ns and every strategy runs three times
# faster there (as measured on the 2-core VMs, README "The noise floor of
# the userspace verdicts").  Compared within states, the stretch changes no
# verdict; pooled (results without probes), it does.

import glob
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402
from snapreport_lib import results  # noqa: E402

tmp = tempdir("report-host.")
base = os.path.join(tmp, "base")
make_results(base, "--seed", "7", "--reps", "10", "--scenarios", "baseline,munmap-storm")


def rewrite(src, dst, probe, faster=None, strip=False):
    """Copy tree @src to @dst with host_handoff_ns = probe(rep) per run
    and the runs faster(run) picks 3x faster."""
    shutil.copytree(src, dst)
    for path in glob.glob(os.path.join(dst, "**", "*.json"), recursive=True):
        with open(path) as f:
            doc = json.load(f)
        ctx, b = doc["context"], doc["benchmarks"][0]
        extra = doc.setdefault("snapbench", {})
        if strip:
            extra.pop("host_handoff_ns", None)
        else:
            extra["host_handoff_ns"] = probe(ctx["rep"])
        if faster and faster(ctx):
            for k in list(b):
                if k == "passes_per_s":
                    b[k] *= 3
                elif k in ("cpu_time", "ttm_p99_ns"):
                    b[k] /= 3
        with open(path, "w") as f:
            json.dump(doc, f)


def stretch(ctx):
    return ctx["rep"] in (2, 3, 4, 5)


def usual(rep):
    return [470 + rep, 468 - rep]


def in_stretch(rep):
    return [160.0, 158.0] if rep in (2, 3, 4, 5) else usual(rep)


rewrite(base, os.path.join(tmp, "clean"), usual)
rewrite(base, os.path.join(tmp, "stretch"), in_stretch, stretch)
rewrite(os.path.join(tmp, "stretch"), os.path.join(tmp, "noprobe"), None, strip=True)


def verdicts(name):
    out = os.path.join(tmp, "html-" + name)
    rc, so, se = run(SNAPREPORT, "html", os.path.join(tmp, name), "--out", out)
    text = so + se
    if rc != 0:
        return None, text
    with open(os.path.join(out, "verdicts.json")) as f:
        return json.load(f), text


def picks(doc):
    return {s["scenario"]: (s["questions"]["overall"]["verdict"], s["questions"]["overall"]["picks"])
            for s in doc["scenarios"]}


clean, t0 = verdicts("clean")
left, t1 = verdicts("stretch")
kept, t2 = verdicts("noprobe")
if not ok(clean and left and kept, "snapreport html reads every tree", "\n".join(map(str, (t0, t1, t2)))):
    done()
ok(picks(left) == picks(clean), "compared within states: every verdict as without the stretch",
   "%s vs %s" % (picks(left), picks(clean)))
ok(picks(kept) != picks(clean), "pooled (no probes), the stretch changes a verdict: the test can fail",
   "%s vs %s" % (picks(kept), picks(clean)))
ok(left.get("host", {}).get("runs_in_other_state") == 16 and 460 < left["host"]["usual_handoff_ns"] < 480,
   "verdicts.json: 16 runs in the other state (4 rounds x 2 strategies x 2 scenarios), usual 470 ns",
   left.get("host"))
ov = next(s for s in left["scenarios"] if s["scenario"] == "baseline")["questions"]["overall"]
ok(any(t.startswith("seqretry: 4 of 10 runs in the host's fast state") for t in ov["host_states"]),
   "the verdict says how many runs of each strategy ran in the fast state", ov["host_states"])
ok("host" not in kept and "host" in clean and clean["host"]["runs_in_other_state"] == 0,
   "no probes: no host line; one state: no run in another", (kept.get("host"), clean.get("host")))

# The comparison: one usual state over both sides, and the stretch's runs
# in NEW have no counterpart in BASE's state, so they are not compared.
rc, text, _ = run(SNAPREPORT, "compare", os.path.join(tmp, "clean"), os.path.join(tmp, "stretch"))
ok(rc == 0 and "# host: 16 runs ran in the host's other state" in text
   and "0 headline metrics worse, 0 better" in text,
   "compare sets NEW's stretch against nothing and says so (no change)", text)

# NEW ran wholly in the fast state: nothing to set it against, so no
# verdict, whatever its numbers (pooled, it would be "better" everywhere).
allfast = os.path.join(tmp, "allfast")
rewrite(base, allfast, lambda rep: [160.0, 158.0], lambda ctx: True)
rc, text, _ = run(SNAPREPORT, "compare", os.path.join(tmp, "clean"), allfast)
ok(rc == 0 and "0 headline metrics worse, 0 better" in text and "no shared host state" in text,
   "no state in common: not compared (no shared host state)", text)
# The state is absolute (fast, slow) whichever is usual, and files without
# a probe are a state of their own, never pooled with probed ones.
runs = results.load_runs(os.path.join(tmp, "stretch")) + results.load_runs(allfast)
usual_ns, n = results.host_states(runs)
ok(usual_ns < 200 and n == 24 and {r.host_state for r in runs} == {"fast", "slow"},
   "fast as the usual state: 24 slow runs counted as the other one", (usual_ns, n))
mixed = results.load_runs(os.path.join(tmp, "clean")) + results.load_runs(os.path.join(tmp, "noprobe"))
results.host_states(mixed)
ok({r.host_state for r in mixed} == {None}, "one state and unprobed runs: no split",
   {r.host_state for r in mixed})
runs = results.load_runs(os.path.join(tmp, "stretch"))
olds = results.load_runs(os.path.join(tmp, "noprobe"))
for r in olds:
    r.scenario += "-old"
groups = results.group_runs(runs + olds)
from snapreport_lib import verdicts  # noqa: E402
g = {(x.scenario, x.strategy): x for x in groups}
t = verdicts.test(g[("baseline", "rangelock")], g[("baseline", "seqretry")], "passes_per_s")
ok(t["strata"] == ["fast", "slow"] and t["n_x"] == 10, "probed runs: tested within fast and slow", t)

# One state, however wide: nothing left out.
wide = os.path.join(tmp, "wide")
rewrite(base, wide, lambda rep: [300.0 + 25 * rep, 310.0 + 20 * rep])
runs = results.load_runs(wide)
ok(results.host_states(runs)[1] == 0, "probes spread less than 2x apart are one state")

# Bad input: a probe that is not a number.
bad = os.path.join(tmp, "bad")
rewrite(base, bad, lambda rep: "fast")
rc, so, text = run(SNAPREPORT, "html", bad, "--out", os.path.join(tmp, "html-bad"))
ok(rc == 2 and "host_handoff_ns is not a list of positive numbers or nulls" in text
   and len(text.strip().splitlines()) == 1, "a probe that is not a number: one line, exit 2", text)
done()
