# SPDX-License-Identifier: GPL-2.0
# fidelity.py - `snapreport fidelity DIR...`: for every scenario run both in
# the userspace model and in a guest kernel, the strategies' medians side by
# side and whether the two environments rank the strategies the same way.
"""Can the userspace model be trusted?  Absolute numbers cannot be compared
(a guest under TCG runs emulated, a model is not a kernel), so the question
asked is the one a user acts on: does the model put the strategies in the
same order as the kernel does, metric by metric?

Pairing.  A scenario (and sweep point) run in userspace is paired with each
kernel build that ran the same scenario name, per accelerator.  Builds with
`+patch` in their label are left out: their patches (e.g. a deliberately
slowed lock) make them something other than the kernel.  Only strategies
run in both environments are ranked.

Ties.  Within one environment, two strategies are ordered on a headline
metric only when the report's one rule (verdicts.py: two-sided Mann-Whitney
over the units of replication, Benjamini-Hochberg over every test of the
report, q < alpha AND medians at least --threshold percent apart) finds the
difference significant.  Anything else is a tie (≈).  A pair the rule does
not test (a strategy with violations or hung runs, known unsafe, or a
metric constant by construction) is not ranked.

Agreement.  A ranking is decided when both environments order the pair
significantly; the agreement rate is the share of decided rankings in the
same order, with a 95% Wilson interval.  Each disagreement is listed with
both environments' medians and intervals, and with its explanation when
the data shows a known cause (explanation(): a time-to-mirror tail
censored by deadline misses), else "unexplained".

Verdict per metric, over every pair of strategies (MetricFidelity):
  agree        every pair has the same relation in both (<, > or a tie);
  disagree     some pair is ordered one way in userspace and the other way
               in the kernel, both significant: "userspace ranks X<Y, kernel
               ranks Y<X" (by value: X has the smaller median);
  ties differ  no pair is reversed, but a pair ordered in one environment
               ties in the other;
  cannot test  one environment has too few repetitions for any pair to reach
               p < alpha (1 vs 1 run: the smallest two-sided p is 1; 3 vs 3:
               0.1), so nothing can be called agreement; the medians alone
               are compared (ordered when >= --threshold apart) and the text
               says whether they fall in the same order, marked not
               significant;
  not exercised  zero for every strategy in both.

Stand-ins.  A kernel run records in context.storm_notes each storm of its
scenario that the kernel world ran as a stand-in for the real source, or
dropped (harness/RESULTS.md).  Such a pairing does not run the same
workload on both sides: it is shown, marked "stand-in" with the notes,
and its metrics are left out of the counts.
Disagreements are findings about the model, never hidden; the command exits
0 with them (2 on bad input: no scenario run in both environments)."""

import json
import os
import re

from . import metrics, stats, verdicts
from .results import IGNORED_PARAMS, InputError, group_runs, version_key
from .markup import esc, strategy
from .palette import STRATEGY_COLOURS
from .versions import accelerator, load_dirs, split_label


def _strategy_order(names):
    known = list(STRATEGY_COLOURS)
    return sorted(names, key=lambda s: (known.index(s) if s in known else len(known), s))


_TTM = re.compile(r"ttm_p(\d+)_ns$")


def explanation(p, r, a, b):
    """Why pairing @p's environments order strategies @a and @b on metric
    row @r the other way round, when the data says: None when no known
    cause holds (the disagreement reads "unexplained")."""
    m = _TTM.match(r.metric.name)
    if m:
        # Time to mirror counts completed passes only.  A strategy that
        # misses at least 1 - q of its passes at the deadline has no slow
        # passes left for its q-quantile: where such a strategy is the
        # faster one, its tail describes the survivors.
        q = float(m.group(1)) / 10 ** (len(m.group(1)) - 2)
        missed = []
        for env, e, groups in (("userspace", r.user, p.ug), ("kernel", r.kernel, p.kg)):
            faster = a if e.rel.get((a, b)) == "<" else b
            v = groups[faster].summary("deadline_miss_ratio")
            if v and v[0] >= (100.0 - q) / 100.0:
                missed.append("%s %s %.3g%%" % (env, faster, 100 * v[0]))
        if missed:
            return ("censored: time to mirror counts completed passes only, and the faster side "
                    "missed its deadline in at least %g%% of its passes (%s), so its p%s describes "
                    "the survivors; compare deadline_miss_ratio instead"
                    % (100.0 - q, ", ".join(missed), m.group(1)))
    return None


