#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-stats.t - snapreport's statistics against hand-computed values:
# Mann-Whitney U (exact and normal), bootstrap intervals, HIST percentiles.

import itertools
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import close, done, ok  # noqa: E402
from snapreport_lib import stats  # noqa: E402
import make_results  # noqa: E402

# --- Mann-Whitney U, exact ------------------------------------------------
# (3, 3): the 20 splits of six ranks give U = 0..9 with counts 1 1 2 3 3 3 3 2 1 1.
ok(stats.u_distribution(3, 3) == [1, 1, 2, 3, 3, 3, 3, 2, 1, 1], "U distribution for n = 3, 3")
r = stats.mann_whitney([1, 2, 3], [4, 5, 6])
ok(r["u"] == 0 and r["method"] == "exact" and close(r["p"], 0.1),
   "separated 3 vs 3: U = 0, exact p = 2/20 = 0.1", r)
r = stats.mann_whitney([5, 6, 7, 8], [1, 2, 3, 4])
ok(r["u"] == 16 and r["u_min"] == 0 and close(r["p"], 2 / 70.0),
   "separated 4 vs 4: U = 16 (min 0), exact p = 2/70", r)
# Textbook table: n1 = n2 = 5, two-sided alpha 0.05, critical U = 2.
# P(U <= 2) = (1 + 1 + 2)/252, P(U <= 3) = 7/252.
r2 = stats.mann_whitney([1, 2, 3, 5, 6], [4, 7, 8, 9, 10])     # 5 > 4, 6 > 4
ok(r2["u_min"] == 2 and close(r2["p"], 8 / 252.0) and r2["p"] < 0.05,
   "5 vs 5, U = 2: p = 8/252 = 0.0317, significant at 0.05", r2)
r3 = stats.mann_whitney([1, 2, 4, 5, 6], [3, 7, 8, 9, 10])     # 4, 5, 6 > 3
ok(r3["u_min"] == 3 and close(r3["p"], 14 / 252.0) and r3["p"] > 0.05,
   "5 vs 5, U = 3: p = 14/252 = 0.0556, not significant", r3)
# U counted by hand: x = 1.5 3.2 7 9 against y = 2 4 5 8 10:
# 1.5 beats none, 3.2 beats 2, 7 beats 2 4 5, 9 beats 2 4 5 8 -> U = 8.
x, y = [1.5, 3.2, 7, 9], [2, 4, 5, 8, 10]
r = stats.mann_whitney(x, y)
allv = sorted(x + y)
us = []
for pick in itertools.combinations(range(9), 4):          # brute force
    xs = [allv[i] for i in pick]
    ys = [allv[i] for i in range(9) if i not in pick]
    us.append(sum(1 for a in xs for b in ys if a > b))
brute = min(1.0, 2 * sum(1 for u in us if u <= 8) / len(us))
ok(r["u"] == 8 and close(r["p"], brute), "U = 8 and p = %.4f match brute-force enumeration" % brute, r)
ok(close(stats.mann_whitney(y, x)["p"], r["p"]), "two-sided p is symmetric in the samples")

# --- Mann-Whitney U, normal approximation with ties ----------------------
# x = 1 2 2 3, y = 2 3 4 5.  Mid-ranks: 1 -> 1; 2 2 2 -> 3; 3 3 -> 5.5; 4 -> 7; 5 -> 8.
# R1 = 1 + 3 + 3 + 5.5 = 12.5, U = 12.5 - 10 = 2.5.  Ties 3 and 2:
# sum(t^3 - t) = 24 + 6 = 30; var = 16/12 * (9 - 30/56) = 11.2857;
# z = (|2.5 - 8| - 0.5)/sqrt(11.2857) = 1.48835; p = erfc(z/sqrt 2) = 0.136658.
r = stats.mann_whitney([1, 2, 2, 3], [2, 3, 4, 5], method="normal")
ok(r["method"] == "normal" and r["u"] == 2.5 and abs(r["p"] - 0.136658) < 1e-5,
   "ties, normal approximation: U = 2.5, p = 0.136658", r)

# --- Mann-Whitney U, small samples with ties: every split enumerated ------
# 3 3 3 vs 4 4 5 is fully separated: only 2 of the 20 splits are as extreme,
# p = 0.1 exactly (the normal approximation would say 0.059).
r = stats.mann_whitney([3, 3, 3], [4, 4, 5])
ok(r["method"] == "exact-ties" and close(r["p"], 0.1), "3 3 3 vs 4 4 5: exact p = 0.1 with ties", r)


