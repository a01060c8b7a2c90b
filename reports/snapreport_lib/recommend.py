# SPDX-License-Identifier: GPL-2.0
# recommend.py - per scenario, which strategy to pick and the evidence: the
# headline metrics where it is significantly better, or "no difference".
"""Rule.  A known-unsafe strategy, or one with an invariant violation or a
hung run, is out.  For
every pair of the rest and every headline metric both have, compare.contrast
decides better / worse / no significant change (Mann-Whitney p < alpha and
|change| >= the minimum effect).  The candidates are the strategies that are
significantly worse than no other on any headline metric.  One candidate:
"pick X"; several but not all: "pick any of ..."; none: a trade-off, each
side's wins listed; all of them with no significant difference anywhere:
"no significant difference"."""

from . import compare, metrics, stats

MAX_EVIDENCE = 3


class Recommendation:
    def __init__(self, kind, text, picks=(), evidence=(), excluded=()):
        self.kind, self.text = kind, text
        self.picks, self.evidence, self.excluded = list(picks), list(evidence), list(excluded)


def _fmt(c, who_new, who_base):
    u = c["unit"]
    fv = metrics.format_value
    label = metrics.lookup(c["metric"]).label
    return ("%s better on %s: %s [%s, %s] vs %s %s [%s, %s]; %s, Mann-Whitney p = %.2g (%s, n = %d/%d)"
            % (who_new, label, fv(c["new_median"], u), fv(c["new_ci"][0], u), fv(c["new_ci"][1], u),
               who_base, fv(c["base_median"], u), fv(c["base_ci"][0], u), fv(c["base_ci"][1], u),
               _change(c["change_pct"]), c["p"], c["test"], c["n_new"], c["n_base"]))


def _change(pct):
    if pct in (float("inf"), float("-inf")):
        return "from zero"
    return "%+.1f%%" % pct


def recommend(groups, alpha, min_effect_pct):
    """@groups: the strategies of one (environment, kernel, scenario, variant)."""
    excluded, live = [], []
    for g in groups:
        if any(r.context.get("strategy_known_unsafe") for r in g.runs):
            excluded.append("%s: known unsafe (a historical design kept to show how it fails)"
                            % g.strategy)
        elif g.violations > 0:
            excluded.append("%s: %d invariant violations (incorrect)" % (g.strategy, g.violations))
        elif g.hung > 0:
            excluded.append("%s: %d of %d runs hung" % (g.strategy, g.hung, len(g.runs)))
        elif g.no_progress > 0:
            excluded.append("%s: %d of %d runs made no progress (no mirror pass)"
                            % (g.strategy, g.no_progress, len(g.runs)))
        else:
            live.append(g)
    if not live:
        return Recommendation("none", "no pick: every strategy failed", excluded=excluded)
    if len(live) == 1:
        return Recommendation("pick", "pick %s: the only strategy without violations or hangs"
                              % live[0].strategy, [live[0].strategy], excluded=excluded)
    wins = {g.strategy: [] for g in live}      # (contrast, loser) where strategy is better
    losses = {g.strategy: 0 for g in live}
    smallest_n = None
    for i, a in enumerate(live):
        for b in live[i + 1:]:
            names = {m.name for m in a.metrics} & {m.name for m in b.metrics}
            for m in metrics.expand(names):
                if not m.headline or m.correctness:
                    continue
                va, vb = a.values(m.name), b.values(m.name)
                if not va or not vb:
                    continue
                n = (len(va), len(vb))
                smallest_n = n if smallest_n is None or sum(n) < sum(smallest_n) else smallest_n
                c = compare.contrast(vb, va, m, alpha, min_effect_pct)   # a as "new"
                if c["verdict"] == "better":
                    wins[a.strategy].append((c, a.strategy, b.strategy))
                    losses[b.strategy] += 1
                elif c["verdict"] == "worse":
                    wins[b.strategy].append((_swap(c), b.strategy, a.strategy))
                    losses[a.strategy] += 1
    cands = [g.strategy for g in live if losses[g.strategy] == 0]
    if not any(wins.values()):
        why = "no significant difference"
        if smallest_n and stats.min_exact_p(*smallest_n) >= alpha:
            why += (" (with %d and %d repetitions no exact test can reach p < %g; run more)"
                    % (smallest_n[0], smallest_n[1], alpha))
        return Recommendation("none", why, excluded=excluded)
    if cands and len(cands) < len(live):
        ev = []
        for s in cands:
            ranked = sorted(wins[s], key=lambda w: -abs(_effect(w[0])))
            ev += [_fmt(c, who, loser) for c, who, loser in ranked[:MAX_EVIDENCE]]
            if len(ranked) > MAX_EVIDENCE:
                ev.append("%s: %d more headline metrics significantly better" % (s, len(ranked) - MAX_EVIDENCE))
        head = "pick %s" % cands[0] if len(cands) == 1 else "pick any of %s" % ", ".join(cands)
        return Recommendation("pick", head, cands, ev, excluded)
    ev = []
    for s in sorted(wins):
        ranked = sorted(wins[s], key=lambda w: -abs(_effect(w[0])))
        ev += [_fmt(c, who, loser) for c, who, loser in ranked[:MAX_EVIDENCE]]
    return Recommendation("tradeoff", "no single pick: a trade-off, each strategy wins on something",
                          evidence=ev, excluded=excluded)


def _effect(c):
    v = c["change_pct"]
    return 1e300 if v in (float("inf"), float("-inf")) else v


def _swap(c):
    """The same comparison seen from the other side (new <-> base)."""
    d = dict(c)
    d["base_median"], d["new_median"] = c["new_median"], c["base_median"]
    d["base_ci"], d["new_ci"] = c["new_ci"], c["base_ci"]
    d["n_base"], d["n_new"] = c["n_new"], c["n_base"]
    mb = c["new_median"]
    d["change_pct"] = ((c["base_median"] - mb) / abs(mb) * 100.0 if mb
                       else (0.0 if c["base_median"] == mb else float("inf")))
    d["verdict"] = {"better": "worse", "worse": "better"}.get(c["verdict"], c["verdict"])
    return d
