/* SPDX-License-Identifier: GPL-2.0 */
/*
 * result.h - the result file of one run (harness/RESULTS.md): Google
 * Benchmark's JSON plus snapbench's histograms, written atomically.
 */
#ifndef SNAP_RESULT_H
#define SNAP_RESULT_H

#include "harness/runner.h"

/* What a run does not measure but its result file records. */
struct run_context {
	const char *command_line;
	const char *executable;
	const char *scenario;		/* its name */
	const struct scenario *sc;	/* effective values */
	const char *strategy;
	bool known_unsafe;		/* the strategy's snap_ops.known_unsafe */
	const struct snap_param *strategy_params; /* its snap_ops.params; NULL: none */
	const char *topology;		/* hwloc summary */
	const char *placement;		/* the policy as given */
	uint64_t seed;
	int rep, reps;
	const char *order;		/* snapbench run --order; NULL: not recorded */
	int run_index;			/* its place in that order, from 0 */
	const char *sweep_key;		/* NULL: not part of a sweep */
	const char *sweep_value;
	const char *const *storm_notes;	/* [STORM_NR] a world's notes, NULL: none */
	const char *environment;	/* NULL: "userspace" */
	const char *accelerator;	/* guests: "kvm" or "tcg"; NULL: null */
	const char *kernel_label;	/* guests: the build, e.g. 6.12.117+x */
	const char *calibration;	/* --calibration FILE, or NULL */
	int boot;			/* guests: which boot of the build, from 1;
					 * 0: not recorded */
};

/**
 * result_write() - write the result of one run to @path, atomically
 * Returns: 0, or -errno (nothing is left at @path, or at a temporary name,
 * on failure).
 */
int result_write(const char *path, const struct run_context *ctx,
		 const struct run_result *res);

#endif /* SNAP_RESULT_H */
