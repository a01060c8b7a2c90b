#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-tradeoff.t - beside the Pareto plot: the table of its points, the
# hybrid's position with its numbers, and the tri-state verdict on its goal
# (retries bounded; reclaim/munmap stall p99 within 1.2x of seqretry, judged
# on the bootstrap interval of the ratio of medians), from SYNTHETIC result
# sets where it holds, where it clearly does not, where the intervals
# straddle the line, and where there is no hybrid at all.  The retry bound
# comes from the result files (context.strategy_params.attempts): n/a when
# they do not record it, and a smaller recorded bound fails the check.

import html
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import tempdir, SNAPREPORT, done, make_results, ok, run  # noqa: E402
from snapreport_lib import results, tradeoff  # noqa: E402

tmp = tempdir("report-tradeoff.")
S = ["--scenarios", "baseline,munmap-storm,reclaim-block,reclaim-try", "--reps", "4"]
sets = {
    "good": ["--seed", "1", "--hybrid", "good", "--unsafe", "validflag"] + S,
    "slow": ["--seed", "1", "--hybrid", "slow"] + S,
    # hybrid as good as seqretry, but runs so unlike each other that three
    # repetitions cannot tell 1.0x from 1.2x
    "noisy": ["--seed", "1", "--hybrid", "good", "--noise", "0.6"] + S[:-1] + ["3"],
    "none": ["--seed", "1"] + S,
    # files from before strategy_params was recorded; and a bound of 2
    # recorded while the synthetic hybrid retries up to 3 times
    "old": ["--seed", "1", "--hybrid", "good", "--no-strategy-params"] + S,
    "tight": ["--seed", "1", "--hybrid", "good", "--hybrid-attempts", "2"] + S,
}
with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(lambda kv: make_results(os.path.join(tmp, kv[0]), *kv[1]), sets.items()))
D = {k: os.path.join(tmp, k) for k in sets}


def render(name):
    out = os.path.join(tmp, "html-" + name)
    rc, so, se = run(SNAPREPORT, "html", D[name], "--out", out)
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
    return rc, page, se


with ThreadPoolExecutor(max_workers=2) as pool:
    pages = dict(zip(sets, pool.map(render, sets)))



def hybrid_runs(name):
    return [r for r in results.load_runs(D[name]) if r.strategy == "hybrid"]


bound, source = tradeoff.retry_bound(hybrid_runs("good"))
ok(bound == 3 and "context.strategy_params.attempts" in source,
   "the retry bound is read from the result files (%s: %s)" % (bound, source))
nb, why = tradeoff.retry_bound(hybrid_runs("old"))
ok(nb is None and "do not record context.strategy_params.attempts" in why,
   "files that do not record it: the bound is n/a, not guessed (%s)" % why)
mixed = hybrid_runs("good")[:2] + hybrid_runs("tight")[:2]
nb, why = tradeoff.retry_bound(mixed)
ok(nb is None and "different bounds (2, 3)" in why, "hybrid runs with different bounds: n/a", why)
ok(tradeoff.retry_bound(hybrid_runs("tight"))[0] == 2, "a recorded bound of 2 is read as 2")
bad = hybrid_runs("good")[:1]
bad[0].context["strategy_params"] = {"attempts": "three"}
try:
    tradeoff.retry_bound(bad)
    ok(False, "a bound that is not a whole number is bad input")
except results.InputError as e:
    ok("context.strategy_params.attempts is three, not a whole number" in str(e),
       "a bound that is not a whole number is bad input, naming the file", e)


def after_pareto(page):
    i = page.find('src="userspace-pareto.png"')
    j = page.find("<h2", i)
    return page[i:j] if i >= 0 else ""


RATIO = re.compile(r'<td class="num">(\d+\.\d\d)x <span class="ci">\[(\d+\.\d\d)x, (\d+\.\d\d)x\]</span></td>'
                   r'<td>(yes|<span class="bad">no</span>|undecided)</td>')


def goal_of(page):
    part = after_pareto(page)
    return part[part.find('<h3 id="hybrid-goal-userspace">'):]


