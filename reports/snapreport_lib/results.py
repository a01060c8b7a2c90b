# SPDX-License-Identifier: GPL-2.0
# results.py - read a directory of result files (harness/RESULTS.md) and
# group the runs by environment, kernel, scenario, sweep point and strategy.
"""Loading is strict: a file that is not a result file is an error naming
the file, never skipped silently.  Hung runs (context.hung, or a
`rep-N.hung.json` name) and runs with no progress (context.status
"no-progress": no mirror pass) are kept and counted but their numbers are
left out of every statistic; a null counter (n/a) is missing, never 0."""

import json
import math
import os
import re
import stat

from . import metrics
from . import stats


class InputError(Exception):
    """Bad input: the message is one line naming the problem."""


# Keys that change how a run is taken, not the workload: never a sweep.
IGNORED_PARAMS = {"scenario.description", "run.duration_s", "run.warmup_s",
                  "run.watchdog_s"}


class Run:
    """One result file."""

    def __init__(self, path, doc, kernel_dir):
        ctx = doc["context"]
        self.path = path
        self.context = ctx
        self.bench = doc["benchmarks"][0]
        extra = doc.get("snapbench", {})       # read_result() checked every type
        self.histograms = extra.get("histograms", {})
        self.violation_records = extra.get("violations", [])
        self.threads = extra.get("threads", [])
        self.strategy_counters = extra.get("strategy_counters", {})
        # harness/probe.c: a cache line's round trip between two CPUs just
        # before and just after the run; host_states() judges it.
        self.handoff = [v for v in extra.get("host_handoff_ns", []) if v is not None]
        self.host_state = None          # host_states(): "fast", "slow", None unknown
        self.host_judged = False
        self.scenario = ctx["scenario"]
        self.strategy = ctx["strategy"]
        self.environment = ctx.get("environment") or "userspace"
        self.accelerator = ctx.get("accelerator")
        if self.environment == "guest":
            self.kernel = kernel_dir or ctx.get("kernel_label") or ctx.get("kernel") or "?"
        else:
            self.kernel = ""
        self.params = ctx.get("scenario_params", {})
        self.hung = bool(ctx.get("hung")) or path.endswith(".hung.json")
        # "no-progress": ended, but no mirror pass (harness/RESULTS.md);
        # older files have no status: a run without passes failed too.
        self.status = ctx.get("status") or ("hung" if self.hung else
                                            "ok" if self.bench.get("passes") != 0 else
                                            "no-progress")
        self.failed = self.hung or self.status != "ok"
        self.rep = ctx.get("rep", self.bench.get("repetition_index"))
        boot = ctx.get("boot")
        self.boot = boot if isinstance(boot, int) and not isinstance(boot, bool) else None
        # One `snapbench kernel run/matrix/track` invocation: builds booted
        # in one batch were interleaved; None: batch unknown (older files).
        self.batch = ctx.get("batch") or None
        self.variant = ""

    def counter(self, name):
        v = self.bench.get(name)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    def counter_names(self):
        return [k for k, v in self.bench.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)]


# Integers beyond this are not numbers any writer of result files produces;
# float() of a larger one overflows.
_INT_LIMIT = 2 ** 64


# Repetitions and boots a result file may number (snapbench run --append
# stops below it).
_MAX_REPS = 1000000


def _no_constant(name):
    raise ValueError("%s is not a JSON number" % name)


