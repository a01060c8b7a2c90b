#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# report-layering.t - reports/snapreport_lib's layering: no import circle
# among its modules, no import of one of its modules tucked inside a
# function (the way a circle is kept open), one module for the shared HTML
# pieces (no second definition of esc or of the strategy badge), and no
# issue number in the HTML a user reads.  The checkers run first on a
# made-up package that breaks each rule, so they are shown to fail.

import ast
import html
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports", "testdata"))
from tap import REPORTS, SNAPREPORT, done, make_results, ok, run, tempdir  # noqa: E402

PACKAGE = "snapreport_lib"
LIB = os.path.join(REPORTS, PACKAGE)


def modules(pkg_dir):
    """{module name: parsed tree} of the package's .py files."""
    out = {}
    for name in sorted(os.listdir(pkg_dir)):
        if name.endswith(".py"):
            with open(os.path.join(pkg_dir, name), encoding="utf-8") as f:
                out[name[:-3]] = ast.parse(f.read(), name)
    return out


def imported(node, names, package):
    """The package's modules that import statement @node names."""
    if isinstance(node, ast.Import):
        return [a.name.split(".")[1] for a in node.names
                if a.name.startswith(package + ".") and a.name.split(".")[1] in names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level == 1 or node.module == package or (node.module or "").startswith(package + "."):
        mod = node.module if node.level else node.module[len(package):].lstrip(".")
        if mod:
            top = mod.split(".")[0]
            return [top] if top in names else []
        return [a.name for a in node.names if a.name in names]
    return []


def graph(mods, package):
    """{module: set of the package's modules it imports, anywhere in it}
    and [(module, line, imported)] of those imports below the top level."""
    edges, nested = {}, []
    for name, tree in mods.items():
        edges[name] = set()
        top = set(id(n) for n in tree.body)
        for node in ast.walk(tree):
            targets = imported(node, mods, package)
            if not targets:
                continue
            edges[name].update(targets)
            if id(node) not in top:
                nested.append((name, node.lineno, ", ".join(targets)))
    return edges, nested


def cycle(edges):
    """One import circle as [a, b, ..., a], or None."""
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def definitions(mods, fname):
    return sorted(m for m, tree in mods.items() for n in tree.body
                  if isinstance(n, ast.FunctionDef) and n.name == fname)


ISSUE = re.compile(r"#\d+|\bissues?\s+#?\d+", re.I)


def visible_text(page):
    """What a reader sees of @page: no style sheet, tags or attributes;
    character references resolved."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]*>", " ", page)
    return html.unescape(page)


# ---- the checkers fail on a package that breaks the rules ---------------------

bad = tempdir("report-layering.")
fake = {"a.py": "from . import b\n", "b.py": "from .c import x\n",
        "c.py": "import os\n\ndef x():\n    from .a import y\n    return y\n",
        "d.py": "from fakepkg import a\nfrom . import b\n"}
for name, text in fake.items():
    with open(os.path.join(bad, name), "w", encoding="utf-8") as f:
        f.write(text)
fmods = modules(bad)
fedges, fnested = graph(fmods, "fakepkg")
ok(fedges["d"] == {"a", "b"} and fedges["a"] == {"b"} and fedges["b"] == {"c"},
   "the checker reads relative and absolute imports of the package", fedges)
ok(fnested == [("c", 4, "a")], "the checker finds an import inside a function", fnested)
ok(cycle(fedges) == ["a", "b", "c", "a"],
   "the checker finds a circle a -> b -> c -> a, closed by that import", cycle(fedges))
fedges["c"].discard("a")
ok(cycle(fedges) is None, "without it, no circle", cycle(fedges))
ok(ISSUE.search(visible_text("<p>Goal (issue 7), see #17</p>")) and
   not ISSUE.search(visible_text('<style>a { color: #222; }</style><p style="color:#1f5fa8">'
                                 "it&#x27;s 7 issues</p>")),
   "the issue-number check sees text, not colours or character references")

# ---- snapreport_lib ---------------------------------------------------------

mods = modules(LIB)
edges, nested = graph(mods, PACKAGE)
ok(len(mods) > 10 and edges.get("cli") and "html" in edges["cli"],
   "snapreport_lib's modules and their imports are read (%d modules)" % len(mods), sorted(mods))
c = cycle(edges)
ok(c is None, "no import circle among snapreport_lib's modules (imports in functions count)",
   c and " -> ".join(c))
ok(not nested, "no snapreport_lib module is imported inside a function (or any block)",
   "\n".join("%s.py:%d imports %s" % n for n in nested))
esc_defs = definitions(mods, "esc")
badge_defs = definitions(mods, "_strategy") + definitions(mods, "strategy")
ok(esc_defs == ["markup"] and badge_defs == ["markup"],
   "esc and the strategy badge are defined once, in markup.py",
   "esc: %s; strategy badge: %s" % (esc_defs, badge_defs))

# ---- the HTML a reader sees names no issue numbers ------------------------------

res = tempdir("report-layering-res.")
make_results(res, "--seed", "3", "--reps", "3", "--unsafe", "rangelock-2015,validflag",
             "--hybrid", "good", "--scenarios", "munmap-storm,reclaim-try,hot-range")
for label, seed in (("6.12.7", 4), ("6.12.117", 5)):
    make_results(res, "--seed", str(seed), "--reps", "3", "--hybrid", "good", "--guest", label,
                 "--scenarios", "munmap-storm,reclaim-try")
out = os.path.join(res, "html")
rc, so, se = run(SNAPREPORT, "html", res, "--out", out)
page = open(os.path.join(out, "index.html"), encoding="utf-8").read() if rc == 0 else ""
sections = ("Per-kernel-version trends", "Userspace vs kernel fidelity", "reach its goal",
            "seed-vs-corrected")
ok(rc == 0 and all(s in page for s in sections),
   "the test report has every section (trends, fidelity, hybrid goal, seed findings)", se)
hits = sorted({m.group(0) for m in ISSUE.finditer(visible_text(page))})
ok(page and not hits, "the report's text names no issue numbers", hits)

done()