# --- goal met ---------------------------------------------------------------
rc, page, se = pages["good"]
part = after_pareto(page)
ok(rc == 0 and part, "good: html exit 0, the Pareto plot drawn", se)
points = re.findall(r"<tr><td>([^<]+)</td><td><span[^>]*>([^<]+)</span></td>", part.split("Does ")[0])
ok({(s, st) for s, st in points} >= {(sc, st) for sc in ("reclaim-block", "reclaim-try")
                                     for st in ("hybrid", "seqretry", "rangelock")},
   "good: the points table has every strategy of every plotted scenario", points)
ok(not any(st == "validflag" for _, st in points),
   "good: a known-unsafe strategy is not a point of the trade-off")
ok(re.search(r"time to mirror p99</th>.*?\d+ µs <span class=\"ci\">\[\d", part, re.S) is not None,
   "good: medians with their intervals")
goal = goal_of(page)
ok('<b>Verdict: met.</b> In all 3 storm scenarios no hybrid pass retried more than 3 times, '
   "and all 5 reclaim/munmap stall p99 ratios" in goal,
   "good: verdict met in the 3 storm scenarios (baseline is not one)", goal[:1500])
ok("Retry bound: at most 3 retries per pass (context.strategy_params.attempts of the hybrid "
   "result files)" in goal, "good: the report says where the bound comes from", goal[:1500])
pos = re.findall(r"<li>([\w-]+): time to mirror p99 [\d.]+ µs <span class=\"ci\">\[[^]]+\]</span>, "
                 r"(reclaim|direct_reclaim) stall p99 [\d.]+ µs <span class=\"ci\">\[[^]]+\]</span> — <b>"
                 r"(on the front|dominated)", goal)
ok(sorted(p[0] for p in pos) == ["reclaim-block", "reclaim-try"],
   "good: hybrid's position on the plot, per plotted scenario, with its numbers (%s)" % pos, goal[:2500])
ok(re.search(r"<td>munmap-storm</td><td class=\"num\">\d+ / \d+ / 0</td><td>yes</td>"
             r"<td class=\"num\">[\d.]+% \[[\d.]+%, [\d.]+%\]</td><td>munmap</td>", goal),
   "good: munmap-storm: worst retries hybrid / seqretry / rangelock, share of locked passes, munmap stall",
   goal[:3000])
ratios = [(float(m), float(lo), float(hi), v) for m, lo, hi, v in RATIO.findall(goal)]
ok(len(ratios) == 5 and all(0.8 < m < 1.2 and lo <= m <= hi <= 1.2 and v == "yes" for m, lo, hi, v in ratios),
   "good: one ratio with its interval per scenario and stall kind, all intervals below 1.2x (%s)" % ratios)

# --- goal missed ----------------------------------------------------------------
rc, page, se = pages["slow"]
goal = goal_of(page)
ok(rc == 0 and "<b>Verdict: not met.</b>" in goal, "slow: verdict not met", se or goal[:800])
ratios = [(float(m), float(lo), float(hi), v) for m, lo, hi, v in RATIO.findall(goal)]
ok(len(ratios) == 5 and all(1.5 < m < 2.5 and lo > 1.2 for m, lo, hi, v in ratios)
   and all(v == '<span class="bad">no</span>' for *_, v in ratios),
   "slow: the ratios say by how much, every interval above the line (%s)" % ratios)
ok(re.search(r"munmap stall p99 \d\.\d\dx \[\d\.\d\dx, \d\.\d\dx\] seqretry's in munmap-storm, the "
             r"whole interval above 1.2x; [\d.]+% of hybrid passes took the range lock there",
             html.unescape(goal)) is not None,
   "slow: the verdict names where, by how much, and how often hybrid took the lock there")

# --- not enough evidence ----------------------------------------------------------
rc, page, se = pages["noisy"]
goal = goal_of(page)
ratios = [(float(m), float(lo), float(hi), v) for m, lo, hi, v in RATIO.findall(goal)]
ok(rc == 0 and "<b>Verdict: not enough evidence.</b>" in goal and "Verdict: met" not in goal,
   "noisy: the intervals straddle the line: not enough evidence, not met", goal[:800])