def brute_ties(x, y):
    """U by counting pairs (ties 1/2) over every split: independent of ranks."""
    allv = x + y
    mean = len(x) * len(y) / 2.0

    def u_of(xs, ys):
        return sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in xs for b in ys)
    obs = abs(u_of(x, y) - mean)
    hits = total = 0
    for pick in itertools.combinations(range(len(allv)), len(x)):
        xs = [allv[i] for i in pick]
        ys = [allv[i] for i in range(len(allv)) if i not in pick]
        total += 1
        hits += abs(u_of(xs, ys) - mean) >= obs - 1e-9
    return hits / total


x, y = [1, 2, 2, 3], [2, 3, 4, 5]
r = stats.mann_whitney(x, y)
ok(r["method"] == "exact-ties" and close(r["p"], brute_ties(x, y)) and close(r["p"], 14 / 70.0),
   "1 2 2 3 vs 2 3 4 5: exact-ties p = 14/70 matches pair counting over all splits", r)
x, y = [0, 0, 1, 1, 1, 4], [1, 2, 2, 3, 3]
r = stats.mann_whitney(x, y)
ok(close(r["p"], brute_ties(x, y)), "0 0 1 1 1 4 vs 1 2 2 3 3: p = %.4f matches pair counting" % r["p"], r)
tx = [i // 3 for i in range(30)]
ty = [i // 3 + 2 for i in range(30)]
r = stats.mann_whitney(tx, ty)
ok(r["method"] == "normal", "30 vs 30 with ties: too many splits, normal approximation", r)
r = stats.mann_whitney([7, 7, 7], [7, 7, 7, 7])
ok(r["p"] == 1.0, "all values equal: p = 1", r)
big_x = [i * 2.0 for i in range(25)]
big_y = [i * 2.0 + 11 for i in range(25)]
r = stats.mann_whitney(big_x, big_y)
# U = sum over x of the y's below it: y_j = 2j + 11 < 2i  <=>  j < i - 5.5
u_hand = sum(max(0, min(25, i - 5)) for i in range(25))
mu, sd = 25 * 25 / 2.0, math.sqrt(25 * 25 * 51 / 12.0)
p_hand = math.erfc((abs(u_hand - mu) - 0.5) / sd / math.sqrt(2))
ok(r["method"] == "normal" and r["u"] == u_hand and close(r["p"], p_hand),
   "n1 + n2 = 50 > %d: normal approximation, U = %d, p = %.4g" % (stats.EXACT_MAX_N, u_hand, p_hand), r)
ok(close(stats.min_exact_p(3, 3), 0.1) and close(stats.min_exact_p(5, 5), 2 / 252.0),
   "smallest exact p: 0.1 for 3 vs 3, 2/252 for 5 vs 5")

# --- order-statistic intervals of the median ----------------------------
lo, hi, cov, kind = stats.median_interval([42.0] * 7)
ok(lo == 42.0 and hi == 42.0 and kind == "95%", "constant sample: the interval is the constant", (lo, hi))
ok(stats.median([3, 1, 2]) == 2 and stats.median([4, 1, 3, 2]) == 2.5, "median, odd and even n")
# Hand-computed: n = 3: only [min, max], coverage 1 - 2/8 = 75%: a "range".
ok(stats.median_interval([5, 1, 3]) == (1, 5, 0.75, "range"),
   "n = 3: the range, with its real coverage 75%", stats.median_interval([5, 1, 3]))
ok(stats.median_interval(list(range(5)))[2:] == (1 - 2 / 32.0, "range"),
   "n = 5: still a range (93.75% < 95%)")
ok(stats.median_interval(list(range(6)))[2:] == (1 - 2 / 64.0, "95%"),
   "n = 6: [x(1), x(6)] covers with 96.9%")
# n = 10: k = 2 gives 1 - 2 (1 + 10)/1024 = 97.85%; k = 3 only 89%.
ok(stats.median_interval(list(range(10))) == (1, 8, 1 - 22 / 1024.0, "95%"),
   "n = 10: [x(2), x(9)], coverage 97.85%", stats.median_interval(list(range(10))))
ok(stats.interval_kind(3) == "range" and stats.interval_kind(8) == "95%", "interval_kind")
# Coverage, simulated: the median of an exponential(1) is ln 2.
rng = random.Random(11)
for n, want in ((5, 1 - 2 / 32.0), (12, stats.median_interval(list(range(12)))[2])):
    trials, covered = 2000, 0
    for _ in range(trials):
        lo, hi, _, _ = stats.median_interval([rng.expovariate(1.0) for _ in range(n)])
        covered += lo <= math.log(2) <= hi
    ok(abs(covered / trials - want) < 0.025,
       "n = %d: simulated coverage %.3f matches the binomial %.3f" % (n, covered / trials, want))
dlo, dhi, rlo, rhi = stats.bootstrap_diff_ci([10.0] * 5, [12.0] * 5)
ok((dlo, dhi, rlo, rhi) == (2.0, 2.0, 1.2, 1.2), "difference and ratio of constants",
   (dlo, dhi, rlo, rhi))
dlo, dhi, rlo, rhi = stats.bootstrap_diff_ci([0.0, 0.0, 1.0], [3.0, 4.0, 5.0])
ok(rlo is None and rhi is None and dlo <= dhi, "ratio undefined when a base median can be 0")

# --- Wilcoxon signed-rank, paired by block ---------------------------------
# Five positive differences, ranks 1..5: W+ = 15, only 1 of the 32 sign
# patterns reaches it and 1 (all negative) the other tail: p = 2/32.
r = stats.signed_rank([1, 2, 3, 4, 5])
ok(r["w"] == 15 and r["n"] == 5 and close(r["p"], 2 / 32.0), "signed-rank, 5 of 5 up: p = 2/32", r)
# 1 -2 3 4 5: W+ = 13, E = 7.5; subsets of 1..5 summing to >= 13: {1..5},
# {2..5}, {1,3,4,5}; <= 2: {}, {1}, {2}: p = 6/32.
r = stats.signed_rank([1, -2, 3, 4, 5])
ok(r["w"] == 13 and close(r["p"], 6 / 32.0), "signed-rank 1 -2 3 4 5: W+ = 13, p = 6/32", r)
# Ties and a zero: 0 1 1 -1 2 -> the zero dropped, |d| 1 1 1 2 get mid-ranks
# 2 2 2 4; W+ = 2 + 2 + 4 = 8, E = 5; sums >= 8: {2,2,4} x3, {2,2,2,4};
# <= 2: {}, {2} x3: p = 8/16.
r = stats.signed_rank([0, 1, 1, -1, 2])
ok(r["n"] == 4 and r["w"] == 8 and close(r["p"], 0.5), "signed-rank with a zero and ties: p = 8/16", r)
ok(stats.signed_rank([0, 0])["p"] == 1.0, "signed-rank of no change: p = 1")
# Brute force over every sign pattern for a tied sample.
d = [0.5, -1.5, 1.5, 2.0, 2.0, 3.0, -0.25]
r = stats.signed_rank(d)
ranks = {0.25: 1, 0.5: 2, 1.5: 3.5, 2.0: 5.5, 3.0: 7}
rk = [ranks[abs(v)] for v in d]
w = sum(x for x, v in zip(rk, d) if v > 0)
mean = sum(rk) / 2.0
hits = sum(1 for signs in itertools.product((0, 1), repeat=len(d))
           if abs(sum(x for x, s in zip(rk, signs) if s) - mean) >= abs(w - mean) - 1e-9)
ok(close(r["w"], w) and close(r["p"], hits / 2.0 ** len(d)),
   "signed-rank with ties: W+ = %g, p = %d/128 as every sign pattern enumerated" % (w, hits), r)
ok(close(stats.min_signed_rank_p(10), 2 / 1024.0) and stats.min_signed_rank_p(0) == 1.0,
   "smallest signed-rank p with 10 pairs: 2/1024")
# Log-ratios: 10 -> 11 is ln 1.1; 0 -> 3 is +inf (the largest change); 0 -> 0 none.
lr = stats.paired_log_ratios([10, 0, 0, 8], [11, 3, 0, 4])
ok(close(lr[0], math.log(1.1)) and lr[1] == math.inf and lr[2] == 0.0 and close(lr[3], math.log(0.5)),
   "paired log-ratios: ln 1.1, +inf from zero, 0 for two zeros, ln 0.5", lr)
ok(stats.paired_log_ratios([1, -2], [2, 1]) == [1, 3], "differences instead when a value is negative")
# Median per-block ratio: ratios 1.1 1.2 0.9 -> median 1.1 -> +10%.
ok(close(stats.paired_change([math.log(1.1), math.log(1.2), math.log(0.9)]), 10.0),
   "paired change: the median per-block ratio, +10%")
try:
    stats.paired_log_ratios([1, 2], [1])
    ok(False, "paired samples of different sizes refused")
except ValueError:
    ok(True, "paired samples of different sizes refused")

# --- HIST percentiles (harness/RESULTS.md) --------------------------------
h = {"count": 10, "min": 0, "max": 3, "sum": 9, "overflow": 0,
     "buckets": [[0, 0, 5], [1, 1, 3], [2, 3, 2]]}
# ranks ceil(p/100 * 10): p50 -> 5 (bucket [0,0]), p51 -> 6 ([1,1]), p80 -> 8,
# p81 -> 9 ([2,3]: hi 3), p100 -> max.
ok([stats.hist_percentile(h, p) for p in (50, 51, 80, 81, 100)] == [0, 1, 1, 3, 3],
   "rank ceil(p/100 * count), bucket hi")
h2 = {"count": 4, "min": 130, "max": 200, "sum": 640, "overflow": 0, "buckets": [[128, 255, 4]]}
ok(stats.hist_percentile(h2, 50) == 200, "bucket hi clamped to max")
h3 = {"count": 10, "min": 1, "max": 10 ** 9, "sum": 0, "overflow": 2, "buckets": [[1, 1, 8]]}
ok(stats.hist_percentile(h3, 80) == 1 and stats.hist_percentile(h3, 90) == 10 ** 9,
   "a rank among overflowed samples gives max")
ok(stats.hist_percentile({"count": 0, "buckets": []}, 99) is None, "empty histogram: no percentile")
rng = random.Random(3)
samples = [int(rng.lognormvariate(9, 1.2)) + 1 for _ in range(5000)]
hist = make_results.hist_from(samples, "ns")
same = all(stats.hist_percentile(hist, p) == make_results.percentile(hist, p)
           for p in (1, 10, 50, 90, 99, 99.9, 99.99, 100))
ok(same, "agrees with the fixture generator's copy of the rule on 5000 samples")
exact = sorted(samples)[math.ceil(0.99 * 5000) - 1]
p99 = stats.hist_percentile(hist, 99)
ok(exact <= p99 <= exact * (1 + 2.0 ** -6), "p99 from the histogram within one bucket of the exact p99",
   (exact, p99))
m = stats.hist_merge([hist, hist])
ok(m["count"] == 10000 and stats.hist_percentile(m, 99) == p99, "merging a histogram with itself")
# --- Mann-Whitney within strata (the host's two states) -------------------
# One stratum: the plain exact test.
r = stats.mann_whitney_strata([([5, 6, 7, 8], [1, 2, 3, 4])])
ok(close(r["p"], 2 / 70.0) and r["method"] == "exact-strata" and close(r["min_p"], 2 / 70.0),
   "one stratum: p = the exact Mann-Whitney p", r)


def brute(strata):
    """Two-sided p by every arrangement within each stratum."""
    obs = sum(stats.mann_whitney(x, y)["u"] for x, y in strata)
    mean = sum(len(x) * len(y) / 2.0 for x, y in strata)
    per = []
    for x, y in strata:
        pool = list(x) + list(y)
        per.append([stats.mann_whitney([pool[i] for i in pick],
                                       [pool[i] for i in range(len(pool)) if i not in pick])["u"]
                    for pick in itertools.combinations(range(len(pool)), len(x))])
    us = [sum(c) for c in itertools.product(*per)]
    lo = sum(1 for u in us if u <= obs) / len(us)
    hi = sum(1 for u in us if u >= obs) / len(us)
    return min(1.0, 2 * min(lo, hi)), mean


strata = [([30, 31, 35], [10, 12, 33]), ([300, 320, 310, 330], [100, 305, 110])]
r = stats.mann_whitney_strata(strata)
want, _ = brute(strata)
ok(close(r["p"], want) and r["method"] == "exact-strata", "two strata: p as every arrangement within them gives",
   (r, want))
# A fast stratum beside a slow one: pooled, x's slow runs sit below y's
# fast ones and hide the difference; within strata it stands.
fast, slow = ([12, 13, 14], [10, 10.5, 11]), ([310, 320, 330, 340], [290, 295, 300, 305])
pooled = stats.mann_whitney(fast[0] + slow[0], fast[1] + slow[1])["p"]
r = stats.mann_whitney_strata([fast, slow])
ok(r["p"] < 0.01 < pooled, "within strata a difference hidden by pooling stands (p %.3g, pooled %.3g)"
   % (r["p"], pooled), r)
for tied in ([([0, 0, 1, 2], [0, 0, 0, 0]), ([0, 1, 1], [0, 0, 0])],
              [([3, 3, 4], [3, 3, 3]), ([5, 5, 6, 7], [5, 5, 5, 5])]):
    r = stats.mann_whitney_strata(tied)
    want, _ = brute(tied)
    ok(close(r["p"], want) and r["method"] == "exact-strata",
       "ties within strata: exact, as every arrangement gives (p %.3g)" % want, (r, want))
big = [([float(i % 3) for i in range(12)], [float(i % 4) for i in range(12)])] * 2
r = stats.mann_whitney_strata(big)
ok(r["method"] == "normal-strata" and 0 < r["p"] <= 1 and close(r["min_p"], 2.0 / math.comb(24, 12) ** 2),
   "too many tied arrangements: the normal approximation", r)

done()
