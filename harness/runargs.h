/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runargs.h - the options of `snapbench run`, parsed into a struct.  Bad
 * input is a one-line error, never an exit, so fuzz/ can drive the parser.
 */
#ifndef SNAP_RUNARGS_H
#define SNAP_RUNARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "strategies/snap_ops.h"

struct world_ops;

#define RUN_MAX_SETS	128
#define RUN_MAX_ITEMS	64
#define RUN_ERR_LEN	1024

struct run_args {
	const char *scenarios[RUN_MAX_ITEMS];
	int nr_scenarios;
	const struct snap_ops *strategies[RUN_MAX_ITEMS];
	int nr_strategies;
	const char *sets[RUN_MAX_SETS];
	int nr_sets;
	char *sweep_key;		/* --sweep KEY=V1,V2,... */
	const char *sweep_values[RUN_MAX_ITEMS];
	int nr_sweep_values;
	int reps;
	double duration_s;		/* 0: the scenario's */
	uint64_t seed;
	const char *out;
	const char *placement;
	bool quiet;
	bool append;			/* --append: repetitions after those in OUT */
	bool replace;			/* --replace: earlier results in OUT go */
	bool check;			/* --check: check and plan, run nothing */
	bool sequential;		/* --order sequential: cell by cell, as planned */
	bool help;			/* --help: nothing else was checked */
	const struct world_ops *world;	/* --world: model (default) or kernel */
	int first_rep;			/* --first-rep N: rep-<N> first; -1: 0,
					 * or after the results there (--append) */
	const char *accel;		/* --accel: context.accelerator */
	const char *kernel_label;	/* --kernel-label: context.kernel_label */
	const char *calibration;	/* --calibration: cost.* file, before --set */
	int boot;			/* --boot: context.boot; 0: none */
	char *default_set[RUN_MAX_ITEMS];	/* names read from default.list */
	int nr_default_set;
};

/**
 * run_args_parse() - parse the options of `snapbench run`
 * @a: filled in; release with run_args_release(), also after an error
 * @argc: number of arguments
 * @argv: the arguments, argv[0] is "run"; getopt_long() permutes them and
 *	list values are split in place, so @a points into them
 * @scenario_dir: where "--scenario default" finds default.list
 * @err: RUN_ERR_LEN bytes; set to one line naming the problem
 *
 * Stops at --help with @a->help set.  Not thread safe: getopt_long() keeps
 * global state.
 *
 * Returns: 0, -EINVAL with @err set for bad input, or -ENOMEM.
 */
int run_args_parse(struct run_args *a, int argc, char **argv,
		   const char *scenario_dir, char *err);

struct scenario;

/**
 * run_args_apply() - apply --set, one --sweep value and --duration to a
 * loaded scenario, in that order
 * @a: the parsed options
 * @s: the scenario, loaded from its file
 * @sweep_value: this point of the sweep, or NULL
 * @err: RUN_ERR_LEN bytes; set to one line naming the problem
 *
 * The caller validates @s afterwards.
 *
 * Returns: 0, -EINVAL with @err set for a bad key or value, or -ENOMEM.
 */
int run_args_apply(const struct run_args *a, struct scenario *s, const char *sweep_value,
		   char *err);

/* Free what run_args_parse() allocated. */
void run_args_release(struct run_args *a);

#endif /* SNAP_RUNARGS_H */
