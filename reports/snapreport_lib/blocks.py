# SPDX-License-Identifier: GPL-2.0
# blocks.py - the paired-by-block alternative to the verdicts' test, kept
# to measure it against the rule (reports/noise-designs), not used by it.
"""A block is a repetition index: one invocation of `snapbench run` runs rep
k of every scenario, strategy and sweep point in its round k (shuffled
rounds, harness/snapbench.c order_runs()), so the two runs of a pair share
a stretch of the host's load.  The paired test is the exact two-sided
Wilcoxon signed-rank test of the per-block log-ratios (stats.signed_rank),
its effect the median per-block ratio.  Measured against the rule's
unpaired Mann-Whitney on the same runs: README, "The noise floor of the
userspace verdicts"."""

from . import stats
from .verdicts import COUNTED_IN_FAILED_RUNS, test_samples, values


def _per_rep(g, name):
    """{rep: value} of metric @name over the runs values() counts, when
    every run of @g ran in shuffled rounds (context.order "shuffled": rep k
    in round k of its invocation) and is its own unit (no guest boots);
    else None."""
    out = {}
    for r in g.runs:
        if r.boot is not None or r.context.get("order") != "shuffled" or \
                not isinstance(r.rep, int) or isinstance(r.rep, bool):
            return None
        if r.hung or (r.failed and name not in COUNTED_IN_FAILED_RUNS):
            continue
        v = r.counter(name)
        if v is None:
            continue
        if r.rep in out:            # two runs of one rep: no longer one block each
            return None
        out[r.rep] = v
    return out


def paired_values(gx, gy, name):
    """([x], [y]) of metric @name in groups @gx and @gy paired by block, or
    None when they cannot be paired.  A block is a repetition index: one
    invocation of `snapbench run` runs rep k of every scenario, strategy and
    sweep point in its round k (shuffled rounds, harness/snapbench.c
    order_runs()), so the two runs of a pair shared a stretch of the host's
    load.  Reps measured on one side only are left out."""
    px, py = _per_rep(gx, name), _per_rep(gy, name)
    if px is None or py is None:
        return None
    common = sorted(set(px) & set(py))
    if not common:
        return None
    return [px[k] for k in common], [py[k] for k in common]


def test(gx, gy, name):
    """Metric @name of group @gy against @gx, paired by block when
    paired_values() can pair them, else verdicts.test_samples().  The
    result has the keys of verdicts.test_samples() plus "pairs" (None when
    unpaired)."""
    vx, vy = values(gx, name), values(gy, name)
    if not vx or not vy:
        return None
    pv = paired_values(gx, gy, name)
    if pv is None:
        return dict(test_samples(vx, vy), pairs=None)
    d = stats.paired_log_ratios(*pv)
    sr = stats.signed_rank(d)
    out = test_samples(vx, vy)
    if not any(v < 0 for v in pv[0] + pv[1]):
        out["change_pct"] = stats.paired_change(d)
    out.update(p=sr["p"], test=sr["method"], pairs=len(d), min_p=stats.min_signed_rank_p(sr["n"]))
    return out
