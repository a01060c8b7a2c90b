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
ok(any(t.startswith("seqretry: 4 of 10 runs ran in the host's other state") for t in ov["host_other_state"]),
   "the verdict names the runs in the other state per strategy", ov["host_other_state"])
ok("host" not in kept and "host" in clean and clean["host"]["runs_in_other_state"] == 0,
   "no probes: no host line; one state: no run in another", (kept.get("host"), clean.get("host")))

# The comparison: one usual state over both sides, and the stretch's runs
# in NEW have no counterpart in BASE's state, so they are not compared.
rc, text, _ = run(SNAPREPORT, "compare", os.path.join(tmp, "clean"), os.path.join(tmp, "stretch"))
ok(rc == 0 and "# host: 16 runs ran in the host's other state" in text
   and "0 headline metrics worse, 0 better" in text,
   "compare sets NEW's stretch against nothing and says so (no change)", text)

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
