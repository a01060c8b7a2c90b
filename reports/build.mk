# SPDX-License-Identifier: GPL-2.0
# reports/: `make report` runs the default scenarios and writes the HTML
# report; `make report-html` only re-renders it from existing results.

REPORT_OUT     ?= reports/out
REPORT_RESULTS ?= $(REPORT_OUT)/results
SNAPREPORT     := reports/snapreport

# The default: many short repetitions rather than a few long ones, because
# the verdicts (reports/snapreport_lib/verdicts.py) correct for every test
# of the report (about 150 with Benjamini-Hochberg): with n repetitions a
# side the smallest two-sided Mann-Whitney p is 2 / C(2n, n): 0.1 at n = 3,
# 0.0079 at 5, 0.00016 at 8; only from about n = 8 can one difference
# survive the correction on its own.  Eight runs of 0.25 s (after 0.1 s of
# warm-up) per scenario and strategy, a sweep of NUMA-balancing intensity
# with five, every known-unsafe strategy (`snapbench list` marks them;
# `--strategy all` leaves them out) once per scenario with a short watchdog,
# since they hang, and the spin model checks.  Measured time and noise
# floor: README, "The noise floor of the userspace verdicts".
# QUICK=1: a smoke run; FULL=1: more repetitions, longer runs.
ifeq ($(FULL),1)
REPORT_RUN_FLAGS ?= --reps 16 --duration 0.5
REPORT_SWEEP_REPS ?= 8
REPORT_UNSAFE_FLAGS ?= --reps 3 --duration 1 --set run.watchdog_s=2
else ifeq ($(QUICK),1)
REPORT_RUN_FLAGS ?= --reps 2 --duration 0.2
REPORT_SWEEP_REPS ?= 2
REPORT_UNSAFE_FLAGS ?= --reps 1 --duration 0.2 --set run.watchdog_s=1
else
REPORT_RUN_FLAGS ?= --reps 8 --duration 0.25 --set run.warmup_s=0.1
REPORT_SWEEP_REPS ?= 5
REPORT_UNSAFE_FLAGS ?= --reps 1 --duration 0.25 --set run.warmup_s=0.1 --set run.watchdog_s=1
endif
REPORT_SWEEP ?= storm.numa.rate=250,1000,4000,16000
SNAPBENCH_RUN = $(B)/snapbench run --quiet --out $(REPORT_RESULTS)
# The known-unsafe runs' stderr (crashes leave no result file, only a line
# here); snapreport reads every *.log at the top of the result directory.
REPORT_UNSAFE_LOG = $(REPORT_RESULTS)/snapbench-unsafe.log

# The model checks' summary (strategies/model/check; `make model-check`
# writes the same file).  `make report` reuses it while no model changed
# and every check came out as expected; the report says when it was made.
REPORT_MODEL ?= $(B)/model/summary.json
REPORT_MODEL_SRCS := $(wildcard strategies/model/*.pml) strategies/model/check
REPORT_MODEL_STALE := $(if $(shell grep -qs '"failed": 0,' $(REPORT_MODEL) && echo ok),,FORCE)

# Exit 3 (a run hung or made no progress) is data: the report shows those
# runs as failed.  Any other failure stops it.
.PHONY: report report-html

report:
	@harness/deps build report
	@$(MAKE) --no-print-directory all
	rm -rf $(REPORT_RESULTS)
	@mkdir -p $(REPORT_OUT)
	$(SNAPBENCH_RUN) --scenario default --strategy all $(REPORT_RUN_FLAGS) \
		> $(REPORT_OUT)/summary.txt || [ $$? -eq 3 ]
	$(SNAPBENCH_RUN) --scenario numa-storm --strategy all --reps $(REPORT_SWEEP_REPS) \
		--duration 0.25 --set run.warmup_s=0.1 --sweep $(REPORT_SWEEP) \
		>> $(REPORT_OUT)/summary.txt || [ $$? -eq 3 ]
	@unsafe=$$($(B)/snapbench list | sed -n 's/^  \([^ ]*\) .*\[known unsafe.*/\1/p' | paste -sd, -); \
	if [ -n "$$unsafe" ]; then \
		echo "$(SNAPBENCH_RUN) --scenario default --strategy $$unsafe $(REPORT_UNSAFE_FLAGS)"; \
		$(SNAPBENCH_RUN) --scenario default --strategy $$unsafe $(REPORT_UNSAFE_FLAGS) \
			>> $(REPORT_OUT)/summary.txt 2>> $(REPORT_UNSAFE_LOG); \
		echo "known-unsafe runs (exit $$?, hangs expected): $$(grep -c ' hung (' $(REPORT_UNSAFE_LOG)) hung," \
			"$$(grep -c ': crashed: ' $(REPORT_UNSAFE_LOG)) crashed; stderr in $(REPORT_UNSAFE_LOG)"; \
	fi
	@$(MAKE) --no-print-directory $(REPORT_MODEL)
	@$(MAKE) --no-print-directory report-html

$(REPORT_MODEL): $(REPORT_MODEL_SRCS) $(REPORT_MODEL_STALE)
	-@harness/deps model
	-strategies/model/check --out $(patsubst %/,%,$(dir $@)) > /dev/null

report-html:
	@harness/deps report
	@test -d $(REPORT_RESULTS) || { echo "report-html: no results in $(REPORT_RESULTS); run make report" >&2; exit 2; }
	@$(SNAPREPORT) html $(REPORT_RESULTS) --out $(REPORT_OUT) --model-check $(REPORT_MODEL) >/dev/null
	@echo "report: $(abspath $(REPORT_OUT))/index.html"