def _bounded_int(text):
    v = int(text)
    if abs(v) >= _INT_LIMIT:
        raise ValueError("integer %.20s... out of range" % text)
    return v


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _shape_error(doc):
    """The first way @doc is not shaped as a result file (harness/RESULTS.md),
    as text, or None.  Checks every type the report code relies on; the
    values themselves (a schema version, percentiles in order) are
    harness/check-result's business."""
    if not isinstance(doc, dict):
        return "not a result file (top level is not an object)"
    ctx = doc.get("context")
    if not isinstance(ctx, dict):
        return "not a result file (no \"context\" object)"
    for key in ("scenario", "strategy"):
        if not isinstance(ctx.get(key), str) or not ctx[key]:
            return "context.%s missing or not a string" % key
    if ctx.get("batch") is not None and not isinstance(ctx["batch"], str):
        return "context.batch is not a string or null"
    for key in ("environment", "kernel", "kernel_label", "snapbench_revision",
                "start_time", "end_time", "command_line", "host_name"):
        if key in ctx and not isinstance(ctx[key], str):
            return "context.%s is not a string" % key
    if ctx.get("accelerator") is not None and not isinstance(ctx["accelerator"], str):
        return "context.accelerator is not a string or null"
    for key in ("rep", "reps", "boot", "seed", "schema"):
        if key in ctx and ctx[key] is not None and not _is_int(ctx[key]):
            return "context.%s is not a whole number" % key
    # Counts the reports iterate over (findings lists each missing
    # repetition): snapbench numbers repetitions below a million.
    for key in ("rep", "reps", "boot"):
        if _is_int(ctx.get(key)) and not 0 <= ctx[key] <= _MAX_REPS:
            return "context.%s %d is out of range [0, %d]" % (key, ctx[key], _MAX_REPS)
    for key in ("hung", "strategy_known_unsafe", "synthetic"):
        if key in ctx and not isinstance(ctx[key], bool):
            return "context.%s is not true or false" % key
    params = ctx.get("scenario_params", {})
    if not isinstance(params, dict):
        return "context.scenario_params is not an object"
    # snapbench writes strings; reports/testdata/make_results.py numbers.
    if not all(isinstance(v, (str, int, float)) for v in params.values()):
        return "context.scenario_params: a value that is not a string or a number"
    sp = ctx.get("strategy_params")
    if sp is not None and not isinstance(sp, dict):
        return "context.strategy_params is not an object"
    if isinstance(sp, dict) and not all(isinstance(v, (str, int, float, bool)) for v in sp.values()):
        return "context.strategy_params: a value that is not a string, number or boolean"
    sweep = ctx.get("sweep")
    if sweep is not None and not isinstance(sweep, (str, dict)):
        return "context.sweep is not an object"
    b = doc.get("benchmarks")
    if not isinstance(b, list) or len(b) != 1 or not isinstance(b[0], dict):
        return "\"benchmarks\" must hold exactly one object"
    if "repetition_index" in b[0] and not _is_int(b[0]["repetition_index"]):
        return "benchmarks[0].repetition_index is not a whole number"
    extra = doc.get("snapbench", {})
    if not isinstance(extra, dict):
        return "\"snapbench\" is not an object"
    hists = extra.get("histograms", {})
    if not isinstance(hists, dict):
        return "snapbench.histograms is not an object"
    for name, h in hists.items():
        err = _hist_error(h)
        if err:
            return "histogram %s %s" % (name, err)
    for key in ("violations", "threads"):
        items = extra.get(key, [])
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            return "snapbench.%s is not a list of objects" % key
    for t in extra.get("threads", []):
        for key in ("role", "doing"):
            if key in t and not isinstance(t[key], str):
                return "snapbench.threads[].%s is not a string" % key
    counters = extra.get("strategy_counters", {})
    if not isinstance(counters, dict) or not all(_is_num(v) for v in counters.values()):
        return "snapbench.strategy_counters is not an object of numbers"
    handoff = extra.get("host_handoff_ns", [])
    if not isinstance(handoff, list) or not all(v is None or (_is_num(v) and v > 0)
                                                for v in handoff):
        return "snapbench.host_handoff_ns is not a list of positive numbers or nulls"
    return None


