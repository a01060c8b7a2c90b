#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# make_results.py - write SYNTHETIC result files in the harness/RESULTS.md
# format, from a seeded toy model; for snapreport's tests only, never reports.
"""Usage: make_results.py --out DIR [--seed N] [--reps N] [--profile P]
                          [--noise SIGMA] [--violations STRATEGY]
                          [--hung SCENARIO/STRATEGY/REP] [--sweep]
                          [--guest KERNEL] [--scenarios a,b,...]
                          [--unsafe NAME,...] [--hybrid good|slow]
                          [--profile-strategy NAME,...] [--accel NAME]

Every file says it is synthetic: host_name "synthetic", executable and
command_line name this script, context.synthetic is true.  The numbers come
from a made-up model of two strategies (seqretry retries more as storms
grow; rangelock never retries but stalls invalidations) with a per-run
log-normal factor of spread --noise.  --profile shifts seqretry: `regress`
makes it slower (time to mirror x1.6, passes/s x0.6, retries x1.6),
`improve` faster (x0.6, x1.5, x0.6), `slowlock` slows a lock's wait path
(time to mirror x1.6, passes/s x0.6, invalidation stalls x1.8), `base`
leaves it; --profile-strategy applies the profile to other strategies
instead (e.g. rangelock,hybrid for a slowed range lock).  --guest LABEL
writes OUT/kernel/LABEL/... with environment "guest", kernel_label LABEL,
kernel LABEL without its +patch suffixes and accelerator --accel (tcg).
Histograms are
stratified samples of a log-normal, bucketed log-linearly; the percentile
counters are computed from the histograms by the RESULTS.md rule.

Every file records its strategy's parameters, context.strategy_params:
{"attempts": 3} for "hybrid" (--hybrid-attempts), {} for the others;
--no-strategy-params leaves the key out, as files written before it did.

--duration S and --set KEY=VALUE change what the files record (the
numbers stay the toy model's).  --batch ID records context.batch in --guest runs (the invocation that
booted them); --revision TEXT sets context.snapbench_revision, which is
otherwise synthetic-SEED.

--unsafe adds known-unsafe strategies (context.strategy_known_unsafe).
"rangelock-2015" gets made-up findings of the seed as published, one kind
per scenario (SEED_FINDINGS): violations, hangs with stuck threads, a crash
(no result file, a line in DIR/snapbench-unsafe.log) and the port's
counters; any other name gets one made-up violation per run in storm
scenarios, and "validflag" also the counters of strategies/validflag.c
(valid_after_invalidation = violations, a wait timeout in hot-range, a
flag lost after the wait in mixed).  --hybrid adds a strategy "hybrid" whose retries stop at 3 and
whose stalls are seqretry's (good) or twice seqretry's (slow)."""

import argparse
import json
import math
import os
import random
import statistics
import sys

SIG_BITS = 7
SAMPLES = 2000
STRATEGIES = ("seqretry", "rangelock")

# scenario: (intensity, invalidation sources, storms, params)
SCENARIOS = {
    "baseline": (0.0, [], [], {}),
    "munmap-storm": (1.0, ["munmap"], ["munmap"], {"storm.munmap.rate": 20000}),
    "madvise-storm": (1.0, ["madvise"], ["madvise"], {"storm.madvise.rate": 20000}),
    "reclaim-block": (1.5, ["reclaim", "direct_reclaim"], ["kswapd", "alloc"],
                      {"storm.kswapd.try": "no", "storm.alloc.try": "no"}),
    "reclaim-try": (1.5, ["reclaim", "direct_reclaim"], ["kswapd", "alloc"],
                    {"storm.kswapd.try": "yes", "storm.alloc.try": "yes"}),
    "numa-storm": (2.0, ["numa"], ["numa"], {"storm.numa.rate": 2000}),
    "mixed": (3.0, ["munmap", "madvise", "reclaim", "numa", "fault"],
              ["munmap", "madvise", "kswapd", "numa"],
              {"mm.cow_permille": 100, "mirror.write_permille": 200}),
    "hot-range": (4.0, ["munmap", "madvise", "numa"], ["munmap", "madvise", "numa"], {}),
}
SWEEP_PARAM = "storm.munmap.rate"
SWEEP_VALUES = (2000, 5000, 10000, 20000, 40000)
_NORMAL = statistics.NormalDist()
# What the synthetic seed-as-published "finds" per scenario: violations per
# run, hung, the stuck threads, the port's counters, crashed reps.
SEED_COUNTERS = ("early_returns", "entries_left_behind", "notifier_count_underflows",
                 "slept_when_not_blockable")
