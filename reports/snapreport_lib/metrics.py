# SPDX-License-Identifier: GPL-2.0
# metrics.py - the one table of every metric snapreport knows: counter name
# in the result file, unit, which direction is better, headline or not, label.
"""A metric whose name ends in ".*" exists once per kind (storm or
invalidation source, harness/RESULTS.md); `expand()` turns the counters
present in a run into concrete metrics.  `better` is "lower", "higher" or
None (descriptive only: never called better or worse).  `correctness`
metrics fail a comparison whenever they become non-zero, whatever the
statistics say: one violation is a bug, not noise."""

from collections import namedtuple

# The questions every verdict answers and their headline metrics, declared
# once (issue 18): the recommendation, the Pareto front, `compare` and
# `trend` decide on these and no others.  `headline` below is True exactly
# for these (and for violations, which is correctness, not statistics).
QUESTIONS = {
    "driver": ("driver progress", ("passes_per_s", "cpu_time", "ttm_p99_ns", "deadline_miss_ratio")),
    "cpu": ("CPU side: invalidation stalls", ("stall_p99_ns.*",)),
}

Metric = namedtuple("Metric", "name unit better headline label correctness")


def _m(name, unit, better, headline, label, correctness=False):
    return Metric(name, unit, better, headline, label, correctness)


METRICS = [
    _m("violations", "count", "lower", True, "invariant violations", True),
    _m("passes", "count", "higher", False, "mirror passes completed"),
    _m("passes_per_s", "1/s", "higher", True, "mirror passes per second"),
    # Google Benchmark's cpu_time: the run's CPU time (every thread, measured
    # phase) per pass.  A pass is shorter than a scheduler slice, so a
    # busy host delays passes (passes/s) far more than it lengthens them:
    # README, "The noise floor of the userspace verdicts".
    _m("cpu_time", "ns", "lower", True, "CPU time per pass (all threads)"),
    _m("retries_per_pass_mean", "count", "lower", False, "retries per pass, mean"),
    _m("retries_per_pass_max", "count", "lower", False, "retries per pass, max"),
    _m("retry_streak_max", "count", "lower", False, "longest retry streak"),
    _m("deadline_misses", "count", "lower", False, "passes that hit the deadline"),
    _m("deadline_miss_ratio", "ratio", "lower", True, "deadline miss ratio"),
    _m("ttm_p50_ns", "ns", "lower", False, "time to mirror p50"),
    _m("ttm_p90_ns", "ns", "lower", False, "time to mirror p90"),
    _m("ttm_p99_ns", "ns", "lower", True, "time to mirror p99"),
    _m("ttm_p999_ns", "ns", "lower", False, "time to mirror p99.9"),
    _m("ttm_max_ns", "ns", "lower", False, "time to mirror max"),
    _m("stall_p50_ns.*", "ns", "lower", False, "invalidation stall p50 ({kind})"),
    _m("stall_p90_ns.*", "ns", "lower", False, "invalidation stall p90 ({kind})"),
    _m("stall_p99_ns.*", "ns", "lower", True, "invalidation stall p99 ({kind})"),
    _m("stall_p999_ns.*", "ns", "lower", False, "invalidation stall p99.9 ({kind})"),
    _m("stall_max_ns.*", "ns", "lower", False, "invalidation stall max ({kind})"),
    _m("oplat_p50_ns.*", "ns", "lower", False, "{kind} operation latency p50"),
    _m("oplat_p90_ns.*", "ns", "lower", False, "{kind} operation latency p90"),
    _m("oplat_p99_ns.*", "ns", "lower", False, "{kind} operation latency p99"),
    _m("oplat_p999_ns.*", "ns", "lower", False, "{kind} operation latency p99.9"),
    _m("oplat_max_ns.*", "ns", "lower", False, "{kind} operation latency max"),
    _m("ops.*", "count", "higher", False, "{kind} operations completed"),
    _m("ops_skipped.*", "count", None, False, "{kind} operations skipped (-EAGAIN)"),
    _m("invalidations.*", "count", None, False, "{kind} invalidations"),
    _m("invalidations_skipped.*", "count", None, False, "{kind} invalidations refused"),
    _m("reclaim_pages_per_s", "1/s", "higher", False, "pages reclaimed per second"),
    _m("reclaim_skipped", "count", None, False, "reclaim candidates skipped"),
    _m("mirror_thread_passes_min", "count", "higher", False, "passes of the slowest mirror thread"),
    _m("mirror_thread_passes_max", "count", "higher", False, "passes of the fastest mirror thread"),
]

_EXACT = {m.name: m for m in METRICS if not m.name.endswith(".*")}
_PER_KIND = {m.name[:-2]: m for m in METRICS if m.name.endswith(".*")}


def question_of(name):
    """The question (a QUESTIONS key) whose headline metric @name is, or None."""
    base, dot, _ = name.partition(".")
    for q, (_, names) in QUESTIONS.items():
        if name in names or (dot and base + ".*" in names):
            return q
    return None


def lookup(counter):
    """The concrete Metric for a counter name, or None if it is not one."""
    if counter in _EXACT:
        return _EXACT[counter]
    base, dot, kind = counter.partition(".")
    if dot and kind and base in _PER_KIND:
        m = _PER_KIND[base]
        return m._replace(name=counter, label=m.label.format(kind=kind))
    return None


def order_key(name):
    """Sort metrics in table order, kinds alphabetically within a row."""
    base, _, kind = name.partition(".")
    for i, m in enumerate(METRICS):
        if m.name == name or m.name == base + ".*":
            return (i, kind)
    return (len(METRICS), name)


def expand(counter_names):
    """Concrete Metrics for the counters present, in table order."""
    found = [lookup(c) for c in counter_names]
    return sorted((m for m in found if m), key=lambda m: order_key(m.name))


def format_value(value, unit):
    """A number with its unit, scaled to something readable."""
    if value is None:
        return "n/a"
    if unit == "ns":
        for div, suffix in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
            if abs(value) >= div:
                return "%.3g %s" % (value / div, suffix)
        return "%.3g ns" % value
    if unit == "ratio":
        return "%.3g%%" % (value * 100.0)
    if unit == "1/s":
        for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= div:
                return "%.4g %s/s" % (value / div, suffix)
        return "%.4g/s" % value
    if float(value).is_integer() and abs(value) < 1e15:
        return "%d" % value
    return "%.4g" % value
