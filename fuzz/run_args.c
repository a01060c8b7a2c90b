// SPDX-License-Identifier: GPL-2.0
/*
 * run_args.c - fuzz target: the options of `snapbench run` (harness/runargs.c)
 * and what cmd_run() does with them before the first run: --set, --sweep,
 * --placement.  Bad input is one line naming the offending argument.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz/fuzz.h"
#include "harness/runargs.h"
#include "harness/topology.h"
#include "workloads/scenario.h"

#ifndef SNAP_SRCDIR
#define SNAP_SRCDIR "."
#endif

#define MAX_ARGS	1024

/* Split @text at newlines into @argv after "run"; a last newline ends a line. */
static int split_args(char *text, size_t size, char **argv)
{
	char *p = text, *end = text + size, *nl;
	int argc = 0;

	argv[argc++] = "run";
	while (p < end && argc < MAX_ARGS) {
		nl = memchr(p, '\n', end - p);
		argv[argc++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	argv[argc] = NULL;
	return argc;
}

/* Was @arg given, whole or, for "-c", as a letter of a short option cluster? */
static bool was_given(const char *arg, int argc, char **orig)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(orig[i], arg))
			return true;
		if (arg[0] == '-' && arg[1] && !arg[2] && orig[i][0] == '-' &&
		    orig[i][1] != '-' && strchr(orig[i] + 1, arg[1]))
			return true;
	}
	return false;
}

/* An error about an argument quotes one that was given; an option is one. */
static void check_names_argument(const char *err, int argc, char **orig)
{
	static const struct { const char *prefix, *suffix; bool option; } quotes[] = {
		{ "run: unknown option '", "' (snapbench run --help)", true },
		{ "run: option '", "' needs a value", true },
		{ "run: unexpected argument '", "'", false },
	};
	size_t len = strlen(err);

	if (len == RUN_ERR_LEN - 1)
		return;		/* cut short: the quote does not end */
	for (size_t i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		size_t pre = strlen(quotes[i].prefix), suf = strlen(quotes[i].suffix);
		char quoted[RUN_ERR_LEN];

		if (strncmp(err, quotes[i].prefix, pre) || len < pre + suf ||
		    strcmp(err + len - suf, quotes[i].suffix))
			continue;
		snprintf(quoted, sizeof(quoted), "%.*s", (int)(len - pre - suf), err + pre);
		fuzz_check(was_given(quoted, argc, orig) && (!quotes[i].option || *quoted == '-'),
			   "'%s' names '%s', not an argument given", err, quoted);
		return;
	}
}

/*
 * Valid options, applied to the defaults as cmd_run() applies them to each
 * scenario and sweep point (the scenario files are not read: a name could
 * be any file), then the placement.
 */
static void check_apply(const struct run_args *a)
{
	char err[RUN_ERR_LEN], perr[256];
	struct topo_placement placement;
	struct scenario s;
	int ret;

	for (int i = 0; i < (a->sweep_key ? a->nr_sweep_values : 1); i++) {
		const char *value = a->sweep_key ? a->sweep_values[i] : NULL;

		scenario_defaults(&s);
		ret = run_args_apply(a, &s, value, err);
		fuzz_check(ret == 0 || ret == -EINVAL || ret == -ENOMEM,
			   "run_args_apply() returned %d", ret);
		if (ret) {
			fuzz_check_error(err, sizeof(err));
			continue;
		}
		ret = scenario_validate(&s, err);
		fuzz_check(ret == 0 || ret == -EINVAL, "scenario_validate() returned %d", ret);
		if (ret)
			fuzz_check_error(err, sizeof(err));
	}
	if (strcmp(a->placement, "none")) {
		ret = topology_parse(a->placement, &placement, perr, sizeof(perr));
		if (ret)
			fuzz_check_error(perr, sizeof(perr));
	}
}

/* What cmd_run() relies on when the parse succeeds. */
static void check_parsed(const struct run_args *a)
{
	fuzz_check(a->nr_scenarios >= 1 && a->nr_scenarios <= RUN_MAX_ITEMS,
		   "%d scenarios", a->nr_scenarios);
	for (int i = 0; i < a->nr_scenarios; i++)
		fuzz_check(a->scenarios[i] && *a->scenarios[i] && !strchr(a->scenarios[i], ','),
			   "scenario %d is '%s'", i, a->scenarios[i] ? a->scenarios[i] : "(null)");
	fuzz_check(a->nr_strategies >= 1 && a->nr_strategies <= RUN_MAX_ITEMS,
		   "%d strategies", a->nr_strategies);
	for (int i = 0; i < a->nr_strategies; i++)
		fuzz_check(a->strategies[i] &&
			   snap_strategy_find(a->strategies[i]->name) == a->strategies[i],
			   "strategy %d is not in the registry", i);
	fuzz_check(a->reps >= 1 && a->reps <= 1000, "%d reps", a->reps);
	fuzz_check(a->duration_s == 0 || (a->duration_s > 0 && a->duration_s <= 86400),
		   "duration %g s", a->duration_s);
	fuzz_check(a->nr_sets <= RUN_MAX_SETS, "%d --set", a->nr_sets);
	fuzz_check(!a->sweep_key == !a->nr_sweep_values,
		   "--sweep key '%s' with %d values", a->sweep_key ? a->sweep_key : "(none)",
		   a->nr_sweep_values);
	fuzz_check(!a->sweep_key || *a->sweep_key, "--sweep with an empty key");
	for (int i = 0; i < a->nr_sweep_values; i++)
		fuzz_check(*a->sweep_values[i] && !strchr(a->sweep_values[i], ','),
			   "sweep value %d is '%s'", i, a->sweep_values[i]);
}

int fuzz_run_args(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *copy = malloc(size + 1);
	char *argv[MAX_ARGS + 1], *orig[MAX_ARGS + 1];
	char err[RUN_ERR_LEN];
	struct run_args a;
	int argc, ret;

	fuzz_check(text && copy, "out of memory");
	memcpy(text, data, size);
	memcpy(copy, data, size);
	text[size] = copy[size] = '\0';
	argc = split_args(text, size, argv);
	split_args(copy, size, orig);	/* the parser permutes and splits argv */

	ret = run_args_parse(&a, argc, argv, SNAP_SRCDIR "/workloads/scenarios", err);
	fuzz_check(ret == 0 || ret == -EINVAL || ret == -ENOMEM, "returned %d", ret);
	if (ret) {
		fuzz_check_error(err, sizeof(err));
		check_names_argument(err, argc, orig);
	} else if (!a.help) {
		check_parsed(&a);
		check_apply(&a);
	}
	run_args_release(&a);
	free(copy);
	free(text);
	return 0;
}