def _norm(v):
    try:
        f = float(v)
        return repr(int(f)) if f.is_integer() else repr(f)
    except (TypeError, ValueError):
        return str(v)


def calibration(groups):
    """The --calibration files the runs of @groups used (context.calibration)."""
    return sorted({str(r.context.get("calibration")) for g in groups.values() for r in g.runs
                   if r.context.get("calibration")})


def param_diffs(ug, kg):
    """[(key, userspace value, kernel value)] of scenario parameters that
    differ between the two environments' runs (run-control keys left out)."""
    up = ug.runs[0].params
    kp = kg.runs[0].params
    out = []
    for k in sorted(set(up) | set(kp)):
        if k in IGNORED_PARAMS or k.startswith("cost."):	# cost.*: calibration()
            continue
        if _norm(up.get(k, "–")) != _norm(kp.get(k, "–")):
            out.append((k, up.get(k, "–"), kp.get(k, "–")))
    return out


class EnvRanking:
    """One environment's medians and pairwise relations on one metric."""

    def __init__(self, groups, strategies, m, rule, alpha, effect):
        self.summary = {s: groups[s].summary(m.name) for s in strategies}
        self.n = {s: len(groups[s].values(m.name)) for s in strategies}
        self.rel = {}
        self.by_median = {}
        skey = next(iter(groups.values())).key[:4]
        for i, a in enumerate(strategies):
            for b in strategies[i + 1:]:
                self.rel[(a, b)] = rule.relation(skey, a, b, m.name)
                self.by_median[(a, b)] = _median_relation(self.summary[a], self.summary[b], effect)
        pairs = [(a, b) for a, b in self.rel if self.n[a] and self.n[b]]
        self.underpowered = any(stats.min_exact_p(self.n[a], self.n[b]) >= alpha for a, b in pairs)
        # No pair can be significant at all: this environment cannot rank
        # anything, and its ranking is by medians alone.
        self.untestable = bool(pairs) and all(stats.min_exact_p(self.n[a], self.n[b]) >= alpha
                                              for a, b in pairs)
        self.reps = sorted({self.n[s] for s in strategies if self.n[s]})
        present = [s for s in strategies if self.summary[s]]
        present.sort(key=lambda s: self.summary[s][0])
        self.ranking = self._chain(present, self.rel)
        self.median_ranking = self._chain(present, self.by_median)

    @staticmethod
    def _chain(present, rel):
        """Strategies by median, smallest first, joined by "<" where @rel
        orders the neighbours and "≈" where it does not."""
        chain = present[:1]
        for x, y in zip(present, present[1:]):
            r = rel.get((x, y)) or {"<": ">", ">": "<"}.get(rel.get((y, x)), "=")
            chain += ["<" if r in ("<", ">") else "≈", y]
        return " ".join(chain)


def _median_relation(sa, sb, effect):
    """"<", ">" or "=" between two medians (summaries), "=" when they are
    less than @effect percent apart; None when either is missing."""
    if not sa or not sb:
        return None
    a, b = sa[0], sb[0]
    ref = max(abs(a), abs(b))
    if ref == 0 or abs(a - b) / ref * 100.0 < effect:
        return "="
    return "<" if a < b else ">"


def _ordered(rel, a, b):
    """'a<b' text for a strict relation between a and b."""
    return "%s<%s" % (a, b) if rel == "<" else "%s<%s" % (b, a)


