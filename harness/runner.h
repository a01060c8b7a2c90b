/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runner.h - one run: a scenario, one strategy, one repetition.  The runner
 * owns the threads, their placement, the start gate, warm-up, the open-loop
 * schedules, timing, the watchdog and the merge of per-thread metrics.
 */
#ifndef SNAP_RUNNER_H
#define SNAP_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/histogram.h"
#include "harness/topology.h"
#include "workloads/mm.h"
#include "workloads/scenario.h"

#define RUN_MAX_THREADS	256

struct world_ops;

struct run_config {
	const struct world_ops *world;		/* NULL: the model (world.h) */
	const struct scenario *sc;
	const struct snap_ops *ops;
	uint64_t seed;
	struct topo_placement *placement;	/* NULL: threads are not pinned */
};

struct run_thread_summary {
	const char *role;
	int index;
	int cpu;			/* -1: not pinned */
	unsigned long ops;		/* passes or storm operations, measured */
	bool stuck;			/* still inside an operation at the end */
	char doing[160];		/* what it was doing, for a hang report */
};

struct run_result {
	bool hung;
	uint64_t start_realtime_ns, end_realtime_ns;
	double duration_s;		/* measured phase */
	uint64_t cpu_ns;		/* CPU time of all threads, measured phase */
	double handoff_ns[2];		/* host_probe() before and after; -1: n/a */

	/* forward progress */
	struct hist ttm_ns;		/* time to mirror of completed passes */
	struct hist retries;		/* retries per pass, passes and misses */
	unsigned long passes, misses, retries_max, retry_streak_max;
	unsigned long fault_retries, fault_retries_max;	/* a fault failed */
	unsigned long mirror_passes_min, mirror_passes_max;

	/* latency */
	struct hist stall_ns[MM_INVAL_NR];	/* storm operations' durations */
	struct hist oplat_ns[STORM_NR];		/* from the due time */
	unsigned long ops[STORM_NR], ops_skipped[STORM_NR];
	unsigned long inval[MM_INVAL_NR], inval_skipped[MM_INVAL_NR];
	unsigned long reclaimed, reclaim_skipped;

	/* the strategy's own counters (snap_ops.report) */
	unsigned int nr_strategy_counters;
	struct {
		char name[40];
		unsigned long value;
	} strategy_counter[48];

	/* correctness */
	unsigned long violations;
	unsigned int nr_violations_kept;
	struct mm_violation violation[MM_VIOLATIONS_KEPT];

	unsigned int nr_threads;
	struct run_thread_summary thread[RUN_MAX_THREADS];
};

/**
 * run_result_status() - how a run ended, as its result file and SUMMARY
 * line say: "hung" (the watchdog stopped it), "no-progress" (it ended, but
 * no mirror pass completed in the measured phase: a failed run, never a
 * run with a latency of 0) or "ok".
 */
static inline const char *run_result_status(const struct run_result *res)
{
	if (res->hung)
		return "hung";
	return res->passes ? "ok" : "no-progress";
}

/* True when the run is not "ok": the CLI exits 3 (a run hung or failed). */
static inline bool run_result_failed(const struct run_result *res)
{
	return res->hung || !res->passes;
}

/**
 * runner_run() - run @rc once and fill @res
 * The watchdog measures from the last progress of any thread (a mirror pass
 * or a storm operation ending), through warm-up, the measured phase and the
 * wait for the threads to stop: a run in which no thread makes progress for
 * run.watchdog_s is stopped then, whatever its duration.
 *
 * Returns: 0; -ETIMEDOUT when the watchdog fired (@res holds what the
 * threads that did finish measured, and res->hung is set; the stuck threads
 * and the model are left as they are, so the caller should exit soon);
 * -errno when the run could not be set up.
 */
int runner_run(const struct run_config *rc, struct run_result *res);

/*
 * Set from a signal handler to end the run in progress early: the measured
 * phase stops within a watchdog tick (20 ms) and runner_run() returns.
 */
extern volatile sig_atomic_t runner_stop;

/* Zero @res and allocate its histograms.  Returns: 0 or -ENOMEM. */
int run_result_init(struct run_result *res);

/* Add a strategy counter to @res (one past the 48th is dropped). */
void run_result_add_counter(struct run_result *res, const char *name, unsigned long value);

/* Free the histograms in @res. */
void run_result_release(struct run_result *res);

#endif /* SNAP_RUNNER_H */
