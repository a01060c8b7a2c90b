# SPDX-License-Identifier: GPL-2.0
# versions.py - `snapreport trend DIR...`: guest results per kernel build in
# version order, each build compared with a reference build, verdicts, trend
# plots, and the report's per-kernel-version section.
"""Kernel builds and their order.  A build is the label of its result
directory, OUT/kernel/<label>/ (harness/RESULTS.md): the kernel release, plus
`+<patch>` for each patch applied on top (--extra-patch).  Labels sort as
versions (results.version_key): 6.1.99 < 6.1.170 < 6.12.7 < 6.12.117 <
6.12.117+slow < 6.12.118.

Times measured under TCG are emulated: builds are compared only with builds
run under the same accelerator, so each accelerator is a trend of its own.

The baseline.  By default the newest build without `+patch`; --baseline
LABEL picks another.  Why the newest release and not the oldest:
 - it is the kernel people run now, so every verdict is about it: compared
   with each older release it answers "is the current kernel worse than
   that one?", which is what a CI job that adds a new release to the
   matrix wants to gate on;
 - a `+patch` build is normally made on the newest release under test, so
   comparing it with its own release isolates the patch;
 - with the oldest as the baseline a new release would only be compared
   with the oldest, usually of another series, and a regression between two
   point releases of one series could hide behind a cross-series gain.

Which pairs are compared.  Every comparison runs FROM the older build TO the
newer one, so that a "regression" always means "the later build is worse":
 - a release older than the baseline: FROM that release TO the baseline;
 - a release newer than the baseline: FROM the baseline TO that release;
 - a `+patch` build: FROM its own release when that was run (only the
   patch differs), else FROM the baseline; the patched build is always TO.
Each pair of groups (same scenario, sweep point and strategy) goes through
compare.compare_pair(): median change, bootstrap intervals, two-sided
Mann-Whitney U, and the verdict rule of compare.py (significant when the
Benjamini-Hochberg q over that build comparison's headline metrics, or with
--correction none the metric's own p, is < alpha AND |change| >= the
threshold; invariant violations or hung runs on the TO side are a
regression whatever the numbers).  compare's "worse" is
reported as "regression", "better" as "improvement".  Effect sizes: the
ratio of the medians TO / FROM and Cliff's delta, P(TO > FROM) - P(TO <
FROM) over all pairs of samples.

The unit of replication.  Guest runs that record their boot (`kernel run
--boots N`) are compared boot against boot: a boot's value is the median
of its repetitions (results.Group), so n is the number of boots.
Repetitions in one boot share its speed: counted as independent, they
made 11 of 12 comparisons of unchanged boots of one build a regression
here; eight boots a side made 0 of 12 (README, "The boot is the unit of
replication").  Results without a boot (older trees, userspace) count
each run.

Batches.  Builds booted interleaved in one invocation (`snapbench kernel
run/matrix/track`, one context.batch id) share the host's slow spells;
builds booted at different times do not: two unchanged batches of one
build 25 minutes apart, compared, flagged reclaim metrics by 10-20% (q <=
0.04).  So when results carry batch ids, a build is compared with its
reference only on the samples of the latest batch both have runs of (its
other samples are history: drawn in the plots and tables, never the
reference sample), and a pair that shares no known batch id (a run without
one shares none) is not compared: "different batches", not a verdict.
Refused rather than widened: how far apart two batches of one build can
be depends on the host's load on each day, which one batch per side
cannot estimate, so any widening would be a guessed number.  When no
guest result carries a batch id (older trees) builds are compared as
before and the output says once that the batches are unknown.

Exit status of `snapreport trend`: 1 when any headline metric has a
regression, else 0; 2 on bad input (no guest results, one build only, an
unknown --baseline, shard trees made differently: check_shards()) and
when no build could be compared because none shares a batch with its
reference.

False positives (`snapreport trend --false-positives DIR DIR...`).  Each
DIR is an unchanged repeat of the same builds (the same `kernel run`
command, one boot each; userspace repeats work too).  Every ordered pair of
repeats (A, B) of a build goes through compare.compare_pair() exactly as an
older build A and a newer build B would in `trend`; a build comparison is
flagged when any headline metric is a regression, which is when `trend`
would exit 1.  Counting (A, B) and (B, A) estimates P(flag) for one
comparison in a given direction.  The repeats share runs, so the pairs are
not independent: k repeats give k(k-1) comparisons but much less evidence
than that many independent ones.  Exit status 0; 2 on bad input."""

import json
import math
import os
import shutil

from . import compare, metrics, stats
from .markup import esc, figure, strategy
from .palette import colour
from .plots import Plot, Renderer, quote, slug
from .results import InputError, batch_text, batches, group_runs, host_states, in_batch, \
    load_runs, shared_batch, version_key, _mark_sweeps

# Printed once when no guest result carries a batch id.
BATCH_CAVEAT = ("batch unknown: these results carry no batch id (context.batch), so builds are "
                "compared as if they had been booted interleaved in one batch; results of separate "
                "invocations (another day, another host load) can differ by the host alone")

VERDICT = {"worse": "regression", "better": "improvement", "changed": "changed",
           "no significant change": "no significant change"}


def split_label(label):
    """(release, [patch, ...]) of a build label."""
    parts = label.split("+")
    return parts[0], [p for p in parts[1:] if p]


def load_dirs(dirs, per_dir=None):
    """The runs of one or more result directories (shards of one matrix, or
    a userspace and a kernel run), as one set; @per_dir, a list, gets each
    directory's runs."""
    runs = []
    for d in dirs:
        mine = load_runs(d)
        runs.extend(mine)
        if per_dir is not None:
            per_dir.append(mine)
    if len(dirs) > 1:
        _mark_sweeps(runs)
    return runs


# ---- shard trees -----------------------------------------------------------