class MetricFidelity:
    """Verdicts, one per metric:
      not exercised  0 for every strategy in both environments;
      cannot test    an environment's repetitions are too few for any pair to
                     reach p < alpha; the medians alone are compared, and the
                     text says whether they fall in the same order;
      agree          every pair has the same relation (<, > or tie) in both;
      disagree       a pair is significantly ordered one way in userspace and
                     the other way in the kernel;
      ties differ    nothing reversed, but a pair ordered in one environment
                     ties in the other."""

    def __init__(self, m, strategies, ug, kg, rule, alpha, effect):
        self.metric = m
        self.effect = effect
        self.user = EnvRanking(ug, strategies, m, rule, alpha, effect)
        self.kernel = EnvRanking(kg, strategies, m, rule, alpha, effect)
        vals = [v for e in (self.user, self.kernel) for s in e.summary.values() if s for v in s[:3]]
        self.reversed, self.tie_k, self.tie_u = [], [], []
        # Decided rankings: (a, b, same order in both?), pairs ordered in both.
        self.decided = [(a, b, ru == self.kernel.rel.get((a, b)))
                        for (a, b), ru in self.user.rel.items()
                        if ru in ("<", ">") and self.kernel.rel.get((a, b)) in ("<", ">")]
        if not vals or all(v == 0 for v in vals):
            self.verdict, self.text = "not exercised", "not exercised: 0 for every strategy in both"
            return
        if self.user.untestable or self.kernel.untestable:
            self._by_medians()
            return
        for (a, b), ru in self.user.rel.items():
            rk = self.kernel.rel.get((a, b))
            if ru is None or rk is None:
                continue
            if ru != "=" and rk != "=" and ru != rk:
                self.reversed.append("userspace ranks %s, kernel ranks %s" % (_ordered(ru, a, b), _ordered(rk, a, b)))
            elif ru != "=" and rk == "=":
                self.tie_k.append("userspace ranks %s, kernel ties %s≈%s" % (_ordered(ru, a, b), a, b))
            elif ru == "=" and rk != "=":
                self.tie_u.append("kernel ranks %s, userspace ties %s≈%s" % (_ordered(rk, a, b), a, b))
        if self.reversed:
            self.verdict = "disagree"
            self.text = "DISAGREE: " + "; ".join(self.reversed)
        elif self.tie_k or self.tie_u:
            self.verdict = "ties differ"
            why = []
            if self.tie_k and self.kernel.underpowered:
                why.append("some kernel pairs have too few repetitions to reach p < alpha")
            if self.tie_u and self.user.underpowered:
                why.append("some userspace pairs have too few repetitions to reach p < alpha")
            self.text = "no pair reversed, but " + "; ".join(self.tie_k + self.tie_u) + \
                (" (%s)" % "; ".join(why) if why else "")
        else:
            self.verdict = "agree"
            ordered = [(a, b, r) for (a, b), r in self.user.rel.items() if r in ("<", ">")]
            self.text = ("agree: both rank " + ", ".join(_ordered(r, a, b) for a, b, r in ordered)
                         if ordered else "agree: no significant difference between strategies in either")

    def ranking(self, e):
        """The ranking of environment @e to show beside this verdict: by
        significance, or by medians alone when the verdict is "cannot test"."""
        if self.verdict == "not exercised":
            return ""
        if self.verdict == "cannot test":
            return e.median_ranking + " (medians only)"
        return e.ranking

    def _by_medians(self):
        reps = "; ".join("%s has %s repetition%s per strategy" % (
            name, "/".join(map(str, e.reps)), "" if e.reps == [1] else "s")
            for name, e in (("userspace", self.user), ("kernel", self.kernel)) if e.untestable)
        self.verdict = "cannot test"
        rev, differ = [], []
        for (a, b), mu in self.user.by_median.items():
            mk = self.kernel.by_median.get((a, b))
            if mu is None or mk is None:
                continue
            if mu != "=" and mk != "=" and mu != mk:
                rev.append("userspace %s, kernel %s" % (_ordered(mu, a, b), _ordered(mk, a, b)))
            elif mu != mk:
                differ.append((a, b))
        if rev:
            medians = "medians in a DIFFERENT order: " + "; ".join(rev)
        elif differ:
            medians = ("medians not reversed, but %s differ by %g%% or more in one environment only"
                       % (", ".join("%s/%s" % d for d in differ), self.effect))
        else:
            medians = "medians in the same order"
        self.medians_reversed = bool(rev)
        self.medians = medians + " (not significant)"
        self.text = "cannot test (%s: no difference can reach p < alpha); %s" % (reps, self.medians)


def _pinned(groups):
    """Whether any run of @groups pinned a thread (context.placement: a
    CPU per role and index, -1 for none)."""
    for g in groups.values():
        for r in g.runs:
            pl = r.context.get("placement")
            if isinstance(pl, dict) and any(isinstance(c, int) and c >= 0
                                            for cpus in pl.values() if isinstance(cpus, list)
                                            for c in cpus):
                return True
    return False


