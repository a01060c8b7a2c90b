# SPDX-License-Identifier: GPL-2.0
# snapreport_lib - the package behind reports/snapreport: loading results,
# statistics, plots, comparisons and the HTML report (standard library only).
