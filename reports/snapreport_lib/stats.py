# SPDX-License-Identifier: GPL-2.0
# stats.py - the statistics of snapreport: medians, histogram percentiles,
# order-statistic intervals of the median, bootstrap intervals of differences
# and the Mann-Whitney U test.
"""Statistics over repetitions.  Every method is written out here, in
the standard library only, so the report can say exactly what it did.

median          the middle value; the mean of the two middle values when n
                is even.
hist_percentile the rule of harness/RESULTS.md: the `hi` of the first
                bucket at which the cumulative count reaches
                ceil(p/100 * count), clamped to `max`; `max` when that rank
                falls among overflowed samples.
median_interval distribution-free interval of the median from order
                statistics: sorted x(1) <= ... <= x(n), [x(k), x(n+1-k)]
                covers the true median with probability exactly
                1 - 2 P(Bin(n, 1/2) <= k - 1) for continuous data (at
                least that with ties); the largest k whose coverage is
                >= MEDIAN_LEVEL.  When even k = 1 falls short (n <= 5:
                1 - 2^(1-n), 94% at n = 5, 75% at n = 3) the interval is
                the range [min, max], labelled "range" with its coverage.
bootstrap       percentile bootstrap (differences and ratios of medians
                only): BOOT_RESAMPLES resamples with
                replacement, a fresh random.Random(BOOT_SEED) for every
                interval (so one interval does not depend on another), the
                statistic sorted, the 95% interval is
                [s[floor(B*0.025)], s[B - 1 - floor(B*0.025)]].
mann_whitney    two-sided U test, p = P(|U - n1*n2/2| >= |u - n1*n2/2|):
                "exact": no ties and n1 + n2 <= EXACT_MAX_N, the permutation
                distribution of U counted by recurrence;
                "exact-ties": ties and C(n1 + n2, n1) <= EXACT_TIES_MAX_SPLITS,
                every split of the mid-ranks enumerated (the normal
                approximation is badly anti-conservative there: 3 3 3 vs
                4 4 5 would give p = 0.059 instead of 0.1);
                "normal": otherwise, the normal approximation with the
                tie-corrected variance and a 0.5 continuity correction.
cliffs_delta    effect size from U: P(x > y) - P(x < y), ties counting 0.
paired_log_ratios
                pairs (x_i, y_i) of one block each (runs adjacent in time,
                verdicts.paired_values()): d_i = ln y_i - ln x_i, with
                ln 0 = -inf so a pair with one zero is the largest change
                (+-inf) and a pair of zeros no change (0); plain
                differences y_i - x_i when any value is negative.
signed_rank     two-sided Wilcoxon signed-rank test of paired differences:
                zeros dropped (Wilcoxon's rule), |d| given mid-ranks,
                W+ = sum of the ranks of the positive d; p = P(|W+ - E| >=
                |w - E|) under random signs, E = sum(ranks)/2, always
                exact: the distribution of W+ over the 2^n sign patterns
                counted by recurrence over the doubled (integer) mid-ranks,
                so ties are exact too.  No nonzero difference: p = 1.
paired_change   the effect of a paired comparison: exp(median(d)) - 1 in
                percent (the median of the per-block ratios), +-inf when
                that median is +-inf.
"""

import itertools
import math
import random

BOOT_RESAMPLES = 2000
BOOT_SEED = 20151
BOOT_LEVEL = 0.95
EXACT_MAX_N = 40
EXACT_TIES_MAX_SPLITS = 20000


def median(values):
    """Median of a non-empty sequence of numbers."""
    s = sorted(values)
    n = len(s)
    if n == 0:
        raise ValueError("median of no values")
    mid = n // 2
    if n % 2:
        return float(s[mid])
    return (s[mid - 1] + s[mid]) / 2.0


def hist_percentile(hist, p):
    """Percentile @p (0 < p <= 100) of a RESULTS.md HIST, or None if empty."""
    count = hist.get("count", 0)
    if count <= 0:
        return None
    hmax = hist["max"]
    if p >= 100:
        return float(hmax)
    rank = max(1, math.ceil(p / 100.0 * count))
    cum = 0
    for lo, hi, n in hist["buckets"]:
        cum += n
        if cum >= rank:
            return float(min(hi, hmax))
    return float(hmax)          # the rank is among the overflowed samples


