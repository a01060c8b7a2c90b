#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# readers.py - fuzz target for the Python readers of result files: a seeded
# mutator over valid and hung result files, fed to check-result and snapreport.
"""Usage: fuzz/readers.py [--seed N] [--execs N] [--seconds S] [--crashes DIR]
                         [--replay FILE...] SEED-FILE...

Each exec takes one seed file (a result file, harness/RESULTS.md), mutates
it (a JSON value replaced by one of another type or shape, a key dropped, a
list emptied or repeated, deep nesting, text cut or changed) and writes it
as OUT/<scenario>/<strategy>/rep-0.json (or rep-0.hung.json) beside one
unmutated copy.  Then harness/check-result, `snapreport summarize`,
`compare` (the unmutated tree against the mutated one) and `html` read it,
in this process.  Each must end with its documented status: check-result
0, 1 or 2, snapreport 0, 1 or 2, and a status of 2 must come with one
line on stderr naming the file.  Anything else (a traceback, another
status, a message of several lines) is a crash: the input goes to
--crashes DIR (default build/fuzz/crashes/readers) and the exit status
is 1; so is an input that takes more than --timeout seconds or more
than --rss-limit-mb of address space (MemoryError).  gnuplot is not run (its call is replaced by a stub that succeeds):
plots are drawn from numbers the readers already checked.

--replay runs the given files unmutated (make test replays the seeds and
fuzz/regressions/readers/).  Stops after --execs mutated inputs or
--seconds of them, whichever comes first; prints execs and exec/s."""

import argparse
import contextlib
import copy
import hashlib
import importlib.machinery
import importlib.util
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "reports"))

from snapreport_lib import cli, plots  # noqa: E402


def _load_check_result():
    path = os.path.join(ROOT, "harness", "check-result")
    loader = importlib.machinery.SourceFileLoader("check_result", path)
    spec = importlib.util.spec_from_loader("check_result", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


CHECK_RESULT = _load_check_result()


class _Gnuplot:
    """subprocess.run for plots.py: a gnuplot that draws nothing."""

    @staticmethod
    def run(argv, **kw):
        return subprocess.CompletedProcess(argv, 0, "", "")


plots.subprocess = _Gnuplot
plots.shutil = type("shutil", (), {"which": staticmethod(lambda name: "/bin/true")})

# ---------------------------------------------------------------- mutator

ODD_TEXT = ["", ".", "..", "../../x", "a/b", "\u00e9\u2603", "\x00", " ", "NaN", "-0",
            "1e999", "max", "rep-0", "<script>", "\"'", "%s%n", "x" * 300]


def _random_value(rng, depth=0):
    k = rng.randrange(14)
    if k == 0:
        return None
    if k == 1:
        return rng.choice([True, False])
    if k == 2:
        return rng.choice([0, 1, -1, 3, 2 ** 63 - 1, -2 ** 63, 2 ** 64 - 1, 10 ** 6])
    if k == 3:
        return rng.choice([0.0, -0.0, 0.5, -1.5, 1e308, -1e308, 5e-324])
    if k == 4:
        return rng.choice(ODD_TEXT)
    if k == 5:
        return []
    if k == 6:
        return {}
    if k == 7:
        return [rng.randrange(-2, 5) for _ in range(rng.randrange(5))]
    if k == 8:
        return [[rng.randrange(-2, 9) for _ in range(rng.randrange(5))]
                for _ in range(rng.randrange(4))]
    if k == 9:
        v = 0
        for _ in range(rng.randrange(1, 60)):
            v = [v]
        return v
    if k == 10 and depth < 3:
        return {rng.choice(ODD_TEXT + ["count", "max", "buckets", "scenario"]):
                _random_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    if k == 11 and depth < 3:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return rng.choice(ODD_TEXT)


def _nodes(doc, path=()):
    """Every (container, key) pair of @doc, depth first."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append((doc, k))
            out.extend(_nodes(v))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.append((doc, i))
            out.extend(_nodes(v))
    return out


def mutate_tree(doc, rng):
    nodes = _nodes(doc)
    if not nodes or rng.random() < 0.03:
        return _random_value(rng)
    parent, key = rng.choice(nodes)
    k = rng.randrange(7)
    if k <= 2:
        parent[key] = _random_value(rng)
    elif k == 3:
        del parent[key]
    elif k == 4:
        v = parent[key]
        if isinstance(v, list):
            v[:] = v * rng.randrange(0, 3)
        elif isinstance(v, dict):
            v.clear()
        else:
            parent[key] = [v]
    elif k == 5:
        other_parent, other_key = rng.choice(nodes)
        parent[key] = copy.deepcopy(other_parent[other_key])
    else:
        v = parent[key]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            parent[key] = rng.choice([-v, v * 1000, v + 1, str(v), float(v)])
        else:
            parent[key] = _random_value(rng)
    return doc


def mutate_text(text, rng):
    k = rng.randrange(6)
    if k == 0 and text:
        return text[:rng.randrange(len(text))]
    if k == 1:
        return "[" * 100000 + "]" * 100000
    if k == 2 and text:
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(["NaN", "Infinity", "-", "1e999", "\"", ",", "}",
                                      "99999999999999999999999999", "\\ud800", "\x00"]) + text[i:]
    if k == 3:
        return rng.choice(["null", "[]", "{}", "0", "\"x\"", "", "{\"context\": null}"])
    if k == 4 and text:
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1:]
    return text


def mutate(seed_doc, rng):
    """One input: returns (text, hung-name?)."""
    doc = copy.deepcopy(seed_doc)
    for _ in range(rng.randrange(1, 5)):
        doc = mutate_tree(doc, rng)
    text = json.dumps(doc)
    if rng.random() < 0.1:
        text = mutate_text(text, rng)
    return text, rng.random() < 0.3

# ----------------------------------------------------------------- targets


class Crash(Exception):
    pass


def _on_alarm(sig, frame):
    raise Crash("timeout: one input took more than the --timeout")


def _call(fn, argv):
    """(status, stderr) of fn(argv), stdout discarded."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            status = fn(argv)
        except SystemExit as e:
            status = e.code
    return status, err.getvalue()


def _expect(what, status, err, allowed):
    if status not in allowed:
        raise Crash("%s: exit status %r, stderr %r" % (what, status, err[-400:]))
    if status == 2 and len(err.strip().splitlines()) != 1:
        raise Crash("%s: exit 2 without exactly one line on stderr: %r" % (what, err[-400:]))


def feed(text, hung, work, base):
    """Run every reader on one input.  Raises Crash (or anything else)."""
    tree = os.path.join(work, "in")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "s", "t"))
    shutil.copytree(os.path.join(base, "s"), os.path.join(tree, "s0"))
    path = os.path.join(tree, "s", "t", "rep-0.hung.json" if hung else "rep-0.json")
    with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
        f.write(text)
    status, err = _call(CHECK_RESULT.main, [path])
    _expect("check-result", status, err, (0, 1, 2))
    status, err = _call(cli.main, ["summarize", tree, "--all"])
    _expect("snapreport summarize", status, err, (0, 2))
    status, err = _call(cli.main, ["compare", base, tree])
    _expect("snapreport compare", status, err, (0, 1, 2))
    status, err = _call(cli.main, ["html", tree, "--out", os.path.join(work, "html")])
    _expect("snapreport html", status, err, (0, 2))