SEED_FINDINGS = {
    "munmap-storm": {},
    "madvise-storm": {"violations": 5, "hung": True, "stuck": ["mirror", "madvise"],
                      "counters": {"early_returns": 1, "entries_left_behind": 1,
                                   "notifier_count_underflows": 3}},
    "reclaim-block": {"hung": True, "stuck": ["mirror", "kswapd", "alloc"],
                      "counters": {"slept_when_not_blockable": 2}},
    "reclaim-try": {"hung": True, "stuck": ["mirror", "kswapd", "alloc"],
                    "counters": {"slept_when_not_blockable": 4}},
    "numa-storm": {"hung": True, "stuck": ["mirror", "numa"],
                   "counters": {"early_returns": 1, "entries_left_behind": 1,
                                "notifier_count_underflows": 5}},
    "mixed": {"hung": True, "stuck": ["mirror"], "crash_reps": [0]},
    "hot-range": {"violations": 4},
}
STORM_ROLE = {"kswapd": "kswapd", "alloc": "alloc", "munmap": "munmap", "madvise": "madvise",
              "numa": "numa"}
PROFILES = {
    "base": {"ttm": 1.0, "passes": 1.0, "retries": 1.0},
    "regress": {"ttm": 1.6, "passes": 0.6, "retries": 1.6},
    "improve": {"ttm": 0.6, "passes": 1.5, "retries": 0.6},
    "slowlock": {"ttm": 1.6, "passes": 0.6, "retries": 1.0, "stall": 1.8},
}


def bucket(v):
    """The log-linear bucket [lo, hi] holding integer @v."""
    if v < (1 << SIG_BITS):
        return v, v
    shift = v.bit_length() - SIG_BITS
    lo = (v >> shift) << shift
    return lo, lo + (1 << shift) - 1


def hist_from(samples, unit):
    counts = {}
    for v in samples:
        b = bucket(v)
        counts[b] = counts.get(b, 0) + 1
    return {"unit": unit, "count": len(samples), "min": min(samples),
            "max": max(samples), "sum": sum(samples), "overflow": 0,
            "significant_bits": SIG_BITS,
            "buckets": [[lo, hi, n] for (lo, hi), n in sorted(counts.items())]}


def percentile(h, p):
    """harness/RESULTS.md's rule (written again here on purpose: the tests
    check snapreport's copy against this one)."""
    rank = math.ceil(p / 100.0 * h["count"])
    cum = 0
    for lo, hi, n in h["buckets"]:
        cum += n
        if cum >= rank:
            return min(hi, h["max"])
    return h["max"]


def lognormal_samples(rng, median_ns, sigma):
    out = []
    for i in range(SAMPLES):
        z = _NORMAL.inv_cdf((i + rng.random()) / SAMPLES)
        out.append(max(1, int(median_ns * math.exp(sigma * z))))
    return out


def retry_samples(rng, mean, cap=None):
    """Geometric retries per pass with the given mean, at most @cap."""
    if mean <= 0:
        return [0] * SAMPLES
    q = mean / (1.0 + mean)
    out = []
    for _ in range(SAMPLES):
        k = 0
        while rng.random() < q and (cap is None or k < cap):
            k += 1
        out.append(k)
    return out


