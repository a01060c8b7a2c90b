# SPDX-License-Identifier: GPL-2.0
# recommend.py - per scenario, which strategy to pick and the evidence, as
# the report's one rule decides it (verdicts.py, question "overall").
"""A Recommendation is verdicts.Rule.verdict() in the shape the HTML page
draws: kind "pick", "tradeoff" or "none" (undecided, or no candidate)."""

from . import verdicts

KIND = {"pick": "pick", "trade-off": "tradeoff", "undecided": "none", "none": "none"}


class Recommendation:
    def __init__(self, v):
        self.verdict = v["verdict"]
        self.kind, self.text = KIND[v["verdict"]], v["text"]
        self.picks, self.evidence = list(v["picks"]), list(v["evidence"])
        if v.get("more_evidence"):
            self.evidence.append("%d more significant differences" % v["more_evidence"])
        self.excluded = list(v["excluded"]) + list(v.get("failed_runs", []))
        self.not_evidence = list(v["not_evidence"])


def recommend(groups):
    """@groups: the strategies of one (environment, kernel, scenario, variant),
    judged by the Rule of the report they belong to (verdicts.rule_for())."""
    rule = verdicts.rule_for(groups)
    return Recommendation(rule.verdict(groups[0].key[:4], "overall"))