def _save(crashes, text, why):
    os.makedirs(crashes, exist_ok=True)
    name = "crash-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    with open(os.path.join(crashes, name + ".json"), "w", encoding="utf-8",
              errors="surrogatepass") as f:
        f.write(text)
    with open(os.path.join(crashes, name + ".txt"), "w", encoding="utf-8") as f:
        f.write(why)
    return os.path.join(crashes, name + ".json")


def _try(text, hung, work, base, timeout):
    """None, or the crash as text."""
    signal.alarm(timeout)
    try:
        feed(text, hung, work, base)
        return None
    except Crash as e:
        return str(e)
    except Exception:  # noqa: BLE001 - any exception is the finding
        return traceback.format_exc()
    finally:
        signal.alarm(0)


def main(argv):
    ap = argparse.ArgumentParser(prog="fuzz/readers.py")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--execs", type=int, default=0, help="stop after N mutated inputs (0: no limit)")
    ap.add_argument("--seconds", type=float, default=0, help="stop after S seconds (0: no limit)")
    ap.add_argument("--crashes", default=os.path.join(ROOT, "build", "fuzz", "crashes", "readers"))
    ap.add_argument("--replay", nargs="*", default=[], metavar="FILE")
    ap.add_argument("--timeout", type=int, default=60, metavar="S",
                    help="an input that takes longer is a crash (default 60)")
    ap.add_argument("--rss-limit-mb", type=int, default=2048, metavar="MB",
                    help="address space limit: MemoryError beyond it is a crash (default 2048)")
    ap.add_argument("seeds", nargs="+", metavar="SEED-FILE")
    args = ap.parse_args(argv)
    if not args.execs and not args.seconds:
        args.execs = 100

    seeds = []
    for p in args.seeds:
        with open(p, encoding="utf-8") as f:
            seeds.append(json.load(f))
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2000))
    # An input that makes a reader allocate without bound (a repetition
    # count of 2^63 iterated over) is a finding, not a reason for the OOM
    # killer; one that loops is too.
    limit = args.rss_limit_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="fuzz-readers.") as work:
        base = os.path.join(work, "base")
        os.makedirs(os.path.join(base, "s", "t"))
        shutil.copy(args.seeds[0], os.path.join(base, "s", "t", "rep-0.json"))

        for p in list(args.seeds) + list(args.replay):
            with open(p, encoding="utf-8", errors="surrogatepass") as f:
                text = f.read()
            why = _try(text, p.endswith(".hung.json"), work, base, args.timeout)
            print("%s %s%s" % ("crash" if why else "ok", p, "" if not why else ":\n" + why))
            failures += bool(why)

        rng = random.Random(args.seed)
        execs, start = 0, time.monotonic()
        while (not args.execs or execs < args.execs) and \
                (not args.seconds or time.monotonic() - start < args.seconds):
            text, hung = mutate(rng.choice(seeds), rng)
            execs += 1
            why = _try(text, hung, work, base, args.timeout)
            if why:
                failures += 1
                saved = _save(args.crashes, text, why)
                print("crash %s:\n%s" % (saved, why.rstrip()[-1500:]))
        wall = time.monotonic() - start
    print("fuzz readers: %d execs in %.0f s, %.1f exec/s, seed %d, %d crashing inputs%s"
          % (execs, wall, execs / wall if wall else 0, args.seed, failures,
             " in " + args.crashes if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