def _value_text(v):
    """A parameter value as text, 0.5 and "0.5" alike, 2 and 2.0 alike."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return repr(int(f)) if f.is_integer() else repr(f)


def _values(vals):
    return ", ".join(sorted(set(vals))) or "none"


def shard_settings(runs):
    """What the shard trees of one matrix must agree on, from one tree's
    guest runs: {field: value text}, the field as the error names it.
    Repetitions per boot and boots per build are maxima over the tree (a
    crashed run leaves no file, a failed boot fewer boots)."""
    guests = [r for r in runs if r.environment == "guest"]
    out = {
        "harness revision (context.snapbench_revision)":
            _values(str(r.context.get("snapbench_revision") or "unknown") for r in guests),
        "accelerator": _values(r.accelerator or "unknown" for r in guests),
    }
    boots, reps = {}, {}
    for r in guests:
        boots.setdefault((r.kernel, r.batch), set()).add(r.boot)
        unit = (r.kernel, r.scenario, r.variant, r.strategy, r.batch, r.boot)
        reps[unit] = reps.get(unit, 0) + 1
    out["boots per build"] = ("n/a (no context.boot)" if all(None in b for b in boots.values())
                              else str(max(len(b - {None}) for b in boots.values())))
    out["repetitions per boot"] = str(max(reps.values()))
    params = {}
    for r in guests:
        for k, v in r.params.items():
            if k != "scenario.description":
                params.setdefault(r.scenario, {}).setdefault(k, set()).add(_value_text(v))
    for scenario, keys in params.items():
        for k, vals in keys.items():
            what = "duration (run.duration_s)" if k == "run.duration_s" else "scenario parameter " + k
            out["%s of %s" % (what, scenario)] = _values(vals)
    return out, set(params)


def check_shards(dirs, per_dir):
    """Raise InputError, one line naming the field and the two values, when
    the guest runs of the trees @dirs (@per_dir: each tree's runs) were not
    made alike: harness revision, accelerator, boots per build,
    repetitions per boot, and per scenario both trees ran its parameters
    and duration.  Trees without guest runs are not shards of a matrix."""
    trees = [(d, shard_settings(runs)) for d, runs in zip(dirs, per_dir)
             if any(r.environment == "guest" for r in runs)]
    if len(trees) < 2:
        return
    first, (ref, ref_scen) = trees[0]
    for d, (mine, scen) in trees[1:]:
        both = ref_scen & scen
        for field in list(ref) + [f for f in mine if f not in ref]:
            if " of " in field and field.rsplit(" of ", 1)[1] in (ref_scen | scen) \
                    and field.rsplit(" of ", 1)[1] not in both:
                continue            # a scenario only one shard ran
            a, b = ref.get(field, "absent"), mine.get(field, "absent")
            if a != b:
                raise InputError("shard trees differ in %s: %s in %s, %s in %s; merge only trees "
                                 "made alike" % (field, a, first, b, d))


def accelerator(group):
    """The accelerator of a guest group's runs ("tcg", "kvm"; "kvm+tcg" when
    mixed, which then only compares with the same mix)."""
    return "+".join(sorted({r.accelerator or "unknown" for r in group.runs}))


def choose_baseline(labels, requested=None):
    """(baseline, why) among @labels (in version order)."""
    if requested:
        return requested, "chosen with --baseline"
    plain = [l for l in labels if not split_label(l)[1]]
    if plain:
        return plain[-1], "the newest build without +patch (--baseline LABEL to change)"
    return labels[-1], "every build carries a patch: the newest (--baseline LABEL to change)"


def pair_for(label, baseline, labels):
    """(FROM, TO) of the comparison of build @label, None for the baseline."""
    if label == baseline:
        return None
    release, patches = split_label(label)
    if patches:
        if release in labels and release != label:
            return release, label
        return baseline, label
    if version_key(label) < version_key(baseline):
        return label, baseline
    return baseline, label


class Trend:
    """The builds run under one accelerator and their comparisons."""

    def __init__(self, accel, groups, requested, alpha, effect, all_metrics, correction):
        self.accel = accel
        self.groups = groups
        self.labels = sorted({g.kernel for g in groups}, key=version_key)
        self.series = {}
        for g in groups:
            self.series.setdefault((g.scenario, g.variant, g.strategy), {})[g.kernel] = g
        self.baseline, self.why = choose_baseline(self.labels, requested)
        self.missing_baseline = self.baseline not in self.labels
        self.pairs = {l: pair_for(l, self.baseline, self.labels) for l in self.labels}
        self.rows, self.absent = [], []
        # Batches: with batch ids, a build is compared only within a batch
        # it shares with its reference (self.batch), on that batch's
        # samples; the rest of its samples are history (plots, tables).
        # Sharing none, the comparison is refused (self.refused).  Without
        # any batch id, today's behaviour and BATCH_CAVEAT.
        self.batched = bool(batches(groups))
        self.batch, self.refused = {}, {}
        if self.missing_baseline or len(self.labels) < 2:
            return
        by_build = {}
        for g in groups:
            by_build.setdefault(g.kernel, []).append(g)
        for label in self.labels:
            if self.pairs[label] is None or not self.batched:
                continue
            frm, to = (by_build[x] for x in self.pairs[label])
            b = shared_batch(frm, to)
            if b is None:
                self.refused[label] = (batch_text(frm), batch_text(to))
            else:
                self.batch[label] = b
        for key in sorted(self.series, key=lambda k: (k[0], k[1], k[2])):
            per = self.series[key]
            for label in self.labels:
                if label not in per or self.pairs[label] is None or label in self.refused:
                    continue
                frm, to = self.pairs[label]
                if frm not in per or to not in per:
                    self.absent.append((key, label, frm if frm not in per else to))
                    continue
                a, b = per[frm], per[to]
                if self.batched:
                    batch = self.batch[label]
                    a, b = in_batch(a, batch), in_batch(b, batch)
                    if a is None or b is None:
                        self.absent.append((key, label, "%s in batch %s" % (
                            frm if a is None else to, batch)))
                        continue
                for it in compare.compare_pair(a, b, alpha, effect, all_metrics):
                    it.update(accelerator=accel, scenario=key[0], variant=key[1], strategy=key[2],
                              build=label, frm=frm, to=to, batch=self.batch.get(label))
                    self.rows.append(it)
        # One family per build comparison: what its verdict is decided on.
        for label in self.labels:
            compare.adjust([r for r in self.rows if r["build"] == label], alpha, effect, correction)
        for it in self.rows:
            # A correctness row (violations, hangs in NEW) is a regression
            # whatever the numbers; an informational one (runs without
            # progress, already counted in passes/s) is not a verdict.
            it["verdict"] = VERDICT.get(it["verdict"], it["verdict"])

    def build_summary(self, label):
        """Counts of headline verdicts of @label's comparison."""
        rows = [r for r in self.rows if r["build"] == label and r["headline"]]
        c = {"regression": 0, "improvement": 0, "no significant change": 0, "changed": 0}
        for r in rows:
            c[r["verdict"]] = c.get(r["verdict"], 0) + 1
        if label == self.baseline:
            verdict = "baseline"
        elif label in self.refused:
            verdict = "different batches"
        elif not rows:
            verdict = "not compared"
        elif c["regression"]:
            verdict = "regression"
        elif c["improvement"]:
            verdict = "improvement"
        else:
            verdict = "no change"
        return c, verdict

    def verdict_text(self, label, verdict):
        """@verdict of build @label (build_summary()) saying which build it
        is about: the comparison runs FROM the older TO the newer build."""
        p = self.pairs.get(label)
        if p and verdict == "regression":
            return "REGRESSION: %s worse than %s" % (p[1], p[0])
        if p and verdict == "improvement":
            return "improvement: %s better than %s" % (p[1], p[0])
        if p and verdict == "different batches":
            return ("not compared: %s and %s share no batch (%s: %s; %s: %s); boot them in one "
                    "invocation" % (p[0], p[1], p[0], self.refused[label][0], p[1],
                                    self.refused[label][1]))
        return verdict

    def row(self, key, label, metric):
        for r in self.rows:
            if (r["scenario"], r["variant"], r["strategy"]) == key and r["build"] == label \
                    and r["metric"] == metric:
                return r
        return None