def _hist_error(h):
    if not isinstance(h, dict):
        return "is not an object"
    if not _is_int(h.get("count")) or h["count"] < 0:
        return "has no count"
    for key in ("min", "max", "sum"):
        if key in h and not _is_num(h[key]):
            return "has a %s that is not a number" % key
    if h["count"] > 0 and not _is_num(h.get("max")):
        return "has no max"
    if "overflow" in h and (not _is_int(h["overflow"]) or h["overflow"] < 0):
        return "has an overflow that is not a count"
    buckets = h.get("buckets")
    if not isinstance(buckets, list):
        return "has no buckets"
    for bucket in buckets:
        if not (isinstance(bucket, list) and len(bucket) == 3 and all(map(_is_int, bucket))
                and bucket[0] <= bucket[1] and bucket[2] >= 0):
            return "has a bucket %.40s that is not [lo, hi, count]" % json.dumps(bucket)
    return None


def read_result(path):
    """The one way to read a result file: parse @path and check its shape
    (_shape_error()) before any report code sees it.  Returns the document;
    raises InputError, one line naming the file and the problem, for a file
    that cannot be read, is not strict JSON (NaN, 10**100, nesting too
    deep) or is not shaped as a result file."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise InputError("%s: not a regular file" % path)
        with open(path, encoding="utf-8") as f:
            doc = json.load(f, parse_constant=_no_constant, parse_int=_bounded_int)
    except InputError:
        raise
    except RecursionError:
        raise InputError("%s: malformed JSON: nested too deeply" % path) from None
    except ValueError as e:     # JSONDecodeError, UnicodeDecodeError and ours
        raise InputError("%s: malformed JSON: %s" % (path, str(e).splitlines()[0])) from None
    except OSError as e:
        raise InputError("%s: cannot read: %s" % (path, e.strerror or e)) from None
    err = _shape_error(doc)
    if err:
        raise InputError("%s: %s" % (path, err))
    return doc


def _kernel_dir(root, path):
    parts = os.path.relpath(path, root).split(os.sep)
    for i in range(len(parts) - 2):
        if parts[i] == "kernel":
            return parts[i + 1]
    return None


RESULT_NAME = re.compile(r"rep-\d+(\.hung)?\.json$")


def load_runs(root):
    """Every result file under @root, as Runs.  Raises InputError."""
    if not os.path.exists(root):
        raise InputError("%s: no such directory" % root)
    if not os.path.isdir(root):
        raise InputError("%s: not a directory" % root)
    runs = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if os.path.basename(dirpath) == "boot" and "files" in dirnames:
            # kernel/<label>/boot/files: the guest's staging copy, which an
            # older harness/kernel/run left behind; the same files sit in
            # kernel/<label>/<scenario>/..., so reading both counts each twice.
            dirnames.remove("files")
        for name in sorted(filenames):
            # Result files only (harness/RESULTS.md): a guest's boot.json
            # and other JSON may sit beside them.
            if not RESULT_NAME.match(name):
                continue
            path = os.path.join(dirpath, name)
            doc = read_result(path)
            runs.append(Run(path, doc, _kernel_dir(root, path)))
    if not runs:
        raise InputError("%s: no result files (*.json) found" % root)
    _mark_sweeps(runs)
    return runs


def _param_text(v):
    return v if isinstance(v, str) else json.dumps(v)


def _declared_sweep(run):
    s = run.context.get("sweep")
    if isinstance(s, str):
        return s
    if isinstance(s, dict) and isinstance(s.get("param"), str):
        return s["param"]
    return None


def _mark_sweeps(runs):
    """A sweep is a set of runs of one scenario that differ in scenario
    parameters: a `sweep` key in the context names the parameter, else the
    parameters whose values differ between the runs are the swept ones.
    Each run's `variant` becomes "key=value[,key=value]"."""
    by_scenario = {}
    for r in runs:
        by_scenario.setdefault((r.environment, r.kernel, r.scenario), []).append(r)
    for group in by_scenario.values():
        declared = sorted({d for d in map(_declared_sweep, group) if d})
        if declared:
            swept = declared
        else:
            keys = set()
            for r in group:
                keys.update(r.params)
            swept = sorted(k for k in keys - IGNORED_PARAMS
                           if len({_param_text(r.params.get(k)) for r in group}) > 1)
        for r in group:
            r.variant = ",".join("%s=%s" % (k, _param_text(r.params.get(k)))
                                 for k in swept)
            r.swept = swept


