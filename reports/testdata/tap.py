# SPDX-License-Identifier: GPL-2.0
# tap.py - a few lines of TAP for the tests/report-*.t scripts: ok(),
# skip_all(), and done() that exits non-zero when anything failed.

import atexit
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORTS = os.path.dirname(HERE)
SNAPREPORT = os.path.join(REPORTS, "snapreport")
MAKE_RESULTS = os.path.join(HERE, "make_results.py")
sys.path.insert(0, REPORTS)

_count = 0
_failed = 0


def ok(cond, name, diag=None):
    global _count, _failed
    _count += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _count, name))
    if not cond:
        _failed += 1
        if diag:
            for line in str(diag).splitlines()[-25:]:
                print("#   %s" % line)
    sys.stdout.flush()
    return cond


def close(a, b, rel=1e-9, absolute=1e-12):
    return abs(a - b) <= max(absolute, rel * max(abs(a), abs(b)))


def tempdir(prefix):
    """A temporary directory removed at exit unless REPORT_TEST_KEEP=1."""
    path = tempfile.mkdtemp(prefix=prefix)
    if os.environ.get("REPORT_TEST_KEEP") != "1":
        atexit.register(shutil.rmtree, path, True)
    return path


def skip_all(reason):
    print("1..0 # SKIP %s" % reason)
    sys.exit(0)


def done():
    print("1..%d" % _count)
    sys.exit(1 if _failed else 0)


def run(*argv, timeout=600):
    """Run a command; returns (exit status, stdout, stderr)."""
    p = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def make_results(out, *flags):
    """Write a SYNTHETIC result set (reports/testdata/make_results.py)."""
    rc, so, se = run(sys.executable, MAKE_RESULTS, "--out", out, *flags)
    if rc != 0:
        raise RuntimeError("make_results.py failed: %s" % se)
    return out


def trend(tmp, *argv):
    """`snapreport trend ARGV --json` into a new file under @tmp:
    (exit status, stdout, stderr, the JSON document or no builds)."""
    import json
    js = os.path.join(tmp, "trend-%d.json" % len(os.listdir(tmp)))
    rc, so, se = run(SNAPREPORT, "trend", *argv, "--json", js)
    doc = json.load(open(js)) if os.path.exists(js) else {"accelerators": []}
    return rc, so, se, doc


def trend_builds(doc):
    """A trend JSON document's builds, by label."""
    return {b["build"]: b for a in doc["accelerators"] for b in a["builds"]}