class Pairing:
    """One scenario (sweep point) in userspace against one kernel build."""

    def __init__(self, scenario, variant, label, accel, ug, kg, rule, alpha, effect):
        self.scenario, self.variant, self.label, self.accel = scenario, variant, label, accel
        self.strategies = _strategy_order(set(ug) & set(kg))
        self.only_user = _strategy_order(set(ug) - set(kg))
        self.only_kernel = _strategy_order(set(kg) - set(ug))
        ug = {s: ug[s] for s in self.strategies}
        kg = {s: kg[s] for s in self.strategies}
        self.ug, self.kg = ug, kg
        names = None
        for g in list(ug.values()) + list(kg.values()):
            have = {m.name for m in g.metrics if m.headline and not m.correctness}
            names = have if names is None else names & have
        self.rows = [MetricFidelity(metrics.lookup(n), self.strategies, ug, kg, rule, alpha, effect)
                     for n in sorted(names or (), key=metrics.order_key)]
        self.violations = {s: (ug[s].violations, kg[s].violations) for s in self.strategies}
        # storm -> note, from any kernel run: the workloads differ
        self.stand_ins = {}
        for g in kg.values():
            for r in g.runs:
                notes = r.context.get("storm_notes")
                if isinstance(notes, dict):
                    self.stand_ins.update((k, str(v)) for k, v in notes.items())
        self.params = param_diffs(next(iter(ug.values())), next(iter(kg.values()))) if ug else []
        self.calibrations = calibration(ug)
        pu, pk = _pinned(ug), _pinned(kg)
        self.placement_note = "" if pu == pk else (
            "threads pinned in %s, not in %s: on few CPUs where threads are pinned decides how "
            "often a storm and a mirror overlap, so the two do not run the same workload; run the "
            "model with --placement none, as the guest runs" % (
                "userspace" if pu else "the kernel", "the kernel" if pu else "userspace"))

    @property
    def title(self):
        return "%s: userspace vs kernel %s (%s)" % (
            self.scenario + (" [%s]" % self.variant if self.variant else ""), self.label, self.accel)

    def violation_text(self):
        bad_u = [s for s, (u, _) in self.violations.items() if u]
        bad_k = [s for s, (_, k) in self.violations.items() if k]
        if bad_u == bad_k:
            return "agree" + (" (violations in both: %s)" % ", ".join(bad_u) if bad_u else " (none in either)")
        return "disagree: violations in userspace: %s; in the kernel: %s" % (
            ", ".join(bad_u) or "none", ", ".join(bad_k) or "none")


def pairings(groups, alpha, effect):
    """(pairings, excluded patched labels)."""
    user = {}
    kern = {}
    patched = set()
    for g in groups:
        if g.environment == "userspace":
            user.setdefault((g.scenario, g.variant), {})[g.strategy] = g
        elif g.environment == "guest":
            if split_label(g.kernel)[1]:
                patched.add(g.kernel)
                continue
            kern.setdefault((g.scenario, g.variant), {}).setdefault(
                (g.kernel, accelerator(g)), {})[g.strategy] = g
    # The report's one rule when these groups are its own, with its alpha
    # and minimum effect; otherwise one over every group given.
    rule = verdicts.rule_for(groups)
    if (rule.alpha, rule.min_effect_pct) != (alpha, effect):
        rule = verdicts.Rule(groups, alpha, effect)
    out = []
    for key in sorted(set(user) & set(kern)):
        for (label, accel) in sorted(kern[key], key=lambda la: (la[1], version_key(la[0]))):
            p = Pairing(key[0], key[1], label, accel, user[key], kern[key][(label, accel)], rule,
                        alpha, effect)
            if p.strategies:
                out.append(p)
    return out, sorted(patched, key=version_key)


def counts(ps):
    """Verdicts over the pairings whose kernel ran every storm as the real
    source; "stand-in": the pairings left out (and their metrics)."""
    c = {"agree": 0, "disagree": 0, "ties differ": 0, "cannot test": 0, "not exercised": 0,
         "stand-in pairings": 0, "stand-in metrics": 0}
    for p in ps:
        if p.stand_ins:
            c["stand-in pairings"] += 1
            c["stand-in metrics"] += len(p.rows)
            continue
        for r in p.rows:
            c[r.verdict] += 1
    return c


def agreement(ps):
    """{"decided", "agree", "rate", "interval"} over the decided rankings of
    the pairings that are not stand-ins; rate and interval None when none
    is decided."""
    dec = [same for p in ps if not p.stand_ins for r in p.rows for _, _, same in r.decided]
    k, n = sum(dec), len(dec)
    return {"decided": n, "agree": k, "rate": k / n if n else None,
            "interval": list(stats.wilson_interval(k, n)) if n else None}