def trends(groups, requested, alpha, effect, all_metrics=False, correction=compare.CORRECTIONS[0]):
    """One Trend per accelerator of the guest groups.  Raises InputError
    when an explicit baseline was run under none of them."""
    guests = [g for g in groups if g.environment == "guest"]
    by_accel = {}
    for g in guests:
        by_accel.setdefault(accelerator(g), []).append(g)
    out = [Trend(a, gs, requested, alpha, effect, all_metrics, correction)
           for a, gs in sorted(by_accel.items())]
    if requested and out and all(t.missing_baseline for t in out):
        labels = sorted({l for t in out for l in t.labels}, key=version_key)
        raise InputError("--baseline %s: no such kernel build (builds: %s)"
                         % (requested, ", ".join(labels)))
    return out


def run_merge(args, out):
    """`snapreport merge DST SRC...`: the shard trees SRC (kernel matrix
    --shard I/N) copied into one new tree DST, after check_shards() and
    after checking that no build and no file is in two of them.  DST must
    not exist or be empty; it is written under a temporary name and
    renamed, so it is whole or absent."""
    if len(args.src) < 2:
        raise InputError("merge: give at least two shard trees to merge")
    per_dir = []
    load_dirs(args.src, per_dir)
    for d, runs in zip(args.src, per_dir):
        if not any(r.environment == "guest" for r in runs):
            raise InputError("merge: %s: no kernel results (OUT/kernel/<label>/...): not a shard "
                             "of a kernel matrix" % d)
    check_shards(args.src, per_dir)
    owner = {}
    for d, runs in zip(args.src, per_dir):
        for label in sorted({r.kernel for r in runs if r.environment == "guest"}):
            if label in owner:
                raise InputError("merge: kernel build %s is in both %s and %s: shards split the "
                                 "builds of a matrix" % (label, owner[label], d))
            owner[label] = d
    files = {}
    for d in args.src:
        for dirpath, _, names in os.walk(d):
            for name in names:
                rel = os.path.relpath(os.path.join(dirpath, name), d)
                if rel in files:
                    raise InputError("merge: %s is in both %s and %s" % (rel, files[rel], d))
                files[rel] = d
    dst = args.dst.rstrip("/") or args.dst
    if os.path.lexists(dst) and not (os.path.isdir(dst) and not os.listdir(dst)):
        raise InputError("merge: %s exists and is not an empty directory" % dst)
    tmp = dst + ".merge-tmp"
    if os.path.lexists(tmp):
        raise InputError("merge: %s exists (left by an interrupted merge?): remove it" % tmp)
    try:
        for d in args.src:
            shutil.copytree(d, tmp, symlinks=True, dirs_exist_ok=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if os.path.isdir(dst):
        os.rmdir(dst)
    os.rename(tmp, dst)
    out.write("merged %d files of %d kernel builds from %d shard trees into %s\n"
              % (len(files), len(owner), len(args.src), dst))
    return 0


# ---- text ------------------------------------------------------------------

def _pct(v):
    if v is None:
        return "–"
    if math.isinf(v):
        return "+inf%" if v > 0 else "-inf%"
    return "%+.1f%%" % v


def _ratio(v):
    return "–" if v is None else "x%.3g" % v


def _scen(scenario, variant):
    return scenario + (" [%s]" % variant if variant else "")


def _pair_text(t, label):
    p = t.pairs.get(label)
    if p is None:
        return "baseline"
    frm, to = p
    return "%s%s -> %s%s%s" % (frm, " (baseline)" if frm == t.baseline else "",
                               to, " (baseline)" if to == t.baseline else "",
                               " [batch %s]" % t.batch[label] if label in t.batch else "")


def write_text(ts, alpha, effect, correction, out):
    out.write("# kernel builds in version order, each compared FROM the older build TO the newer\n"
              "# (an older release -> the baseline, the baseline -> a newer release, a +patch\n"
              "# build's own release -> the build); regression: TO significantly worse\n"
              "# p: two-sided Mann-Whitney; %s (of the FROM median)\n"
              "# effect: ratio of medians TO/FROM, Cliff's delta = P(TO > FROM) - P(TO < FROM)\n"
              "# medians over samples (boots with --boots, else repetitions); bootstrap: %d resamples, seed %d\n"
              % (compare.rule_text(alpha, effect, correction), stats.BOOT_RESAMPLES, stats.BOOT_SEED))
    if any(t.batched for t in ts):
        out.write("# batches (context.batch): a build is compared with its reference only on the samples\n"
                  "# of the latest batch both were booted in (one invocation, interleaved); samples of\n"
                  "# other batches are history, drawn in the plots, never the reference; builds that\n"
                  "# share no batch are not compared\n")
    if not all(t.batched for t in ts):
        out.write("# caveat: %s\n" % BATCH_CAVEAT)
    for t in ts:
        out.write("\n# accelerator %s: %s\n" % (t.accel, " < ".join(t.labels)))
        if t.missing_baseline:
            out.write("# baseline %s was not run under %s: nothing compared\n" % (t.baseline, t.accel))
            continue
        if len(t.labels) < 2:
            out.write("# one build only under %s: nothing to compare\n" % t.accel)
            continue
        out.write("# baseline %s: %s\n" % (t.baseline, t.why))
        last = None
        for r in t.rows:
            gkey = (r["scenario"], r["variant"], r["strategy"])
            if gkey != last:
                last, lastb = gkey, None
                out.write("\n== %s  %s / %s\n" % (t.accel, _scen(r["scenario"], r["variant"]), r["strategy"]))
            if r["build"] != lastb:
                lastb = r["build"]
                out.write("  %s\n" % _pair_text(t, r["build"]))
            if "note" in r:
                out.write("    %-28s %s: %s\n" % (r["metric"], r["verdict"].upper(), r["note"]))
                continue
            u, fv = r["unit"], metrics.format_value
            out.write("    %-28s %10s -> %10s  %8s  %7s  delta %+5.2f  p=%-8.3g q=%-8.3g (%s, n=%d/%d)  "
                      "%s\n" % (
                r["metric"], fv(r["base_median"], u), fv(r["new_median"], u), _pct(r["change_pct"]),
                _ratio(r["ratio"]), r["cliffs_delta"], r["p"], r["q"], r["test"], r["n_base"], r["n_new"],
                r["verdict"].upper() if r["verdict"] == "regression" else r["verdict"]))
        for key, label, miss in t.absent:
            out.write("\nnot compared: %s / %s on %s: no %s run of it\n"
                      % (_scen(key[0], key[1]), key[2], label, miss))
    out.write("\nverdicts per build (headline metrics; worse/better/same: how many comparisons):\n")
    w = max([len(l) for t in ts for l in t.labels] + [5])
    for t in ts:
        for label in t.labels:
            c, verdict = t.build_summary(label)
            pair = _pair_text(t, label) if not t.missing_baseline else "–"
            out.write("  %-6s %-*s  %s\n" % (t.accel, w, label, pair))
            if verdict == "different batches":
                out.write("  %-6s %-*s  %s\n" % ("", w, "", t.verdict_text(label, verdict)))
            elif verdict != "baseline":
                out.write("  %-6s %-*s  worse %d, better %d, same %d: %s\n" % (
                    "", w, "", c["regression"], c["improvement"], c["no significant change"],
                    t.verdict_text(label, verdict)))


def regressions(ts):
    return [r for t in ts for r in t.rows if r["headline"] and r["verdict"] == "regression"]


def _jsonable(v):
    if isinstance(v, float) and math.isinf(v):
        return str(v)
    if isinstance(v, tuple):
        return list(v)
    return v


def write_json(ts, alpha, effect, correction, path):
    doc = {"alpha": alpha, "threshold_pct": effect, "correction": correction, "accelerators": []}
    for t in ts:
        builds = []
        for label in t.labels:
            c, verdict = t.build_summary(label)
            p = t.pairs.get(label)
            builds.append({"build": label, "from": p[0] if p else None, "to": p[1] if p else None,
                           "counts": c, "verdict": verdict, "batch": t.batch.get(label),
                           "batches": ({"from": t.refused[label][0], "to": t.refused[label][1]}
                                       if label in t.refused else None)})
        doc["accelerators"].append({
            "accelerator": t.accel, "builds": builds, "baseline": t.baseline,
            "baseline_reason": t.why, "baseline_missing": t.missing_baseline,
            "batch_ids": t.batched,
            "rows": [{k: _jsonable(v) for k, v in r.items()} for r in t.rows],
            "not_compared": [{"scenario": k[0], "variant": k[1], "strategy": k[2], "build": l,
                              "missing": m} for k, l, m in t.absent]})
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
    os.replace(tmp, path)


# ---- plots -------------------------------------------------------------------

def _scale(m, values):
    """(divisor, unit text) for drawing metric @m."""
    if m.unit == "ns":
        top = max([abs(v) for v in values] or [1.0])
        for div, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns")):
            if top >= div:
                return div, unit
        return 1.0, "ns"
    if m.unit == "ratio":
        return 0.01, "%"
    if m.unit == "1/s":
        top = max([abs(v) for v in values] or [1.0])
        for div, unit in ((1e6, "M/s"), (1e3, "k/s"), (1.0, "/s")):
            if top >= div:
                return div, unit
    return 1.0, m.unit


def trend_metrics(groups):
    """Headline metrics (not correctness) present in @groups, table order."""
    names = {m.name for g in groups for m in g.metrics if m.headline and not m.correctness}
    return [metrics.lookup(n) for n in sorted(names, key=metrics.order_key)]


def _tic(label, i):
    """A build as an x tic: the release, each +patch on a line of its own."""
    release, patches = split_label(label)
    lines = [release] + ["+" + p for p in patches]
    return '"%s" %d' % ("\\n".join(x.replace("\\", "\\\\").replace('"', '\\"') for x in lines), i)


def plot_scenario(renderer, plot, t, scenario, variant):
    """The figure of one scenario (sweep point): a panel per headline metric,
    x the builds in version order, per strategy its median over samples
    (line) and the bootstrap 95% interval (band; bars when there is one
    build), a black ring where the comparison flags a regression."""
    keys = sorted((k for k in t.series if k[:2] == (scenario, variant)), key=lambda k: k[2])
    groups = [g for k in keys for g in t.series[k].values()]
    strategies = [k[2] for k in keys]
    xs = {l: i for i, l in enumerate(t.labels)}
    single = len(t.labels) == 1
    panels, blocks, drawn, flat = [], [], [], []
    flagged = {(r["strategy"], r["to"], r["metric"]) for r in t.rows
               if r["verdict"] == "regression" and (r["scenario"], r["variant"]) == (scenario, variant)}
    for m in trend_metrics(groups):
        summ = {(s, l): t.series[(scenario, variant, s)][l].summary(m.name)
                for s in strategies for l in t.labels if l in t.series[(scenario, variant, s)]}
        summ = {k: v for k, v in summ.items() if v}
        vals = [x for v in summ.values() for x in v[:3]]
        if not vals or all(x == 0 for x in vals):
            flat.append(m.label)
            continue
        div, unit = _scale(m, vals)
        pos = [x / div for x in vals if x > 0]
        logy = len(pos) == len(vals) and max(pos) / min(pos) >= 30
        first = len(blocks)
        for j, s in enumerate(strategies):
            # one build: strategies side by side, or equal medians would hide each other
            dx = (j - (len(strategies) - 1) / 2.0) * 0.12 if single else 0.0
            rows = []
            for l in t.labels:
                v = summ.get((s, l))
                if v:
                    rows.append((xs[l] + dx, v[0] / div, v[1] / div, v[2] / div,
                                 v[0] / div if (s, l, m.name) in flagged else "NaN"))
            blocks.append(("%s, %s: build index, median, CI lo, CI hi, median if flagged (%s)"
                           % (m.name, s, unit), rows))
        drawn.append((m, unit, logy, first))
    if not drawn:
        plot.note = "every headline metric is zero in every build"
        return
    path = renderer.dat(plot, blocks)
    any_flag = bool(flagged)
    for i, (m, unit, logy, first) in enumerate(drawn):
        clauses = []
        for j, s in enumerate(strategies):
            idx = first + j
            c = quote(colour(s))
            if single:
                clauses.append("%s index %d using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 0.9 lc rgb %s notitle"
                               % (quote(path), idx, c))
            else:
                clauses.append("%s index %d using 1:3:4 with filledcurves fc rgb %s notitle"
                               % (quote(path), idx, c))
            clauses.append("%s index %d using 1:2 with linespoints lw 2 pt 7 ps 0.9 lc rgb %s title %s"
                           % (quote(path), idx, c, quote(s) if i == 0 else '""'))
            if any_flag:
                clauses.append("%s index %d using 1:5 with points pt 6 ps 2.4 lw 2 lc rgb \"black\" %s"
                               % (quote(path), idx, "title \"regression\"" if i == 0 and j == 0 else "notitle"))
        title = m.label + {"lower": " (lower is better)", "higher": " (higher is better)"}.get(m.better, "")
        panels.append("    set title %s\n    set ylabel %s\n    %s\n    %s\n    plot %s\n    unset key"
                      % (quote(title), quote("%s%s" % (unit, ", log scale" if logy else "")),
                         "set logscale y" if logy else "unset logscale y",
                         "set yrange [*:*]" if logy else "set yrange [0:*]",
                         ", ".join(clauses)))
    n = len(drawn)
    cols = 1 if n == 1 else 2 if n <= 4 else 3
    rows = (n + cols - 1) // cols
    lines = max(1 + len(split_label(l)[1]) for l in t.labels)
    widest = max(len(x) for l in t.labels for x in [split_label(l)[0]] + ["+" + p for p in split_label(l)[1]])
    # Room for the last tic label, centred on the last build, inside the panel.
    panel_w = 460
    per_build = (panel_w - 90) / (len(t.labels) + 0.2)
    pad = max(0.5, 0.3 + widest * 3.6 / per_build)
    rotate = len(t.labels) > 8
    height = (290 + 14 * (lines - 1) + (40 if rotate else 0)) * rows + 80
    renderer.render(plot, "trend.gp", title=plot.title, width=panel_w * cols + 60, height=height,
                    rows=rows, cols=cols, xmin="%g" % -max(0.5, pad if single else 0.5),
                    xmax="%g" % (len(t.labels) - 1 + pad),
                    xtics=", ".join(_tic(l, i) for i, l in enumerate(t.labels)),
                    xrotate="rotate by -30" if rotate else "",
                    keyy="%.4f" % (1 - 46.0 / height), bmargin=lines + 2 + (2 if rotate else 0),
                    panels="\n    unset logscale y\n".join(panels) + "\n    unset logscale y")
    plot.flat = flat


def make_plots(ts, outdir):
    """One figure per accelerator and scenario (sweep point).  [Plot]."""
    r = Renderer(outdir)
    out = []
    for t in ts:
        for scenario, variant in sorted({k[:2] for k in t.series}):
            label = _scen(scenario, variant)
            p = Plot("trend-%s-%s" % (slug(t.accel), slug(label)), "trends",
                     "Did %s get better or worse from one kernel build to the next?" % label,
                     "%s across kernel builds (%s): median, 95%% CI %s"
                     % (label, t.accel, "band" if len(t.labels) > 1 else "bars"))
            p.flat = []
            plot_scenario(r, p, t, scenario, variant)
            out.append(p)
    return out


# ---- false positives -----------------------------------------------------------

class NullBuild:
    """One build (environment, label, accelerator) run unchanged in several
    result directories (repeats), and every ordered pair of them compared as
    trend compares an older build FROM with a newer TO."""

    def __init__(self, key, repeats, dirs, alpha, effect, all_metrics, correction):
        self.env, self.label, self.accel = key
        self.repeats = sorted(repeats)                 # indexes into dirs
        self.dirs = dirs
        self.pairs = []                                # (i, j, headline rows, flagged rows)
        for i in self.repeats:
            for j in self.repeats:
                if i == j:
                    continue
                rows = []
                for gkey in sorted(set(repeats[i]) & set(repeats[j])):
                    for it in compare.compare_pair(repeats[i][gkey], repeats[j][gkey], alpha, effect,
                                                   all_metrics):
                        if it["headline"]:
                            it.update(scenario=gkey[0], variant=gkey[1], strategy=gkey[2])
                            rows.append(it)
                compare.adjust(rows, alpha, effect, correction)
                flagged = [r for r in rows if r["verdict"] == "worse"]
                self.pairs.append((i, j, rows, flagged))

    @property
    def name(self):
        if self.env == "guest":
            return "kernel %s (%s)" % (self.label, self.accel)
        return self.env + (" " + self.label if self.label else "")

    def counts(self):
        """(flagged build comparisons, build comparisons, flagged metric
        comparisons, metric comparisons); correctness rows (violations,
        hangs) count as flagged metric comparisons too, as in trend."""
        stat = [len([r for r in rows if "note" not in r]) for _, _, rows, _ in self.pairs]
        return (sum(1 for _, _, _, f in self.pairs if f), len(self.pairs),
                sum(len(f) for _, _, _, f in self.pairs), sum(stat))


def null_builds(dirs, alpha, effect, all_metrics=False, correction=compare.CORRECTIONS[0]):
    """NullBuilds of every build present in at least two of @dirs."""
    by = {}
    loaded = [load_runs(d) for d in dirs]
    host_states([r for runs in loaded for r in runs])     # one machine, one split
    for i, runs in enumerate(loaded):
        for g in group_runs(runs):
            accel = accelerator(g) if g.environment == "guest" else ""
            by.setdefault((g.environment, g.kernel, accel), {}).setdefault(i, {})[
                (g.scenario, g.variant, g.strategy)] = g
    keys = sorted((k for k, v in by.items() if len(v) >= 2),
                  key=lambda k: (k[0] != "guest", k[2], version_key(k[1])))
    return [NullBuild(k, by[k], dirs, alpha, effect, all_metrics, correction) for k in keys]


def _rate(k, n):
    return "%d of %d (%.1f%%)" % (k, n, 100.0 * k / n) if n else "0 of 0"


def write_false_positives(nbs, dirs, alpha, effect, correction, out):
    out.write("# false-positive rate: each DIR is an unchanged repeat of the same builds (same\n"
              "# kernel, patches, scenarios, strategies, boots, repetitions); every ordered pair of repeats\n"
              "# (A, B) is compared as `trend` compares an older build A with a newer build B, with\n"
              "# the same rule: a headline metric is flagged when B is significantly worse (%s\n"
              "# of A's median), or B has violations/hangs.\n"
              "# A build comparison is flagged when any of its headline metrics is: that is what\n"
              "# makes `trend` exit 1.  (A, B) and (B, A) are both counted, so the rate estimates\n"
              "# P(flag) for one comparison in a given direction; pairs share repeats and are not\n"
              "# independent, so treat small counts as rough.\n"
              % compare.rule_text(alpha, effect, correction))
    for i, d in enumerate(dirs):
        out.write("# repeat %d: %s\n" % (i + 1, d))
    tot = [0, 0, 0, 0]
    for nb in nbs:
        fb, nbc, fm, nm = nb.counts()
        tot = [a + b for a, b in zip(tot, (fb, nbc, fm, nm))]
        out.write("\n== %s: %d repeats (%s), %d ordered comparisons\n" % (
            nb.name, len(nb.repeats), ", ".join(str(i + 1) for i in nb.repeats), len(nb.pairs)))
        for i, j, rows, flagged in nb.pairs:
            out.write("  repeat %d -> %d: %d of %d headline metrics flagged%s\n" % (
                i + 1, j + 1, len(flagged), len(rows), ":" if flagged else ""))
            for r in flagged:
                what = r.get("note") or "%s -> %s (%s, p=%.3g, q=%.3g, delta %+.2f)" % (
                    metrics.format_value(r["base_median"], r["unit"]),
                    metrics.format_value(r["new_median"], r["unit"]), _pct(r["change_pct"]), r["p"],
                    r["q"], r["cliffs_delta"])
                out.write("      %s / %s %s: %s\n" % (_scen(r["scenario"], r["variant"]),
                                                     r["strategy"], r["metric"], what))
        out.write("  flagged build comparisons: %s; flagged metric comparisons: %s\n"
                  % (_rate(fb, nbc), _rate(fm, nm)))
    notes = compare.power_notes([r for nb in nbs for _, _, rows, _ in nb.pairs for r in rows], alpha)
    for note in notes:
        out.write("note: %s\n" % note)
    out.write("\nfalse-positive rate: %s build comparisons flagged (trend would exit 1); "
              "%s headline metric comparisons flagged\n" % (_rate(tot[0], tot[1]), _rate(tot[2], tot[3])))
    return tot


def run_false_positives(args, out):
    if len(args.dir) < 2:
        raise InputError("--false-positives needs at least two result directories, each an "
                         "unchanged repeat of the same builds")
    nbs = null_builds(args.dir, args.alpha, args.threshold, args.all, args.correction)
    if not nbs:
        raise InputError("%s: no build is present in two or more of these directories"
                         % ", ".join(args.dir))
    tot = write_false_positives(nbs, args.dir, args.alpha, args.threshold, args.correction, out)
    if args.json:
        doc = {"alpha": args.alpha, "threshold_pct": args.threshold,
               "correction": args.correction, "dirs": args.dir,
               "flagged_build_comparisons": tot[0], "build_comparisons": tot[1],
               "flagged_metric_comparisons": tot[2], "metric_comparisons": tot[3],
               "builds": [{"environment": nb.env, "build": nb.label, "accelerator": nb.accel,
                           "repeats": [args.dir[i] for i in nb.repeats],
                           "comparisons": [{"from": args.dir[i], "to": args.dir[j],
                                            "headline_metrics": len(rows),
                                            "flagged": [{k: _jsonable(v) for k, v in r.items()}
                                                        for r in flagged]}
                                           for i, j, rows, flagged in nb.pairs]}
                          for nb in nbs]}
        tmp = args.json + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, allow_nan=False)
        os.replace(tmp, args.json)
    return 0