def hist_merge(hists):
    """Sum histograms bucket by bucket (same [lo, hi] ranges add up)."""
    counts = {}
    out = {"count": 0, "overflow": 0, "sum": 0, "min": None, "max": None}
    for h in hists:
        if not h or h.get("count", 0) <= 0:
            continue
        out["count"] += h["count"]
        out["overflow"] += h.get("overflow", 0)
        out["sum"] += h.get("sum", 0)
        out["min"] = h["min"] if out["min"] is None else min(out["min"], h["min"])
        out["max"] = h["max"] if out["max"] is None else max(out["max"], h["max"])
        for lo, hi, n in h["buckets"]:
            counts[(lo, hi)] = counts.get((lo, hi), 0) + n
    out["buckets"] = [[lo, hi, n] for (lo, hi), n in sorted(counts.items())]
    return out


def _interval(stats):
    stats.sort()
    b = len(stats)
    k = int(math.floor(b * (1.0 - BOOT_LEVEL) / 2.0))
    return stats[k], stats[b - 1 - k]


MEDIAN_LEVEL = 0.95


def median_interval(values):
    """Order-statistic interval of the median of @values (module comment).
    Returns (lo, hi, coverage, kind): kind is "95%" when coverage >=
    MEDIAN_LEVEL, else "range" (lo, hi = min, max; n too small)."""
    s = sorted(values)
    n = len(s)
    if n == 0:
        raise ValueError("interval of no values")
    best, cdf = None, 0.0
    for k in range(1, n // 2 + 1):
        cdf += math.comb(n, k - 1) / 2.0 ** n         # P(Bin(n, 1/2) <= k - 1)
        coverage = 1.0 - 2.0 * cdf
        if coverage < MEDIAN_LEVEL:
            break
        best = (s[k - 1], s[n - k], coverage, "95%")
    if best:
        return best
    return (s[0], s[-1], max(0.0, 1.0 - 2.0 / 2.0 ** n), "range")


def wilson_interval(k, n, z=1.959964):
    """95% Wilson score interval of a proportion, @k successes of @n:
    (lo, hi), or None for n = 0."""
    if n <= 0:
        return None
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def interval_kind(n):
    """"95%" when @n samples give an order-statistic interval of the median
    with that coverage, "range" when they are too few (n <= 5)."""
    return median_interval([0.0] * n)[3] if n > 0 else "range"


def bootstrap_diff_ci(base, new):
    """95% bootstrap intervals of median(new) - median(base) and, when every
    resampled base median is positive, of median(new) / median(base).
    Each sample is resampled on its own.  Returns (diff_lo, diff_hi,
    ratio_lo, ratio_hi) with the ratio bounds None when undefined."""
    base, new = list(base), list(new)
    rng = random.Random(BOOT_SEED)
    diffs, ratios = [], []
    for _ in range(BOOT_RESAMPLES):
        mb = median(rng.choices(base, k=len(base)))
        mn = median(rng.choices(new, k=len(new)))
        diffs.append(mn - mb)
        ratios.append(mn / mb if mb > 0 else None)
    dlo, dhi = _interval(diffs)
    if any(r is None for r in ratios):
        return dlo, dhi, None, None
    rlo, rhi = _interval(ratios)
    return dlo, dhi, rlo, rhi


def _ranks(values):
    """Mid-ranks (1-based) of @values and the sizes of the tie groups."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    ties = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        if j > i:
            ties.append(j - i + 1)
        i = j + 1
    return ranks, ties


def u_distribution(n1, n2):
    """Number of arrangements giving each U in 0..n1*n2 (no ties), by the
    recurrence c(n1, n2, u) = c(n1 - 1, n2, u - n2) + c(n1, n2 - 1, u)."""
    # table[j] holds the counts for (i, j) while i grows row by row
    table = [[1] for _ in range(n2 + 1)]          # i == 0: only U = 0
    for i in range(1, n1 + 1):
        row = [[1]]                               # j == 0: only U = 0
        for j in range(1, n2 + 1):
            size = i * j + 1
            c = [0] * size
            left = table[j]                       # (i - 1, j): shift by j
            for u, n in enumerate(left):
                c[u + j] += n
            down = row[j - 1]                     # (i, j - 1)
            for u, n in enumerate(down):
                c[u] += n
            row.append(c)
        table = row
    return table[n2]


def mann_whitney(x, y, method="auto"):
    """Two-sided Mann-Whitney U test of samples @x and @y.

    Returns a dict: u (U of x: pairs (xi, yj) with xi > yj, ties count 1/2),
    u_min, p, method ("exact", "exact-ties" or "normal").  @method "auto"
    picks as the module comment says; "normal" forces the approximation.
    Raises ValueError for an empty sample."""
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        raise ValueError("Mann-Whitney U needs two non-empty samples")
    ranks, ties = _ranks(list(x) + list(y))
    r1 = sum(ranks[:n1])
    u1 = r1 - n1 * (n1 + 1) / 2.0
    u_min = min(u1, n1 * n2 - u1)
    n = n1 + n2
    mean = n1 * n2 / 2.0
    if method == "auto" and not ties and n <= EXACT_MAX_N:
        dist = u_distribution(n1, n2)
        tail = sum(dist[:int(u_min) + 1])
        p = min(1.0, 2.0 * tail / sum(dist))
        return {"u": u1, "u_min": u_min, "p": p, "method": "exact"}
    if method == "auto" and ties and math.comb(n, n1) <= EXACT_TIES_MAX_SPLITS:
        far = abs(u1 - mean) - 1e-9
        offset = n1 * (n1 + 1) / 2.0
        hits = total = 0
        for pick in itertools.combinations(ranks, n1):
            total += 1
            hits += abs(sum(pick) - offset - mean) >= far
        return {"u": u1, "u_min": u_min, "p": min(1.0, hits / total), "method": "exact-ties"}
    tie_term = sum(t ** 3 - t for t in ties) / (n * (n - 1))
    var = n1 * n2 / 12.0 * ((n + 1) - tie_term)
    if var <= 0:                    # every value equal: no evidence at all
        return {"u": u1, "u_min": u_min, "p": 1.0, "method": "normal"}
    z = max(abs(u1 - mean) - 0.5, 0.0) / math.sqrt(var)
    p = min(1.0, math.erfc(z / math.sqrt(2.0)))
    return {"u": u1, "u_min": u_min, "p": p, "method": "normal"}


def mann_whitney_strata(strata):
    """Two-sided Mann-Whitney U test within strata: @strata is a list of
    (x, y) sample pairs, one per stratum (each side non-empty), and the
    statistic the sum of each stratum's U of x, so that only arrangements
    within a stratum are compared (van Elteren's test, unweighted).  Exact
    while the arrangements within tied strata number at most
    EXACT_TIES_MAX_SPLITS (the strata's distributions of 2U convolved: an
    untied stratum's from u_distribution(), a tied one's by enumerating its
    mid-ranks' splits), p = P(|S - E| >= |s - E|); else the normal
    approximation with each stratum's tie correction.  Returns {"u", "p",
    "method", "min_p" (the smallest p these sizes can give; the exact
    test's, or 2 / every arrangement for the approximation)}."""
    u = mean2 = var = 0.0
    dists, splits, tied_splits = [], 1, 1
    for x, y in strata:
        n1, n2 = len(x), len(y)
        n = n1 + n2
        ranks, ties = _ranks(list(x) + list(y))
        u += sum(ranks[:n1]) - n1 * (n1 + 1) / 2.0
        mean2 += n1 * n2
        tie_term = sum(t ** 3 - t for t in ties) / (n * (n - 1)) if n > 1 else 0.0
        var += n1 * n2 / 12.0 * ((n + 1) - tie_term)
        splits *= math.comb(n, n1)
        dists.append((n1, n2, ranks if ties else None))
        if ties:
            tied_splits *= math.comb(n, n1)
    if tied_splits <= EXACT_TIES_MAX_SPLITS:
        total = {0: 1}
        for n1, n2, ranks in dists:
            if ranks is None:
                d = {2 * k: c for k, c in enumerate(u_distribution(n1, n2)) if c}
            else:
                d = {}
                off = n1 * (n1 + 1) / 2.0
                for pick in itertools.combinations(ranks, n1):
                    k = int(round(2 * (sum(pick) - off)))
                    d[k] = d.get(k, 0) + 1
            nxt = {}
            for a, ca in total.items():
                for b, cb in d.items():
                    nxt[a + b] = nxt.get(a + b, 0) + ca * cb
            total = nxt
        count = sum(total.values())
        far = abs(2 * u - mean2) - 1e-9
        p = sum(c for k, c in total.items() if abs(k - mean2) >= far) / count
        top = max(abs(k - mean2) for k in total) - 1e-9
        min_p = sum(c for k, c in total.items() if abs(k - mean2) >= top) / count
        return {"u": u, "p": min(1.0, p), "method": "exact-strata", "min_p": min(1.0, min_p)}
    min_p = min(1.0, 2.0 / splits)
    if var <= 0:
        return {"u": u, "p": 1.0, "method": "normal-strata", "min_p": min_p}
    z = max(abs(u - mean2 / 2.0) - 0.5, 0.0) / math.sqrt(var)
    return {"u": u, "p": min(1.0, math.erfc(z / math.sqrt(2.0))), "method": "normal-strata",
            "min_p": min_p}


def cliffs_delta(u, n1, n2):
    """Cliff's delta of x against y from U of x (mann_whitney()["u"]):
    P(xi > yj) - P(xi < yj) over all n1*n2 pairs, in [-1, 1]; 0 when the
    samples overlap evenly, +1 when every x exceeds every y."""
    return 2.0 * u / (n1 * n2) - 1.0


def min_exact_p(n1, n2):
    """Smallest two-sided p the exact test can give for sizes n1, n2."""
    return min(1.0, 2.0 / math.comb(n1 + n2, n1))


def paired_log_ratios(x, y):
    """Per-pair differences of @x and @y (module comment): ln y_i - ln x_i,
    or y_i - x_i when any value is negative.  Raises ValueError when the
    lengths differ."""
    if len(x) != len(y):
        raise ValueError("paired samples of different sizes (%d, %d)" % (len(x), len(y)))
    if any(v < 0 for v in list(x) + list(y)):
        return [b - a for a, b in zip(x, y)]

    def ln(v):
        return math.log(v) if v > 0 else -math.inf
    return [0.0 if a == b else ln(b) - ln(a) for a, b in zip(x, y)]


def signed_rank_distribution(doubled_ranks):
    """Counts of each sum of a subset of @doubled_ranks (integers), index =
    sum: the number of sign patterns giving 2 W+ = index."""
    total = sum(doubled_ranks)
    c = [0] * (total + 1)
    c[0] = 1
    top = 0
    for r in doubled_ranks:
        for s in range(top, -1, -1):
            if c[s]:
                c[s + r] += c[s]
        top += r
    return c


def signed_rank(d):
    """Two-sided Wilcoxon signed-rank test of the paired differences @d
    (module comment).  Returns {"w": W+ (sum of ranks of positive d), "n":
    nonzero differences, "p", "method": "signed-rank exact"}."""
    nz = [v for v in d if v != 0]
    n = len(nz)
    if n == 0:
        return {"w": 0.0, "n": 0, "p": 1.0, "method": "signed-rank exact"}
    ranks, _ = _ranks([abs(v) for v in nz])
    w = sum(r for r, v in zip(ranks, nz) if v > 0)
    doubled = [int(round(2 * r)) for r in ranks]
    dist = signed_rank_distribution(doubled)
    mean2 = sum(doubled) / 2.0          # E[2 W+]
    far = abs(2 * w - mean2) - 1e-9
    hits = sum(c for s, c in enumerate(dist) if c and abs(s - mean2) >= far)
    return {"w": w, "n": n, "p": min(1.0, hits / 2.0 ** n), "method": "signed-rank exact"}


def paired_change(d):
    """The change of a paired comparison in percent: exp(median(@d)) - 1
    (the median per-block ratio), +-inf when that median is infinite."""
    m = median(d)
    if math.isinf(m):
        return m
    return (math.exp(m) - 1.0) * 100.0


def min_signed_rank_p(n):
    """Smallest two-sided p the signed-rank test can give with @n nonzero
    differences: 2 / 2^n (every sign alike)."""
    return min(1.0, 2.0 / 2.0 ** n) if n > 0 else 1.0