def _side(e, s, unit):
    v = e.summary.get(s)
    if not v:
        return "n/a"
    return "%s [%s, %s]" % tuple(metrics.format_value(x, unit) for x in v[:3])


def disagreements(ps):
    """Every decided ranking the two environments order differently, in
    pairings that are not stand-ins: dicts with the pairing, metric, pair,
    both sides' medians and intervals, and the explanation (or None)."""
    out = []
    for p in ps:
        if p.stand_ins:
            continue
        for r in p.rows:
            m = r.metric
            for a, b, same in r.decided:
                if same:
                    continue
                out.append({
                    "scenario": p.scenario, "variant": p.variant, "build": p.label,
                    "accelerator": p.accel, "metric": m.name, "label": m.label,
                    "better": m.better,
                    "userspace_order": _ordered(r.user.rel[(a, b)], a, b),
                    "kernel_order": _ordered(r.kernel.rel[(a, b)], a, b),
                    "userspace": "%s: %s %s, %s %s" % (
                        _ordered(r.user.rel[(a, b)], a, b), a, _side(r.user, a, m.unit),
                        b, _side(r.user, b, m.unit)),
                    "kernel": "%s: %s %s, %s %s" % (
                        _ordered(r.kernel.rel[(a, b)], a, b), a, _side(r.kernel, a, m.unit),
                        b, _side(r.kernel, b, m.unit)),
                    "explanation": explanation(p, r, a, b)})
    return out


def agreement_text(ps):
    a = agreement(ps)
    if not a["decided"]:
        return "no ranking decided in both environments"
    lo, hi = a["interval"]
    return ("%d of %d decided rankings agree (%.0f%%, 95%% interval %.0f%%-%.0f%%)"
            % (a["agree"], a["decided"], 100 * a["rate"], 100 * lo, 100 * hi))


def scenario_warnings(ps):
    """{(scenario, variant): text} for the userspace scenarios where the model
    orders a decided ranking differently from a kernel (not a stand-in):
    a recommendation from the model there carries it."""
    out = {}
    for d in disagreements(ps):
        key = (d["scenario"], d["variant"])
        out.setdefault(key, []).append("%s (%s): userspace %s; kernel %s" % (
            d["label"], d["build"], d["userspace_order"], d["kernel_order"]))
    return {k: "the model disagrees with the kernel here on %d ranking%s: %s" % (
        len(v), "" if len(v) == 1 else "s", "; ".join(v)) for k, v in out.items()}


def stand_in_text(p):
    """One line on a stand-in pairing, or ""."""
    if not p.stand_ins:
        return ""
    return "STAND-IN, not counted: the kernel ran %s" % "; ".join(
        "%s as %s" % (k, v) for k, v in sorted(p.stand_ins.items()))


def _cell(s, unit):
    if not s:
        return "–"
    return metrics.format_value(s[0], unit)