class Group:
    """The repetitions of one (environment, kernel, scenario, variant,
    strategy).

    The unit of replication is the run, except for guest runs that record
    their boot (context.boot, `snapbench kernel run --boots N`): there it is
    the boot, and a metric's value for a boot is the median of its runs.
    Runs in one boot share that boot's speed, so counting them as
    independent samples would make a test between two builds see
    boot-to-boot noise as a difference between the builds."""

    def __init__(self, key, runs):
        self.key = key
        self.environment, self.kernel, self.scenario, self.variant, self.strategy = key
        self.runs = sorted(runs, key=lambda r: (r.rep if isinstance(r.rep, int) else 0, r.path))
        # host_states(): how many runs ran in the host's fast state
        self.host_fast = sum(1 for r in self.runs if r.host_state == "fast")
        self.ok_runs = [r for r in self.runs if not r.failed]
        self.hung = sum(1 for r in self.runs if r.hung)
        self.no_progress = sum(1 for r in self.runs if r.failed and not r.hung)
        self.violations = sum(r.counter("violations") or 0 for r in self.runs)
        names = set()
        for r in self.runs:
            names.update(r.counter_names())
        self.metrics = metrics.expand(names)
        self._summary = {}

    @property
    def scenario_label(self):
        return self.scenario + (" [%s]" % self.variant if self.variant else "")

    def _unit(self, run):
        return ("boot", run.batch or "", run.boot) if run.boot is not None else ("run", run.path)

    @property
    def n(self):
        """Units of replication (runs, or boots) with a run that did not hang."""
        return len({self._unit(r) for r in self.ok_runs})

    def values(self, metric_name):
        """The metric per unit of replication, over the runs that did not
        hang: per run, or per boot the median of its runs."""
        per = {}
        for r in self.ok_runs:
            v = r.counter(metric_name)
            if v is not None:
                per.setdefault(self._unit(r), []).append(v)
        return [stats.median(vs) for _, vs in sorted(per.items(), key=lambda kv: str(kv[0]))]

    def summary(self, metric_name):
        """(median, lo, hi, n) or None when no completed run has it; [lo,
        hi] is stats.median_interval(): an order-statistic interval of the
        median, or the range when n is too small to claim 95%."""
        if metric_name not in self._summary:
            vals = self.values(metric_name)
            if vals:
                lo, hi, _, _ = stats.median_interval(vals)
                self._summary[metric_name] = (stats.median(vals), lo, hi, len(vals))
            else:
                self._summary[metric_name] = None
        return self._summary[metric_name]

    def hist(self, name):
        """The histograms of @name over the completed repetitions."""
        return [r.histograms[name] for r in self.ok_runs if name in r.histograms]

    def hist_names(self):
        names = set()
        for r in self.ok_runs:
            names.update(r.histograms)
        return sorted(names)


def batches(groups):
    """The known batch ids of @groups' runs (context.batch), a set."""
    return {r.batch for g in groups for r in g.runs if r.batch}


def shared_batch(a, b):
    """The batch both lists of groups @a and @b have runs of, or None when
    they share no known batch id (a run without one shares none).  With
    several, the latest (by the newest start_time of its runs): the batch
    a verdict is taken within."""
    common = batches(a) & batches(b)
    if not common:
        return None
    last = {}
    for g in a + b:
        for r in g.runs:
            if r.batch in common:
                last[r.batch] = max(last.get(r.batch, ""), str(r.context.get("start_time") or ""))
    return max(common, key=lambda k: (last[k], k))


def in_batch(group, batch):
    """@group restricted to the runs of @batch (a Group), or None when it
    has none there."""
    runs = [r for r in group.runs if r.batch == batch]
    return Group(group.key, runs) if runs else None


def batch_text(groups):
    """The batch ids of @groups for a message: "b1, b2", "unknown" for
    runs without one."""
    ids = sorted(batches(groups))
    if any(not r.batch for g in groups for r in g.runs):
        ids.append("unknown")
    return ", ".join(ids) or "unknown"