def run(args, out):
    if not 0 < args.alpha < 1:
        raise InputError("--alpha must be between 0 and 1, not %g" % args.alpha)
    if args.threshold < 0:
        raise InputError("--threshold must not be negative")
    if getattr(args, "false_positives", False):
        return run_false_positives(args, out)
    per_dir = []
    runs = load_dirs(args.dir, per_dir)
    check_shards(args.dir, per_dir)
    groups = group_runs(runs)
    if not any(g.environment == "guest" for g in groups):
        raise InputError("%s: no guest results (OUT/kernel/<label>/...)" % ", ".join(args.dir))
    ts = trends(groups, args.baseline, args.alpha, args.threshold, args.all, args.correction)
    if all(len(t.labels) < 2 for t in ts):
        raise InputError("%s: one kernel build only (%s): nothing to compare"
                         % (", ".join(args.dir), ", ".join(l for t in ts for l in t.labels)))
    write_text(ts, args.alpha, args.threshold, args.correction, out)
    refused = [(t, l) for t in ts for l in t.refused]
    rows = [r for t in ts for r in t.rows]
    for note in compare.power_notes(rows, args.alpha):
        out.write("note: %s\n" % note)
    bad = regressions(ts)
    if bad:
        out.write("\n")
    for r in bad:
        what = r.get("note") or "%s -> %s (%s, p=%.3g, q=%.3g)" % (
            metrics.format_value(r["base_median"], r["unit"]),
            metrics.format_value(r["new_median"], r["unit"]), _pct(r["change_pct"]), r["p"], r["q"])
        out.write("REGRESSION %s %s / %s %s: %s -> %s: %s\n" % (
            r["accelerator"], _scen(r["scenario"], r["variant"]), r["strategy"], r["metric"],
            r["frm"], r["to"], what))
    out.write("\nsummary: %d headline regressions, %d improvements in %d headline comparisons%s\n"
              % (len(bad), sum(1 for r in rows if r["headline"] and r["verdict"] == "improvement"),
                 sum(1 for r in rows if r["headline"]),
                 "; %d build comparison%s refused: samples from different batches"
                 % (len(refused), "" if len(refused) == 1 else "s") if refused else ""))
    if args.json:
        write_json(ts, args.alpha, args.threshold, args.correction, args.json)
    if args.plots:
        for p in make_plots(ts, args.plots):
            if p.png:
                out.write("plot %s/%s\n" % (args.plots, p.png))
            else:
                out.write("plot skipped %s: %s\n" % (p.ident, p.note))
    compared = [l for t in ts if not t.missing_baseline and len(t.labels) > 1
                for l in t.labels if t.pairs.get(l) and l not in t.refused]
    if refused and not compared:
        raise InputError("%s: no kernel build shares a batch with its reference (%s), so nothing "
                         "is compared: boot the reference beside the new build in one invocation"
                         % (", ".join(args.dir), "; ".join(
                             "%s: %s, %s: %s" % (t.pairs[l][0], t.refused[l][0], t.pairs[l][1],
                                                 t.refused[l][1]) for t, l in refused)))
    return 1 if bad else 0