def write_text(ps, patched, alpha, effect, out):
    out.write("# medians over repetitions per strategy in each environment; only the ORDER of the\n"
              "# strategies is compared (absolute numbers are not comparable: TCG is emulated)\n"
              "# ordered: the report's rule (Mann-Whitney, Benjamini-Hochberg q < %g over every test,\n"
              "# medians >= %g%% apart), else a tie (≈)\n"
              "# ranking lists strategies by value, smallest first ('better' says which end is good)\n"
              % (alpha, effect))
    if patched:
        out.write("# left out (patched builds): %s\n" % ", ".join(patched))
    for p in ps:
        out.write("\n== %s%s\n" % (p.title, " [stand-in]" if p.stand_ins else ""))
        if p.stand_ins:
            out.write("   %s\n" % stand_in_text(p))
        out.write("   n: %s\n" % ", ".join("%s %d/%d" % (s, p.ug[s].n, p.kg[s].n)
                                           for s in p.strategies))
        if p.only_user or p.only_kernel:
            out.write("   not ranked (run in one environment only): %s\n"
                      % ", ".join(p.only_user + p.only_kernel))
        out.write("   model: %s\n" % ("calibrated with " + ", ".join(p.calibrations)
                                       if p.calibrations else "not calibrated (no --calibration)"))
        if p.placement_note:
            out.write("   PLACEMENT: %s\n" % p.placement_note)
        if p.params:
            out.write("   scenario parameters that differ (userspace / kernel): %s\n" % ", ".join(
                "%s %s / %s" % d for d in p.params[:8]) + (" ..." if len(p.params) > 8 else ""))
        w = max(10, max(len(s) for s in p.strategies) + 1)
        out.write("   %-36s %-10s%s  %s\n" % ("metric (better)", "env", "".join(
            "%*s" % (w, s) for s in p.strategies), "ranking"))
        for r in p.rows:
            m = r.metric
            for env, e in (("userspace", r.user), ("kernel", r.kernel)):
                out.write("   %-36s %-10s%s  %s\n" % (
                    "%s (%s)" % (m.name, m.better or "–") if env == "userspace" else "", env,
                    "".join("%*s" % (w, _cell(e.summary[s], m.unit)) for s in p.strategies),
                    r.ranking(e)))
            out.write("   %-36s -> %s\n" % ("", r.text))
        out.write("   %-36s -> %s\n" % ("violations", p.violation_text()))
    dis = disagreements(ps)
    if dis:
        out.write("\ndisagreements (decided in both environments, in opposite order):\n")
        for d in dis:
            out.write("  %s%s, kernel %s, %s:\n    userspace %s\n    kernel    %s\n    why: %s\n" % (
                d["scenario"], " [%s]" % d["variant"] if d["variant"] else "", d["build"], d["label"],
                d["userspace"], d["kernel"], d["explanation"] or "unexplained"))
    out.write("\nagreement: %s\n" % agreement_text(ps))
    c = counts(ps)
    out.write("summary: %d scenario pairings; metrics: %d agree, %d DISAGREE, %d ties differ, "
              "%d cannot test (too few repetitions), %d not exercised" % (
                  len(ps) - c["stand-in pairings"], c["agree"], c["disagree"], c["ties differ"],
                  c["cannot test"], c["not exercised"]))
    if c["stand-in pairings"]:
        out.write("; not counted: %d stand-in pairings (%d metrics)" % (
            c["stand-in pairings"], c["stand-in metrics"]))
    out.write("\n")


def to_json(ps, patched, alpha, effect):
    def env(e):
        return {"medians": {s: (v[0] if v else None) for s, v in e.summary.items()},
                "ci": {s: ([v[1], v[2]] if v else None) for s, v in e.summary.items()},
                "n": e.n, "ranking": e.ranking, "median_ranking": e.median_ranking,
                "relations": {"%s|%s" % k: v for k, v in e.rel.items()}}
    return {"alpha": alpha, "threshold_pct": effect, "patched_left_out": patched,
            "pairings": [{"scenario": p.scenario, "variant": p.variant, "kernel": p.label,
                          "accelerator": p.accel, "strategies": p.strategies,
                          "param_diffs": [list(d) for d in p.params],
                          "violations": p.violation_text(),
                          "stand_ins": p.stand_ins, "placement": p.placement_note or None,
                          "calibration": p.calibrations,
                          "metrics": [{"metric": r.metric.name, "better": r.metric.better,
                                       "verdict": r.verdict, "text": r.text,
                                       "userspace": env(r.user), "kernel": env(r.kernel)}
                                      for r in p.rows]} for p in ps],
            "counts": counts(ps), "agreement": agreement(ps),
            "disagreements": disagreements(ps)}


def run(args, out):
    if not 0 < args.alpha < 1:
        raise InputError("--alpha must be between 0 and 1, not %g" % args.alpha)
    if args.threshold < 0:
        raise InputError("--threshold must not be negative")
    groups = group_runs(load_dirs(args.dir))
    ps, patched = pairings(groups, args.alpha, args.threshold)
    if not ps:
        envs = sorted({g.environment for g in groups})
        raise InputError("%s: no scenario was run both in userspace and in a guest (found: %s)"
                         % (", ".join(args.dir), ", ".join(envs)))
    write_text(ps, patched, args.alpha, args.threshold, out)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(to_json(ps, patched, args.alpha, args.threshold), f, indent=1)
        os.replace(tmp, args.json)
    return 0


# ---- HTML ----------------------------------------------------------------------

