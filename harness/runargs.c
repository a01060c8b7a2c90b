// SPDX-License-Identifier: GPL-2.0
/*
 * runargs.c - the options of `snapbench run` (getopt_long, short and long
 * forms): lists, counts and the default scenario set, with one-line errors.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runargs.h"
#include "harness/world.h"
#include "lib/number.h"
#include "workloads/scenario.h"

static int __attribute__((format(printf, 2, 3)))
fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, RUN_ERR_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Split a comma-separated @arg of option @opt in place.  An empty item
 * ("1,,2", a leading or trailing comma) is an error, not skipped: it is a
 * mistake, and dropping it would run something other than what was asked.
 */
static int split_list(char *arg, const char **items, int *nr, const char *opt,
		      const char *what, char *err)
{
	char *p = arg, *comma;

	if (!*arg || *arg == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
		return fail(err, "%s '%s': an empty item in the list of %s", opt, arg, what);
	for (;;) {
		if (*nr == RUN_MAX_ITEMS)
			return fail(err, "too many %s (at most %d)", what, RUN_MAX_ITEMS);
		items[(*nr)++] = p;
		comma = strchr(p, ',');
		if (!comma)
			return 0;
		*comma = '\0';
		p = comma + 1;
	}
}

static int add_default_set(struct run_args *a, const char *scenario_dir, char *err)
{
	char path[PATH_MAX], line[256];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/default.list", scenario_dir);
	f = fopen(path, "r");
	if (!f)
		return fail(err, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *name;

		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		if (a->nr_scenarios == RUN_MAX_ITEMS) {
			ret = fail(err, "too many scenarios (at most %d)", RUN_MAX_ITEMS);
			break;
		}
		name = strdup(line);
		if (!name) {
			snprintf(err, RUN_ERR_LEN, "out of memory");
			ret = -ENOMEM;
			break;
		}
		a->default_set[a->nr_default_set++] = name;
		a->scenarios[a->nr_scenarios++] = name;
	}
	fclose(f);
	return ret;
}

static int parse_count(const char *opt, const char *v, unsigned long max, int *out, char *err)
{
	unsigned long long n;

	if (parse_whole(v, max, &n) || n < 1)
		return fail(err, "%s: '%s' is not a whole number in [1, %lu]", opt, v, max);
	*out = n;
	return 0;
}

/*
 * Long options without a short form: values no letter has, so that
 * "--append=1" (getopt_long() sets optopt to the value) is not reported as
 * an unknown letter '-A'.
 */
enum { OPT_LONG_ONLY = 256, OPT_APPEND = OPT_LONG_ONLY, OPT_REPLACE, OPT_CHECK,
	OPT_ORDER, OPT_WORLD, OPT_FIRST_REP, OPT_ACCEL, OPT_KERNEL_LABEL, OPT_BOOT,
	OPT_CALIBRATION };

int run_args_parse(struct run_args *a, int argc, char **argv,
		   const char *scenario_dir, char *err)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "strategy", required_argument, NULL, 'S' },
		{ "reps", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 'e' },
		{ "set", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "placement", required_argument, NULL, 'p' },
		{ "sweep", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "append", no_argument, NULL, OPT_APPEND },
		{ "replace", no_argument, NULL, OPT_REPLACE },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "order", required_argument, NULL, OPT_ORDER },
		{ "world", required_argument, NULL, OPT_WORLD },
		{ "first-rep", required_argument, NULL, OPT_FIRST_REP },
		{ "accel", required_argument, NULL, OPT_ACCEL },
		{ "kernel-label", required_argument, NULL, OPT_KERNEL_LABEL },
		{ "boot", required_argument, NULL, OPT_BOOT },
		{ "calibration", required_argument, NULL, OPT_CALIBRATION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char shortopts[] = ":s:S:r:d:o:p:qh";
	const char *strategies[RUN_MAX_ITEMS], *scen[RUN_MAX_ITEMS];
	int nr_strategies = 0, nr_scen = 0, c, i, ret = 0;
	unsigned long long seed;
	bool negative;

	memset(a, 0, sizeof(*a));
	a->reps = 3;
	a->seed = 1;
	a->placement = "spread";
	a->world = &world_model;
	a->first_rep = -1;
	opterr = 0;
	optind = 0;	/* restart getopt_long(): fuzz/ parses many command lines */
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (c) {
		case 's':
			ret = split_list(optarg, scen, &nr_scen, "--scenario", "scenarios", err);
			break;
		case 'S':
			ret = split_list(optarg, strategies, &nr_strategies, "--strategy",
					 "strategies", err);
			break;
		case 'r':
			ret = parse_count("--reps", optarg, 1000, &a->reps, err);
			break;
		case 'd':
			if (parse_decimal(optarg, &a->duration_s, &negative) || negative ||
			    !(a->duration_s > 0) || a->duration_s > 86400)
				ret = fail(err, "--duration: '%s' is not a number of seconds in (0, 86400]",
					   optarg);
			break;
		case 'e':
			if (parse_whole(optarg, UINT64_MAX, &seed))
				ret = fail(err, "--seed: '%s' is not a whole number", optarg);
			a->seed = seed;
			break;
		case 'k':
			if (a->nr_sets == RUN_MAX_SETS)
				ret = fail(err, "too many --set (at most %d)", RUN_MAX_SETS);
			else
				a->sets[a->nr_sets++] = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'p':
			a->placement = optarg;
			break;
		case 'w': {
			char *eq = strchr(optarg, '=');

			if (a->sweep_key) {
				ret = fail(err, "--sweep: only one sweep per run");
				break;
			}
			if (!eq || eq == optarg || !eq[1 + strspn(eq + 1, ",")]) {
				ret = fail(err, "--sweep '%s': expected KEY=V1,V2,...", optarg);
				break;
			}
			*eq = '\0';
			a->sweep_key = optarg;
			ret = split_list(eq + 1, a->sweep_values, &a->nr_sweep_values,
					 "--sweep", "sweep values", err);
			break;
		}
		case 'q':
			a->quiet = true;
			break;
		case OPT_APPEND:
			a->append = true;
			break;
		case OPT_REPLACE:
			a->replace = true;
			break;
		case OPT_CHECK:
			a->check = true;
			break;
		case OPT_ORDER:
			if (!strcmp(optarg, "sequential"))
				a->sequential = true;
			else if (!strcmp(optarg, "shuffled"))
				a->sequential = false;
			else
				ret = fail(err, "--order: '%s' is not shuffled or sequential", optarg);
			break;
		case OPT_WORLD:
			a->world = world_find(optarg);
			if (!a->world)
				ret = fail(err, "--world: '%s' is not model or kernel", optarg);
			break;
		case OPT_FIRST_REP:
			if (parse_whole(optarg, 999999, &seed))
				ret = fail(err, "--first-rep: '%s' is not a whole number in [0, 999999]",
					   optarg);
			a->first_rep = (int)seed;
			break;
		case OPT_ACCEL:
			if (strcmp(optarg, "kvm") && strcmp(optarg, "tcg"))
				ret = fail(err, "--accel: '%s' is not kvm or tcg", optarg);
			a->accel = optarg;
			break;
		case OPT_KERNEL_LABEL:
			a->kernel_label = optarg;
			break;
		case OPT_CALIBRATION:
			a->calibration = optarg;
			break;
		case OPT_BOOT:
			ret = parse_count("--boot", optarg, 1000, &a->boot, err);
			break;
		case 'h':
			a->help = true;
			return 0;
		case ':':
			/* optind is past the argument; optopt is the option's letter. */
			if (strncmp(argv[optind - 1], "--", 2))
				return fail(err, "run: option '-%c' needs a value", optopt);
			return fail(err, "run: option '%s' needs a value", argv[optind - 1]);
		default:
			/*
			 * An unknown letter (optopt) inside "-xyz" leaves optind on
			 * that argument, so name the letter; a bad long option
			 * ("--bogus", "--quiet=1") is the argument before optind.
			 */
			if (optopt && optopt < OPT_LONG_ONLY &&
			    (optopt == ':' || !strchr(shortopts, optopt)))
				return fail(err, "run: unknown option '-%c' (snapbench run --help)",
					    optopt);
			return fail(err, "run: unknown option '%s' (snapbench run --help)",
				    argv[optind - 1]);
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return fail(err, "run: unexpected argument '%s'", argv[optind]);
	if (!nr_scen)
		return fail(err, "run: --scenario is required (snapbench list)");
	if (a->append && a->replace)
		return fail(err, "run: --append and --replace exclude each other");
	if (a->append && a->first_rep >= 0)
		return fail(err, "run: --append and --first-rep both number the repetitions; give one");
	/* --duration would override it: the files would say what did not run. */
	if (a->duration_s > 0 && a->sweep_key && !strcmp(a->sweep_key, "run.duration_s"))
		return fail(err, "run: --duration and --sweep run.duration_s both set the measured time; give one");
	for (i = 0; a->duration_s > 0 && i < a->nr_sets; i++)
		if (!strncmp(a->sets[i], "run.duration_s=", 15))
			return fail(err, "run: --duration and --set run.duration_s both set the measured time; give one");

	for (i = 0; i < nr_scen; i++) {
		if (!strcmp(scen[i], "default"))
			ret = add_default_set(a, scenario_dir, err);
		else if (a->nr_scenarios < RUN_MAX_ITEMS)
			a->scenarios[a->nr_scenarios++] = scen[i];
		else
			ret = fail(err, "too many scenarios (at most %d)", RUN_MAX_ITEMS);
		if (ret)
			return ret;
	}
	if (!nr_strategies || (nr_strategies == 1 && !strcmp(strategies[0], "all"))) {
		/* Known-unsafe designs run only when named; a world runs its own. */
		for (const struct snap_ops *const *o = snap_strategies; *o; o++)
			if (!(*o)->known_unsafe &&
			    (!a->world->has_strategy || a->world->has_strategy((*o)->name)))
				a->strategies[a->nr_strategies++] = *o;
		return 0;
	}
	for (i = 0; i < nr_strategies; i++) {
		const struct snap_ops *ops = snap_strategy_find(strategies[i]);

		if (!ops)
			return fail(err, "unknown strategy '%s' (snapbench list)", strategies[i]);
		if (a->world->has_strategy && !a->world->has_strategy(ops->name))
			return fail(err, "strategy '%s' is not in the %s world (snapbench list)",
				    strategies[i], a->world->name);
		a->strategies[a->nr_strategies++] = ops;
	}
	return 0;
}

void run_args_release(struct run_args *a)
{
	for (int i = 0; i < a->nr_default_set; i++)
		free(a->default_set[i]);
	a->nr_default_set = 0;
}

int run_args_apply(const struct run_args *a, struct scenario *s, const char *sweep_value,
		   char *err)
{
	char *set;
	int ret;

	if (a->calibration) {
		ret = scenario_load_calibration(s, a->calibration, err);
		if (ret) {
			char msg[SCENARIO_ERR_LEN];

			snprintf(msg, sizeof(msg), "%s", err);
			return fail(err, "--calibration: %s", msg);
		}
	}
	for (int i = 0; i < a->nr_sets; i++) {
		ret = scenario_set(s, a->sets[i], err);
		if (ret)
			return ret;
	}
	if (sweep_value) {
		set = malloc(strlen(a->sweep_key) + strlen(sweep_value) + 2);
		if (!set) {
			snprintf(err, RUN_ERR_LEN, "out of memory");
			return -ENOMEM;
		}
		sprintf(set, "%s=%s", a->sweep_key, sweep_value);
		ret = scenario_set(s, set, err);
		free(set);
		if (ret) {
			char msg[SCENARIO_ERR_LEN];

			snprintf(msg, sizeof(msg), "%s", err);
			return fail(err, "--sweep: %s", msg);
		}
	}
	if (a->duration_s > 0)
		s->duration_s = a->duration_s;
	return 0;
}