# ---- HTML ----------------------------------------------------------------------

def _build_list(title, pairs, verdict):
    """A warning box: @title (with the count and plural s) over one line per
    (trend, build label) of @pairs, saying its @verdict."""
    return '<div class="warn"><b>%s</b><ul>%s</ul></div>' % (
        esc(title % (len(pairs), "" if len(pairs) == 1 else "s")),
        "".join("<li><code>%s</code> (%s): %s</li>" % (
            esc(l), esc(t.accel), esc(t.verdict_text(l, verdict))) for t, l in pairs))


def _badge(r):
    """The verdict of one comparison row, for a table cell."""
    if r is None:
        return ""
    if "note" in r:
        if r["verdict"] != "regression":
            return ' <span class="ci">%s</span>' % esc(r["note"])
        return ' <span class="bad">regression</span> <span class="ci">%s</span>' % esc(r["note"])
    detail = "%s→%s %s, δ %+.2f" % (r["frm"], r["to"], _pct(r["change_pct"]), r["cliffs_delta"])
    if r["verdict"] == "regression":
        return ' <span class="bad">regression, p=%.2g</span> <span class="ci">%s</span>' % (r["p"], esc(detail))
    if r["verdict"] == "improvement":
        return " <b>improvement, p=%.2g</b> <span class=\"ci\">%s</span>" % (r["p"], esc(detail))
    return ' <span class="ci">no change (%s, p=%.2g)</span>' % (esc(_pct(r["change_pct"])), r["p"])