def _tables(ps):
    """Pairings grouped for the report: one table per scenario (sweep
    point), accelerator and set of strategies, the userspace rows once and
    one row per kernel build under them.  [(key, [Pairing])]."""
    out = {}
    for p in ps:
        out.setdefault((p.scenario, p.variant, p.accel, tuple(p.strategies)), []).append(p)
    return list(out.items())


def no_kernel_html(groups):
    """What the section says when there is nothing to compare."""
    envs = sorted({g.environment for g in groups})
    guests = [g for g in groups if g.environment == "guest"]
    user = {(g.scenario, g.variant) for g in groups if g.environment == "userspace"}
    if not guests:
        why = ("There are no kernel (guest) results in this directory, only %s runs, so there is "
               "nothing to hold the model against." % esc(", ".join(envs)))
    elif not user:
        why = "There are no userspace results in this directory, only kernel (guest) runs."
    else:
        kern = {(g.scenario, g.variant) for g in guests if not split_label(g.kernel)[1]}
        why = ("No scenario was run both in userspace (%s) and in an unpatched kernel build (%s)."
               % (esc(", ".join(sorted(s + (" [%s]" % v if v else "") for s, v in user))),
                  esc(", ".join(sorted(s + (" [%s]" % v if v else "") for s, v in kern)) or "none")))
    return ('<p class="skip"><b>No fidelity comparison.</b> %s Put a userspace run and a kernel run '
            "of the same scenarios in one result directory (<code>snapbench run --out DIR</code>, "
            "<code>snapbench kernel run --out DIR</code>) or give <code>snapreport fidelity</code> "
            "both directories.</p>" % why)