def one_run(args, rng, scenario, strategy, rep, params, intensity, sources, storms, kernel,
            boot=None, boot_f=1.0):
    prof = PROFILES[args.profile] if strategy in args.profile_strategy else PROFILES["base"]
    f = math.exp(rng.gauss(0.0, args.noise)) * boot_f  # this run's luck, and its boot's
    seq = strategy in ("seqretry", "hybrid")
    hybrid = strategy == "hybrid"
    unsafe = strategy in args.unsafe
    seed_finding = SEED_FINDINGS.get(scenario, {}) if strategy == "rangelock-2015" else {}
    if seq:
        retries_mean = 0.02 + 0.35 * intensity * prof["retries"]
        ttm_med = 20000 * (1 + retries_mean) * prof["ttm"] * f
        ttm_sigma = 0.5 + 0.25 * intensity
        stall_med = 1500.0
        miss_ratio = 0.002 * intensity ** 2
    else:
        retries_mean = 0.0
        ttm_med = 20000 * (1 + 0.25 * intensity) * prof["ttm"] * f
        ttm_sigma = 0.5 + 0.1 * intensity
        stall_med = 1500.0 * (1 + 6 * intensity)
        miss_ratio = 0.0
    try_mode = params.get("storm.kswapd.try") == "yes"
    duration = args.duration
    passes_per_s = 2.0e5 / (1 + (retries_mean if seq else 0.25 * intensity)) * prof["passes"] * f
    passes = int(passes_per_s * duration)
    misses = int(passes * miss_ratio * f)
    hists = {}
    ttm = hist_from(lognormal_samples(rng, ttm_med, ttm_sigma), "ns")
    retries = hist_from(retry_samples(rng, retries_mean, 3 if hybrid else None), "count")
    hists["time_to_mirror_ns"] = ttm
    hists["retries_per_pass"] = retries
    counters = {
        "passes": passes, "passes_per_s": passes_per_s,
        "retries_per_pass_mean": sum(v * n for v, _, n in retries["buckets"]) / retries["count"],
        "retries_per_pass_max": retries["max"],
        "retry_streak_max": int(1 + 3 * retries_mean * intensity * f) if seq and not hybrid else 1 if hybrid else 0,
        "deadline_misses": misses,
        "deadline_miss_ratio": misses / (passes + misses) if passes + misses else 0.0,
        "violations": 0,
        "mirror_thread_passes_min": passes // 2 - int(50 * f),
        "mirror_thread_passes_max": passes // 2 + int(50 * f),
    }
    for p, name in ((50, "p50"), (90, "p90"), (99, "p99"), (99.9, "p999"), (100, "max")):
        counters["ttm_%s_ns" % name] = percentile(ttm, p)
    for src in sources:
        med = stall_med * f * (2.0 if hybrid and args.hybrid == "slow" else 1.0) * prof.get("stall", 1.0)
        if src in ("reclaim", "direct_reclaim") and try_mode and not seq:
            med = 1500.0 * f
        h = hist_from(lognormal_samples(rng, med, 0.6 + 0.1 * intensity), "ns")
        hists["invalidate_stall_ns." + src] = h
        for p, name in ((50, "p50"), (90, "p90"), (99, "p99"), (99.9, "p999"), (100, "max")):
            counters["stall_%s_ns.%s" % (name, src)] = percentile(h, p)
        counters["invalidations.%s" % src] = int(1000 * duration * f)
    for storm in storms:
        rate = float(params.get("storm.%s.rate" % storm, 5000))
        h = hist_from(lognormal_samples(rng, stall_med * 2 * f, 0.7), "ns")
        hists["op_latency_ns." + storm] = h
        for p, name in ((50, "p50"), (90, "p90"), (99, "p99"), (99.9, "p999"), (100, "max")):
            counters["oplat_%s_ns.%s" % (name, storm)] = percentile(h, p)
        counters["ops.%s" % storm] = int(rate * duration)
    if "kswapd" in storms:
        skipped = int(30000 * f) if (try_mode and not seq) else int(200 * f) if try_mode else 0
        base_rate = 4.0e5 if seq else 3.0e5
        if try_mode and not seq:
            base_rate = 3.9e5
        counters["reclaim_pages_per_s"] = base_rate * f
        counters["reclaim_skipped"] = skipped
    if args.violations == strategy:
        counters["violations"] = 1 + rep % 2
    hung = args.hung == "%s/%s/%d" % (scenario, strategy, rep)
    if unsafe and strategy == "rangelock-2015":
        counters["violations"] = seed_finding.get("violations", 0)
        hung = hung or seed_finding.get("hung", False)
    elif unsafe:
        counters["violations"] = 1 if sources else 0
    name = "%s/%s" % (scenario, strategy)
    bench = {"name": name, "run_name": name,
             "run_type": "iteration", "repetitions": args.reps,
             "repetition_index": rep, "threads": 2, "iterations": passes,
             "real_time": duration * 1e9 / passes if passes else None,
             "cpu_time": duration * 1.9e9 / passes if passes else None,
             "time_unit": "ns"}
    if hung or not passes:
        bench["error_occurred"] = True
        bench["error_message"] = "hung" if hung else "no progress"
    bench.update(counters)
    all_params = {"scenario.description": "synthetic " + scenario,
                  "run.duration_s": duration, "mirror.threads": 2}
    all_params.update(params)
    all_params.update(args.set)
    cmd = "reports/testdata/make_results.py (SYNTHETIC) " + " ".join(sys.argv[1:])
    ctx = {
        "date": "2024-01-01T00:00:00Z", "host_name": "synthetic",
        "executable": "reports/testdata/make_results.py", "num_cpus": 2,
        "mhz_per_cpu": 0, "cpu_scaling_enabled": False, "caches": [],
        "library_build_type": "synthetic", "schema": 1, "synthetic": True,
        "snapbench_revision": args.revision or "synthetic-%d" % args.seed, "command_line": cmd,
        "kernel": kernel.split("+")[0] if kernel else "synthetic-6.1",
        "environment": "guest" if kernel else "userspace",
        "accelerator": args.accel if kernel else None,
        "cpu_model": "Synthetic CPU (no real measurement)",
        "topology": "1 package, 2 cores, 2 PUs, 1 NUMA node",
        "placement": {"mirror": [0], "storm": [1]},
        "scenario": scenario, "scenario_params": all_params,
        "strategy": strategy, "seed": args.seed * 1000 + rep, "rep": rep,
        "reps": args.reps, "start_time": "2024-01-01T00:00:00Z",
        "end_time": "2024-01-01T00:00:02Z", "duration_s": duration, "hung": hung,
        "status": "hung" if hung else "ok" if passes else "no-progress",
    }
    if kernel:
        ctx["kernel_label"] = kernel
        if boot is not None:
            ctx["boot"] = boot
        if args.batch:
            ctx["batch"] = args.batch
    if unsafe:
        ctx["strategy_known_unsafe"] = True
    if not args.no_strategy_params:
        ctx["strategy_params"] = {"attempts": args.hybrid_attempts} if hybrid else {}
    viol = [{"kind": "stale-device-pte", "vpn": 7, "pfn": 9, "device_gen": 1,
             "page_gen": 2, "strategy": strategy, "committer": "mirror-0",
             "invalidator": "munmap-0", "detail": "synthetic"}] * int(counters["violations"])
    threads = [{"role": "mirror", "index": 0, "cpu": 0, "ops": passes}]
    if unsafe and strategy == "rangelock-2015":
        threads = []
        for role in ["mirror"] + [STORM_ROLE[st] for st in storms if st in STORM_ROLE]:
            t = {"role": role, "index": 0, "cpu": 0, "ops": 0 if hung else passes}
            if hung and role in seed_finding.get("stuck", []):
                t["stuck"] = True
                t["doing"] = ("mirror pass [%d, %d) for 1.7 s" % (64 * rep + 64, 64 * rep + 128)
                              if role == "mirror" else "%s [0, 0) for 1.7 s" % role)
            threads.append(t)
    doc = {"context": ctx, "benchmarks": [bench],
           "snapbench": {"histograms": hists, "violations": viol, "threads": threads}}
    if unsafe and strategy == "rangelock-2015":
        doc["snapbench"]["strategy_counters"] = {
            c: seed_finding.get("counters", {}).get(c, 0) for c in SEED_COUNTERS}
    if unsafe and strategy == "validflag":
        # Linux 5.2's valid flag: stale commits found at the commit, and
        # the mm-wide wait timing out where the storms overlap (hot-range).
        for v in viol:
            v.update(kind="stale snapshot committed: page already freed", invalidator="earlier")
        doc["snapbench"]["strategy_counters"] = {
            "waits": 10 * len(storms), "wait_timeouts": 1 if scenario == "hot-range" else 0,
            "wait_flag_lost": 1 if scenario == "mixed" else 0,
            "valid_after_invalidation": int(counters["violations"])}
    return doc, hung


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="write SYNTHETIC snapbench result files")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=8)
    ap.add_argument("--profile", choices=sorted(PROFILES), default="base")
    ap.add_argument("--noise", type=float, default=0.02)
    ap.add_argument("--violations", metavar="STRATEGY")
    ap.add_argument("--hung", metavar="SCENARIO/STRATEGY/REP")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--guest", metavar="KERNEL")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--unsafe", metavar="NAME,...", default="",
                    help="known-unsafe strategies to add (rangelock-2015 gets SEED_FINDINGS)")
    ap.add_argument("--hybrid", choices=("good", "slow"), help="add a hybrid strategy")
    ap.add_argument("--hybrid-attempts", type=int, default=3, metavar="N",
                    help="context.strategy_params.attempts of the hybrid's files (default 3, "
                         "the synthetic hybrid's real cap)")
    ap.add_argument("--no-strategy-params", action="store_true",
                    help="write no context.strategy_params (files from before it was recorded)")
    ap.add_argument("--profile-strategy", metavar="NAME,...", default="seqretry",
                    help="the strategies --profile applies to (default seqretry)")
    ap.add_argument("--accel", default="tcg", help="context.accelerator of --guest runs")
    ap.add_argument("--boots", type=int, default=0,
                    help="--guest runs: split the repetitions over this many boots, in order, "
                         "and record context.boot")
    ap.add_argument("--boot-noise", type=float, default=0.0, metavar="SIGMA",
                    help="each boot's speed factor is exp(N(0, SIGMA)), shared by all its runs")
    ap.add_argument("--batch", metavar="ID",
                    help="--guest runs: context.batch (one `snapbench kernel` invocation)")
    ap.add_argument("--revision", metavar="TEXT",
                    help="context.snapbench_revision (default synthetic-SEED)")
    ap.add_argument("--duration", type=float, default=2.0, metavar="S",
                    help="run.duration_s and duration_s of every run (default 2)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a scenario parameter recorded in every run (the numbers ignore it)")
    ap.add_argument("--hide-boots", action="store_true",
                    help="apply the boots' speed but do not record context.boot (how results "
                         "looked before boots were recorded)")
    args = ap.parse_args()
    args.profile_strategy = [n for n in args.profile_strategy.split(",") if n]
    args.unsafe = [n for n in args.unsafe.split(",") if n]
    args.set = dict(kv.split("=", 1) for kv in args.set)
    strategies = list(STRATEGIES) + (["hybrid"] if args.hybrid else []) + args.unsafe
    log = []
    root = os.path.join(args.out, "kernel", args.guest) if args.guest else args.out
    plan = [(s, "", SCENARIOS[s][3]) for s in args.scenarios.split(",")]
    if args.sweep:
        for v in SWEEP_VALUES:
            params = dict(SCENARIOS["munmap-storm"][3])
            params[SWEEP_PARAM] = v
            plan.append(("munmap-storm", "sweep/rate-%d" % v, params))
    per_boot = -(-args.reps // args.boots) if args.boots else args.reps
    boot_f = {b: math.exp(random.Random("%d/boot/%d" % (args.seed, b)).gauss(0.0, args.boot_noise))
              for b in range(1, args.reps // per_boot + 2)}
    for scenario, subdir, params in plan:
        intensity, sources, storms, _ = SCENARIOS[scenario]
        if SWEEP_PARAM in params and scenario == "munmap-storm":
            intensity *= params[SWEEP_PARAM] / 20000.0
        for strategy in strategies:
            for rep in range(args.reps):
                if strategy == "rangelock-2015" and not subdir and \
                        rep in SEED_FINDINGS.get(scenario, {}).get("crash_reps", []):
                    log.append("snapbench: %s/%s rep %d: crashed: Segmentation fault"
                               % (scenario, strategy, rep))
                    continue
                # one generator per run: --profile changes seqretry's runs only
                rng = random.Random("%d/%s/%s/%s/%d" % (args.seed, subdir, scenario, strategy, rep))
                boot = rep // per_boot + 1
                doc, hung = one_run(args, rng, scenario, strategy, rep, params,
                                    intensity, sources, storms, args.guest,
                                    boot if args.boots and args.guest and not args.hide_boots
                                    else None, boot_f[boot])
                name = "rep-%d%s.json" % (rep, ".hung" if hung else "")
                write(os.path.join(root, subdir, scenario, strategy, name), doc)
    if log:
        with open(os.path.join(root, "snapbench-unsafe.log"), "a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in log))


if __name__ == "__main__":
    main()