def section_html(groups, outdir, alpha, effect, baseline=None, correction=compare.CORRECTIONS[0]):
    """The report's "Per-kernel-version trends" section: how builds are
    compared, the verdict per build, and per scenario the trend plot and a
    table of medians with each build's verdict."""
    out = ["<h2>Per-kernel-version trends</h2>"]
    if not any(g.environment == "guest" for g in groups):
        out.append('<p class="skip"><b>No kernel results.</b> This directory holds only userspace '
                   "runs, so there are no kernel builds to put in version order, no trend plots and "
                   "no verdicts. Run <code>snapbench kernel matrix --versions V,V,... --out DIR</code> "
                   "(or <code>kernel run</code>) and report on that directory.</p>")
        return "\n".join(out)
    ts = trends(groups, baseline, alpha, effect, correction=correction)
    out.append(
        "<p>Kernel builds in version order (a <code>+patch</code> build right after its release). "
        "Each build is compared with a reference, always <i>from</i> the older build <i>to</i> the "
        "newer, so a <b>regression</b> means the later build is significantly worse: an older "
        "release against the baseline, the baseline against a newer release, a <code>+patch</code> "
        "build against its own release when that was run (only the patch differs), else against "
        "the baseline. The baseline is never a <code>+patch</code> build unless chosen with "
        "<code>--baseline</code>. Significant: %s, and a change of at least %g%% of the reference "
        "median; invariant violations or hung runs "
        "in the later build are a regression whatever the numbers. Effect sizes: change of the "
        "median and Cliff's δ = P(later &gt; earlier) − P(later &lt; earlier) over pairs of "
        "samples. Builds run under different accelerators are never compared. "
        "<code>snapreport trend DIR</code> prints the same verdicts and exits 1 on a regression; "
        "<code>snapreport trend --false-positives DIR1 DIR2 ...</code> measures how often this "
        "rule flags unchanged repeats of one build. The samples are boots for builds run with "
        "<code>--boots N</code> (a boot's value is the median of its repetitions: repetitions in "
        "one boot share its speed), else repetitions.</p>"
        % ("two-sided Mann-Whitney U over the samples, Benjamini-Hochberg q &lt; %g over the "
           "build comparison's headline metrics (a comparison tests dozens of metrics at once)"
           % alpha if correction == "bh" else
           "two-sided Mann-Whitney U over the samples, p &lt; %g (no correction)" % alpha, effect))
    if any(t.batched for t in ts):
        out.append("<p>Batches: a build is compared with its reference only on the samples of the "
                   "latest batch both were booted in (one <code>snapbench kernel</code> invocation, "
                   "their boots interleaved). Samples of other batches are history: the plots and "
                   "tables show them, but they are never the reference sample. Builds that share "
                   "no batch are not compared.</p>")
    if not all(t.batched for t in ts):
        out.append('<p class="warn">Caveat — %s.</p>' % esc(BATCH_CAVEAT[0].upper() + BATCH_CAVEAT[1:]))
    refused = [(t, l) for t in ts for l in t.refused]
    if refused:
        out.append(_build_list("Not compared: %d kernel build comparison%s across batches.",
                               refused, "different batches"))
    flagged = [(t, l) for t in ts if not t.missing_baseline for l in t.labels
               if t.build_summary(l)[1] == "regression"]
    if flagged:
        out.append(_build_list("Flagged: %d kernel build comparison%s with a significant regression.",
                               flagged, "regression"))
    for t in ts:
        if t.missing_baseline:
            out.append('<p class="warn">%s: baseline %s was not run under this accelerator; nothing '
                       "compared.</p>" % (esc(t.accel), esc(t.baseline)))
            continue
        notes = compare.power_notes(t.rows, alpha)
        if len(t.labels) < 2:
            out.append("<h3>One kernel build only — %s</h3>" % esc(t.accel))
            out.append('<p class="skip"><b>Only one kernel build ran under %s (<code>%s</code>): '
                       "there is nothing to compare it with, so there are no verdicts.</b> The "
                       "figures show its medians and 95%% intervals. Add builds with "
                       "<code>snapbench kernel matrix --versions V,V,... --out DIR</code>.</p>"
                       % (esc(t.accel), esc(t.labels[0])))
        else:
            out.append("<h3>Verdict per build — %s</h3>" % esc(t.accel))
            out.append("<p>Baseline <b>%s</b>: %s.</p>" % (esc(t.baseline), esc(t.why)))
            out.append("<table><tr><th>build</th><th>compared (older → newer)</th><th>regressions</th>"
                       "<th>improvements</th><th>no significant change</th><th>verdict</th></tr>")
            for label in t.labels:
                c, verdict = t.build_summary(label)
                v = esc(t.verdict_text(label, verdict))
                if verdict == "regression":
                    v = '<span class="bad">%s</span>' % v
                out.append('<tr><td><code>%s</code></td><td>%s</td><td class="num">%d</td>'
                           '<td class="num">%d</td><td class="num">%d</td><td>%s</td></tr>' % (
                               esc(label), esc(_pair_text(t, label).replace("->", "→")),
                               c["regression"], c["improvement"], c["no significant change"], v))
            out.append("</table>")
            for note in notes:
                out.append('<p class="warn">%s</p>' % esc(note))
        figs = {p.ident: p for p in make_plots([t], outdir)}
        for scenario, variant in sorted({k[:2] for k in t.series}):
            label = _scen(scenario, variant)
            out.append("<h3>%s — %s</h3>" % (esc(label), esc(t.accel)))
            fig = figs.get("trend-%s-%s" % (slug(t.accel), slug(label)))
            if fig:
                out.append(figure(fig))
                if getattr(fig, "flat", None):
                    out.append('<p class="ci">Not drawn, zero in every build: %s.</p>'
                               % esc(", ".join(fig.flat)))
            keys = sorted((k for k in t.series if k[:2] == (scenario, variant)), key=lambda k: k[2])
            out.append("<table><tr><th>strategy</th><th>metric (better)</th>%s</tr>"
                       % "".join("<th>%s</th>" % esc(l) for l in t.labels))
            for key in keys:
                per = t.series[key]
                for m in trend_metrics(per.values()):
                    cells = []
                    for l in t.labels:
                        s = per[l].summary(m.name) if l in per else None
                        if not s:
                            cells.append("<td>–</td>")
                            continue
                        ci = (' <span class="ci">[%s, %s]</span>' % (
                            esc(metrics.format_value(s[1], m.unit)), esc(metrics.format_value(s[2], m.unit)))
                            if s[3] > 1 else "")
                        badge = "" if len(t.labels) < 2 else ' <span class="ci">baseline</span>' \
                            if l == t.baseline else _badge(t.row(key, l, m.name))
                        cells.append('<td class="num">%s%s%s</td>' % (
                            esc(metrics.format_value(s[0], m.unit)), ci, badge))
                    out.append("<tr><td>%s</td><td>%s <span class=\"ci\">(%s)</span></td>%s</tr>" % (
                        strategy(key[2]), esc(m.label), esc(m.better or "–"), "".join(cells)))
            out.append("</table>")
            bad = [r for r in t.rows if "note" in r and r["verdict"] == "regression"
                   and (r["scenario"], r["variant"]) == (scenario, variant)]
            for r in bad:
                out.append('<p><span class="bad">regression</span> %s, %s: %s</p>' % (
                    strategy(r["strategy"]), esc(_pair_text(t, r["build"])), esc(r["note"])))
    return "\n".join(out)