ok(ratios and any(lo <= 1.2 < hi and v == "undecided" for m, lo, hi, v in ratios)
   and not any(lo > 1.2 for m, lo, hi, v in ratios),
   "noisy: undecided rows are the ones whose interval contains 1.2x (%s)" % ratios)
ok(re.search(r"stall p99 \d\.\d\dx \[\d\.\d\dx, \d\.\d\dx\] seqretry's in [\w-]+: the interval "
             r"straddles 1.2x", html.unescape(goal)) is not None,
   "noisy: the verdict says which interval straddles the line")

# --- no hybrid ------------------------------------------------------------------
rc, page, se = pages["none"]
part = after_pareto(page)
ok(rc == 0 and "No hybrid runs in a storm scenario" in part and "Verdict: met" not in part
   and "<b>not enough evidence</b>" in part,
   "none: no hybrid, not enough evidence", se)
ok("<td>reclaim-block</td><td><span" in part, "none: the points table is still there")

# --- the bound from the files: n/a without it, failed when it is smaller ---------
rc, page, se = pages["old"]
goal = goal_of(page)
ok(rc == 0 and "Retry bound: n/a (" in goal and "do not record context.strategy_params.attempts" in goal
   and "<b>Verdict: not enough evidence.</b>" in goal
   and "the retry bound is n/a: the result files do not record it" in goal,
   "old files: the bound is n/a and the verdict is not enough evidence, never met", se or goal[:1500])
rc, page, se = pages["tight"]
goal = goal_of(page)
ok(rc == 0 and "<b>Verdict: not met.</b>" in goal and "(bound 2)" in goal,
   "files that record 2 attempts while passes retried 3 times: not met", se or goal[:1500])

# --- the rules, on the groups directly ----------------------------------------
groups = results.group_runs(results.load_runs(D["good"]))
rows, summ = tradeoff.evaluate(groups, bound)
ok(summ["verdict"] == "met", "the good groups: met (%s)" % summ["verdict"])
rows, summ = tradeoff.evaluate(groups, 0)
ok(summ["retry_fail"] and summ["verdict"] == "not met", "a bound of 0 retries fails the retry check")
rows, summ = tradeoff.evaluate(groups, None)
ok(summ["retry_unknown"] and summ["verdict"] == "not enough evidence",
   "an unknown bound is not enough evidence, not met")
rows, summ = tradeoff.evaluate([g for g in groups if g.strategy != "seqretry"], bound)
ok(summ["stall_checked"] == 0 and summ["verdict"] == "not enough evidence",
   "without seqretry nothing is judged: not enough evidence")
few = [g for g in groups]
for g in few:
    if g.strategy == "hybrid":
        g.ok_runs = g.ok_runs[:2]
        g._summary = {}
rows, summ = tradeoff.evaluate(few, bound)
ok(summ["verdict"] == "not enough evidence" and summ["stall_undecided"]
   and not any(s["enough"] for _, s in summ["stall_undecided"]),
   "two repetitions are too few to judge a stall")
sv = tradeoff.stall_verdict
ok(sv(0.9, 1.3, 1.2) == "undecided" and sv(1.21, 2.0, 1.2) == "beyond" and sv(0.8, 1.2, 1.2) == "within"
   and sv(None, None, 1.2) == "undecided" and sv(0.8, 1.0, 1.2, enough=False) == "undecided",
   "stall verdicts: straddling is undecided, all above beyond, all at or below within")
r, lo, hi = tradeoff.ratio_of_medians([12, 12, 12, 12], [10, 10, 10, 10])
ok(abs(r - 1.2) < 1e-12 and abs(lo - 1.2) < 1e-12 and abs(hi - 1.2) < 1e-12,
   "ratio of medians: 12 vs 10 without spread is 1.2 [1.2, 1.2]")
done()