# The host's two states (harness/probe.c): on the 2-core VMs this suite
# runs on, a cache line's round trip between the vCPUs is about 160 ns for
# stretches of 5 to 20 s and about 470 ns the rest of the time, and the
# model runs two to three times faster in the first, not every strategy
# alike.  Probes spread by less than this factor are one state; a run
# probed on both sides of the cut counts as fast.
HOST_STATES_FACTOR = 2.0
HOST_STATES_MIN_PROBES = 10


def host_states(runs):
    """Judge the host state of each run of @runs (one report, or every
    directory of a comparison: one machine): when the userspace runs'
    probes (Run.handoff) split in two states (their 1st and 99th
    percentiles HOST_STATES_FACTOR apart or more, cut at the geometric
    middle), Run.host_state is "fast" for a run with a probe below the cut
    (a cache line goes between the CPUs quickly: the host runs them close
    together) and "slow" for the rest; otherwise None (one state, or no
    probe).  The verdicts' test compares runs within a state
    (verdicts.test()).  Returns (the usual state's round trip in ns: the
    median probe of the state most probes fell in, or None without probes;
    the number of runs in the other state)."""
    for r in runs:
        r.host_state, r.host_judged = None, True
    probed = [r for r in runs if r.environment == "userspace" and r.handoff]
    vals = sorted(v for r in probed for v in r.handoff)
    if not vals:
        return None, 0
    lo, hi = vals[len(vals) // 100], vals[len(vals) - 1 - len(vals) // 100]
    if len(vals) < HOST_STATES_MIN_PROBES or hi < lo * HOST_STATES_FACTOR:
        return stats.median(vals), 0
    cut = math.sqrt(lo * hi)
    fast_usual = 2 * sum(1 for v in vals if v < cut) > len(vals)
    usual = [v for v in vals if (v < cut) == fast_usual]
    n = 0
    for r in probed:
        r.host_state = "fast" if any(v < cut for v in r.handoff) else "slow"
        n += (r.host_state == "fast") != fast_usual
    return stats.median(usual), n


def group_runs(runs):
    """Groups keyed (environment, kernel, scenario, variant, strategy),
    sorted by that key; each run's host state judged (host_states(), over
    @runs unless a caller judged them over more)."""
    if not all(r.host_judged for r in runs):
        host_states(runs)
    by_key = {}
    for r in runs:
        key = (r.environment, r.kernel, r.scenario, r.variant, r.strategy)
        by_key.setdefault(key, []).append(r)
    return [Group(k, v) for k, v in sorted(by_key.items(), key=lambda kv: _sort_key(kv[0]))]


def _num_or_text(text):
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text)


def _sort_key(key):
    env, kernel, scenario, variant, strategy = key
    vparts = tuple(_num_or_text(p.partition("=")[2]) for p in variant.split(",")) if variant else ()
    return (env, _version_key(kernel), scenario, vparts, strategy)


def _version_parts(text):
    out = []
    for part in re.split(r"[.\-_~]+", text):
        if part:
            out.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(out)


def _version_key(v):
    release, _, patches = v.partition("+")
    m = re.match(r"v?(\d+(?:\.\d+)*)(.*)$", release)
    if not m:
        return ((1, release), (), (), patches)
    nums = tuple(int(x) for x in m.group(1).split("."))
    rest = m.group(2)
    rc = re.match(r"-?rc(\d+)(.*)$", rest)
    # a release candidate sorts before its release
    stage = (0, int(rc.group(1))) if rc else (1, 0)
    return ((0, ""), nums, stage, _version_parts(rc.group(2) if rc else rest), patches)


def version_key(v):
    """Sort key for kernel version strings and build labels: numeric
    components compare as numbers (6.1 < 6.1.99 < 6.1.170 < 6.12.7), a
    release candidate before its release (6.13-rc2 < 6.13), and a label
    with `+patch` right after the release it was built from
    (6.12.117 < 6.12.117+slow < 6.12.118)."""
    return _version_key(v)