def section_html(groups, alpha, effect):
    """The report's "Userspace vs kernel fidelity" section."""
    ps, patched = pairings(groups, alpha, effect)
    out = ["<h2>Userspace vs kernel fidelity</h2>"]
    if not ps:
        out.append(no_kernel_html(groups))
        return "\n".join(out)
    c = counts(ps)
    out.append("<p>Does the userspace model put the strategies in the same order as the kernel? "
               "Absolute numbers are not compared (a guest under TCG runs emulated); only the order "
               "of the strategies on each headline metric. Within one environment two strategies "
               "are ordered only when the report's one rule finds them significantly different "
               "(Mann-Whitney over the units of replication, Benjamini-Hochberg q &lt; %g over every "
               "test, <i>and</i> medians at least %g%% apart); anything else is a tie (≈). A ranking "
               "is <b>decided</b> when both environments order the pair. "
               "Rankings list strategies by value, smallest first. "
               "<b>agree</b>: every pair has the same relation in both; "
               "<b>disagree</b>: a pair is significantly ordered one way in userspace and the other "
               "way in the kernel — a finding about the model; <b>ties differ</b>: nothing "
               "reversed, but a pair ordered in one environment ties in the other; "
               "<b>cannot test</b>: an environment has too few repetitions for any difference to "
               "reach p &lt; %g (fewer than 4 per strategy), so only the medians are compared and "
               "nothing is claimed. Kernel builds with <code>+patch</code> are left out.</p>"
               % (alpha, effect, alpha))
    summary = ("%d metrics agree, %d disagree, %d with ties that differ, %d cannot be tested "
               "(%d not exercised) over %d scenario × kernel pairings." % (
                   c["agree"], c["disagree"], c["ties differ"], c["cannot test"],
                   c["not exercised"], len(ps) - c["stand-in pairings"]))
    if c["stand-in pairings"]:
        summary += (" Not counted: %d stand-in pairings (%d metrics), where the kernel ran a "
                    "storm as a stand-in for its real source or dropped it." % (
                        c["stand-in pairings"], c["stand-in metrics"]))
    out.append('<p%s><b>Agreement: %s.</b> %s%s</p>' % (
        ' class="warn"' if c["disagree"] else "", esc(agreement_text(ps)), esc(summary),
        " Patched builds left out: %s." % esc(", ".join(patched)) if patched else ""))
    dis = disagreements(ps)
    if dis:
        out.append("<p><b>Where the model and the kernel disagree</b> (decided in both, in opposite "
                   "order; medians with their intervals):</p><table><tr><th>scenario, kernel</th>"
                   "<th>metric</th><th>userspace</th><th>kernel</th><th>why</th></tr>")
        for d in dis:
            out.append("<tr><td>%s, %s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
                esc(d["scenario"] + (" [%s]" % d["variant"] if d["variant"] else "")),
                esc(d["build"]), esc(d["label"]), esc(d["userspace"]), esc(d["kernel"]),
                esc(d["explanation"]) if d["explanation"] else '<span class="bad">unexplained</span>'))
        out.append("</table>")
    for (scenario, variant, accel, strategies), group in _tables(ps):
        label = scenario + (" [%s]" % variant if variant else "")
        out.append("<h3>%s — userspace vs kernel (%s)</h3>" % (esc(label), esc(accel)))
        first = group[0]
        notes = ["samples per strategy (runs; boots for a kernel run with --boots): userspace: %s; %s" % (
            "/".join(map(str, sorted({first.ug[s].n for s in strategies}))),
            "; ".join("kernel %s: %s" % (p.label, "/".join(map(str, sorted({p.kg[s].n
                                                                          for s in strategies}))))
                      for p in group))]
        if any(r.verdict == "cannot test" for p in group for r in p.rows):
            notes.append("with fewer than 4 samples per strategy no difference can reach "
                         "p &lt; %g: run more (<code>--reps 5</code>, or for a kernel "
                         "<code>--boots 5</code>)" % alpha)
        for p in group:
            if p.stand_ins:
                notes.append("<b>stand-in</b> (kernel %s), not counted: %s" % (
                    esc(p.label), esc(stand_in_text(p).split(": ", 1)[1])))
            if p.only_user or p.only_kernel:
                notes.append("not ranked against %s (one environment only): %s"
                             % (esc(p.label), esc(", ".join(p.only_user + p.only_kernel))))
            if p.placement_note:
                notes.append('<span class="bad">placement</span> (kernel %s): %s' % (
                    esc(p.label), esc(p.placement_note)))
            if p.params:
                notes.append("scenario parameters that differ (userspace / kernel %s): %s" % (
                    esc(p.label), esc(", ".join("%s %s / %s" % d for d in p.params[:8]) +
                                      (" …" if len(p.params) > 8 else ""))))
        out.append('<p class="ci">%s</p>' % "<br>".join(notes))
        head = "".join("<th>%s</th>" % strategy(s) for s in strategies)
        out.append("<table><tr><th>metric (better)</th><th>environment</th>%s<th>ranking</th>"
                   "<th>same order as userspace?</th></tr>" % head)
        for r0 in first.rows:
            m = r0.metric
            rows = [(p, next((r for r in p.rows if r.metric.name == m.name), None)) for p in group]
            rows = [(p, r) for p, r in rows if r]
            span = 1 + len(rows)

            def cells(e):
                return "".join('<td class="num">%s <span class="ci">%s</span></td>' % (
                    esc(_cell(e.summary[s], m.unit)),
                    esc("[%s, %s]" % (metrics.format_value(e.summary[s][1], m.unit),
                                      metrics.format_value(e.summary[s][2], m.unit)))
                    if e.summary[s] and e.n[s] > 1 else "") for s in strategies)
            out.append('<tr><td rowspan="%d">%s <span class="ci">(%s)</span></td><td>userspace</td>'
                       "%s<td>%s</td><td>–</td></tr>" % (
                           span, esc(m.label), esc(m.better or "–"), cells(r0.user),
                           esc(r0.ranking(r0.user)) or "–"))
            for p, r in rows:
                if r.verdict == "disagree":
                    verdict = '<span class="bad">disagree</span> %s' % esc(r.text.split(": ", 1)[1])
                elif r.verdict == "agree":
                    verdict = "<b>agree</b>"
                elif r.verdict == "cannot test":
                    verdict = "<i>cannot test</i>: %s" % esc(r.medians)
                else:
                    verdict = esc(r.text)
                out.append("<tr><td>kernel %s</td>%s<td>%s</td><td>%s</td></tr>" % (
                    esc(p.label), cells(r.kernel), esc(r.ranking(r.kernel)) or "–", verdict))
        for p in group:
            vt = p.violation_text()
            out.append('<tr><td>invariant violations</td><td>userspace / kernel %s</td>%s<td>–</td>'
                       "<td>%s</td></tr>" % (
                           esc(p.label),
                           "".join('<td class="num">%d / %d</td>' % p.violations[s] for s in strategies),
                           '<span class="bad">%s</span>' % esc(vt) if vt.startswith("disagree") else esc(vt)))
        out.append("</table>")
    return "\n".join(out)
