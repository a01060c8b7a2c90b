# SPDX-License-Identifier: GPL-2.0
# cli.py - the command line of snapreport: one parser per subcommand; bad
# input is one line on stderr and exit status 2.

import argparse
import sys

from . import calibration, claims, compare, fidelity, html, plots, summarize, versions
from .results import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write("snapreport: %s\n" % message)
        sys.exit(2)


def _parser():
    p = _Parser(prog="snapreport",
                description="Statistics, plots and HTML reports of snapbench result files.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    s = sub.add_parser("summarize", help="median and order-statistic interval of each headline metric per group")
    s.add_argument("dir", metavar="DIR", help="result directory (harness/RESULTS.md layout)")
    s.add_argument("--all", action="store_true", help="every metric, not only the headline ones")
    s.add_argument("--csv", metavar="FILE", help="also write the table as CSV")

    s = sub.add_parser("claims", help="each claim of the seed and of our strategies: measured "
                       "verdict per strategy, and the command that reproduces it")
    s.add_argument("dir", metavar="DIR", help="result directory (harness/RESULTS.md layout)")

    s = sub.add_parser("plot", help="data files, gnuplot scripts, PNG and SVG plots")
    s.add_argument("dir", metavar="DIR")
    s.add_argument("--out", metavar="OUTDIR", required=True, help="where the plots go")

    s = sub.add_parser("compare", help="BASE vs NEW: change, intervals, Mann-Whitney p, verdicts",
                       usage="%(prog)s [options] BASE NEW | DIR --sweep KEY=BASE,NEW")
    s.add_argument("base", metavar="BASE")
    s.add_argument("new", metavar="NEW", nargs="?")
    s.add_argument("--sweep", metavar="KEY=BASE,NEW",
                   help="compare two points of one interleaved run (snapbench run --sweep): "
                        "DIR's KEY=BASE runs against its KEY=NEW runs")
    s.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    s.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="minimum effect, percent of the BASE median (default 5)")
    s.add_argument("--correction", choices=compare.CORRECTIONS, default=compare.CORRECTIONS[0],
                   help="multiple comparisons: bh = Benjamini-Hochberg q < alpha over each "
                        "comparison's headline metrics (default), none = each metric's own p")
    s.add_argument("--all", action="store_true", help="every metric, not only the headline ones")
    s.add_argument("--json", metavar="FILE", help="also write the rows as JSON")

    s = sub.add_parser("html", help="a self-contained HTML report directory")
    s.add_argument("dir", metavar="DIR")
    s.add_argument("--out", metavar="OUTDIR", required=True, help="report directory (index.html)")
    s.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    s.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="minimum effect for a recommendation, percent (default 5)")
    s.add_argument("--correction", choices=compare.CORRECTIONS, default=compare.CORRECTIONS[0],
                   help="multiple comparisons: bh = Benjamini-Hochberg q < alpha over each "
                        "comparison's headline metrics (default), none = each metric's own p")
    s.add_argument("--model-check", metavar="FILE",
                   help="summary.json of strategies/model/check (make model-check) to show")
    s.add_argument("--baseline", metavar="LABEL",
                   help="kernel build the trends compare with (default: newest without +patch)")

    s = sub.add_parser("trend", help="kernel builds in version order vs a baseline: verdicts, "
                       "exit 1 on a regression")
    s.add_argument("dir", metavar="DIR", nargs="+", help="result directories (merged)")
    s.add_argument("--baseline", metavar="LABEL",
                   help="kernel build label to compare with (default: newest without +patch)")
    s.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    s.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="minimum effect, percent of the reference median (default 5)")
    s.add_argument("--correction", choices=compare.CORRECTIONS, default=compare.CORRECTIONS[0],
                   help="multiple comparisons: bh = Benjamini-Hochberg q < alpha over each "
                        "comparison's headline metrics (default), none = each metric's own p")
    s.add_argument("--all", action="store_true", help="every metric, not only the headline ones")
    s.add_argument("--json", metavar="FILE", help="also write the verdicts as JSON")
    s.add_argument("--plots", metavar="OUTDIR", help="also draw the trend plots there")
    s.add_argument("--false-positives", action="store_true",
                   help="each DIR is an unchanged repeat of the same builds: compare every ordered "
                        "pair of repeats by the same rule and count how many are flagged")

    s = sub.add_parser("merge", help="shard trees of one kernel matrix (kernel matrix --shard "
                       "I/N) into one tree, after checking that they were made alike")
    s.add_argument("dst", metavar="DST", help="the merged tree (must not exist, or be empty)")
    s.add_argument("src", metavar="SRC", nargs="+", help="shard trees")

    s = sub.add_parser("fidelity", help="userspace vs kernel: medians side by side, same ranking?")
    s.add_argument("dir", metavar="DIR", nargs="+", help="result directories (merged)")
    s.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    s.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="minimum difference for two strategies to be ordered, percent (default 5)")
    s.add_argument("--json", metavar="FILE", help="also write the table as JSON")

    s = sub.add_parser("calibration", help="the model's costs from calibrate-* runs in a kernel "
                       "and in the model: a file for snapbench run --calibration")
    s.add_argument("dir", metavar="DIR", nargs="+", help="result directories (merged)")
    s.add_argument("--out", metavar="FILE", help="write the calibration file")
    s.add_argument("--record-command", metavar="TEXT", help="the command to record in the file (default: this one)")
    return p


COMMANDS = {"summarize": summarize.run, "plot": plots.run, "claims": claims.run,
            "compare": compare.run, "html": html.run,
            "trend": versions.run, "merge": versions.run_merge, "fidelity": fidelity.run,
            "calibration": calibration.run}


def main(argv):
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, sys.stdout)
    except InputError as e:
        sys.stderr.write("snapreport: %s\n" % e)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as e:          # an output (--json, --plots, --out) that cannot be written
        if e.filename is None:
            raise
        sys.stderr.write("snapreport: %s: %s\n" % (e.filename, e.strerror))
        return 2
