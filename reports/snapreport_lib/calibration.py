# SPDX-License-Identifier: GPL-2.0
# calibration.py - `snapreport calibration DIR --out FILE`: the model's
# costs (cost.* keys) from the calibrate-* scenarios run both in a kernel
# and in the model, as a calibration file `snapbench run --calibration`
# reads.
"""The model spends what its own code costs; a kernel under TCG spends far
more on each pass and each invalidation, and sleeps where the model spins.
A calibration measures both on the same five scenarios
(workloads/scenarios/calibrate-*.ini) and adds the difference to the model:

  pass_16, pass_256  time per pass (1 / passes/s of the one mirror thread)
                     over present pages at 16 and 256 pages:
                     page_ns = (pass_256 - pass_16) / 240,
                     pass_ns = pass_16 - 16 * page_ns
  sleep              the same at 64 pages with 12.8 us of device work, which
                     lib/test_snapbench sleeps (fsleep) and the model spins:
                     sleep_ns = sleep - (pass_ns + 64 * page_ns) - 12.8 us
  inval              median duration of one single-page madvise(MADV_DONTNEED)
                     operation back to back (stall p50): inval_ns
  munmap             median duration of one single-page munmap and remap (the
                     kernel's mmap(MAP_FIXED)) back to back: mmap_ns is what
                     it costs beyond one invalidation, the VMA work under
                     mmap_lock held for write (kernel mmap_ns = munmap -
                     inval, model likewise).  The remap also waits for the
                     mirror's pass to let go of mmap_lock: up to one
                     16-page pass more, small beside a kernel's munmap.

Every scenario runs with rangelock.  With seqretry, invalidations back to
back in a mapping with one notifier subscription leave the mirror no
window to finish a pass in (it made none in the model once an
invalidation cost 150 us); a range lock lets both run, and an invalidation
waits only for a READ over its own page (16 of 4096 pages).  So pass_ns
includes an uncontended READ lock and unlock, on both sides.

Each value is the median over the units of replication (boots for a kernel
run), and cost.X = max(0, kernel X - model X): what the kernel spends that
the model does not.  Costs the four scenarios do not isolate (a fault per
page, a zap per page, a lock hand-off) are not calibrated; the file says
so."""

import datetime
import os

from . import stats
from .results import InputError, group_runs
from .versions import accelerator, load_dirs

SCENARIOS = ("calibrate-pass-16", "calibrate-pass-256", "calibrate-sleep", "calibrate-inval",
             "calibrate-munmap")
STRATEGY = "rangelock"
SLEEP_WORK_NS = 64 * 200.0
KEYS = ("pass_ns", "page_ns", "sleep_ns", "inval_ns", "mmap_ns")


def _median(g, name, what):
    v = g.values(name)
    if not v:
        raise InputError("%s: %s has no %s measurement (n/a): cannot calibrate" % (what, g.scenario, name))
    return stats.median(v)


def costs(groups, what):
    """{key: ns} of one environment's calibrate-* groups ({scenario: group})."""
    missing = [s for s in SCENARIOS if s not in groups]
    if missing:
        raise InputError("%s: no %s runs of %s" % (what, STRATEGY, ", ".join(missing)))
    per_pass = {}
    for s in SCENARIOS[:3]:
        pps = _median(groups[s], "passes_per_s", what)
        if pps <= 0:
            raise InputError("%s: %s made no pass: cannot calibrate" % (what, s))
        per_pass[s] = 1e9 / pps
    page = (per_pass["calibrate-pass-256"] - per_pass["calibrate-pass-16"]) / 240.0
    fixed = per_pass["calibrate-pass-16"] - 16 * page
    inval = _median(groups["calibrate-inval"], "stall_p50_ns.madvise", what)
    return {
        "pass_ns": fixed, "page_ns": page,
        "sleep_ns": per_pass["calibrate-sleep"] - (fixed + 64 * page) - SLEEP_WORK_NS,
        "inval_ns": inval,
        "mmap_ns": _median(groups["calibrate-munmap"], "stall_p50_ns.munmap", what) - inval,
    }


def measure(dirs):
    """(model costs, kernel costs, the kernel group's label and accelerator,
    sample counts) from result directories holding both environments."""
    groups = group_runs(load_dirs(dirs))
    user, kern = {}, {}
    for g in groups:
        if g.scenario not in SCENARIOS or g.strategy != STRATEGY or g.variant:
            continue
        if g.environment == "userspace":
            user[g.scenario] = g
        elif g.environment == "guest":
            kern.setdefault((g.kernel, accelerator(g)), {})[g.scenario] = g
    if not kern:
        raise InputError("%s: no kernel (guest) runs of the calibrate-* scenarios" % ", ".join(dirs))
    if not user:
        raise InputError("%s: no userspace runs of the calibrate-* scenarios" % ", ".join(dirs))
    if len(kern) > 1:
        raise InputError("%s: calibrate-* runs of several kernels (%s): give one"
                         % (", ".join(dirs), ", ".join("%s (%s)" % k for k in sorted(kern))))
    (label, accel), kg = next(iter(kern.items()))
    n = {"model": min(len(g.values("passes_per_s")) for g in user.values()),
         "kernel": min(len(g.values("passes_per_s")) for g in kg.values())}
    return costs(user, "model"), costs(kg, "kernel %s" % label), label, accel, n


def write(path, model, kernel, label, accel, n, command):
    lines = ["# snapbench calibration: the model's costs measured against a kernel",
             "# kernel: %s" % label,
             "# accelerator: %s" % accel,
             "# measured: %s UTC on %s" % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
                                           os.uname().nodename),
             "# samples: %d kernel (boots), %d model (runs) per scenario" % (n["kernel"], n["model"]),
             "# command: %s" % command,
             "# key        kernel        model   (ns; cost = max(0, kernel - model))"]
    for k in KEYS:
        lines.append("#   %-8s %10.0f %10.0f" % (k, kernel[k], model[k]))
    lines += ["# not calibrated: fault per page, zap per page, lock hand-off",
              "# (the calibrate-* scenarios do not isolate them)",
              "[cost]"]
    lines += ["%s = %.0f" % (k, max(0.0, kernel[k] - model[k])) for k in KEYS]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def run(args, out):
    model, kernel, label, accel, n = measure(args.dir)
    out.write("%-10s %12s %12s %12s\n" % ("cost", "kernel ns", "model ns", "calibrated"))
    for k in KEYS:
        out.write("%-10s %12.0f %12.0f %12.0f\n" % (k, kernel[k], model[k], max(0.0, kernel[k] - model[k])))
    if args.out:
        write(args.out, model, kernel, label, accel, n, args.record_command or "snapreport calibration %s --out %s"
              % (" ".join(args.dir), args.out))
        out.write("calibration for %s (%s) written to %s\n" % (label, accel, args.out))
    return 0
