# SPDX-License-Identifier: GPL-2.0
# reports/: `make report` runs the default scenarios and writes the HTML
# report; `make report-html` only re-renders it from existing results.

REPORT_OUT     ?= reports/out
REPORT_RESULTS ?= $(REPORT_OUT)/results
SNAPREPORT     := reports/snapreport

# The default fits in about three minutes on two cores: five repetitions
# (with five per side a Mann-Whitney test can reach p < 0.01; with three it
# never goes below 0.1), a sweep of NUMA-balancing intensity, and the seed as
# published once per scenario with a short watchdog, since it hangs.
# QUICK=1: a smoke run; FULL=1: more repetitions, longer runs.
ifeq ($(FULL),1)
REPORT_RUN_FLAGS ?= --reps 10 --duration 2
REPORT_SWEEP_REPS ?= 5
else ifeq ($(QUICK),1)
REPORT_RUN_FLAGS ?= --reps 2 --duration 0.2
REPORT_SWEEP_REPS ?= 2
else
REPORT_RUN_FLAGS ?= --reps 5 --duration 0.5
REPORT_SWEEP_REPS ?= 3
endif
REPORT_SWEEP ?= storm.numa.rate=250,1000,4000,16000
SNAPBENCH_RUN = $(B)/snapbench run --quiet --out $(REPORT_RESULTS)

.PHONY: report report-html

report:
	@harness/deps build report
	@$(MAKE) --no-print-directory all
	rm -rf $(REPORT_RESULTS)
	@mkdir -p $(REPORT_OUT)
	$(SNAPBENCH_RUN) --scenario default --strategy all $(REPORT_RUN_FLAGS) > $(REPORT_OUT)/summary.txt
	$(SNAPBENCH_RUN) --scenario numa-storm --strategy all --reps $(REPORT_SWEEP_REPS) \
		--duration 0.5 --sweep $(REPORT_SWEEP) >> $(REPORT_OUT)/summary.txt
	-$(SNAPBENCH_RUN) --scenario default --strategy rangelock-2015 --reps 1 --duration 0.5 \
		--set run.watchdog_s=1 >> $(REPORT_OUT)/summary.txt
	@$(MAKE) --no-print-directory report-html

report-html:
	@harness/deps report
	@test -d $(REPORT_RESULTS) || { echo "report-html: no results in $(REPORT_RESULTS); run make report" >&2; exit 2; }
	@$(SNAPREPORT) html $(REPORT_RESULTS) --out $(REPORT_OUT) >/dev/null
	@echo "report: $(CURDIR)/$(REPORT_OUT)/index.html"
