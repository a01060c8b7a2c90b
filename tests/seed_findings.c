// SPDX-License-Identifier: GPL-2.0
/*
 * seed_findings.c - what the suite finds in the seed as published
 * (rangelock-2015), next to the corrected rangelock on the same scenario.
 * A regression in the invariant checker or the watchdog shows up here.
 * Each run is a child process: the seed's hangs cannot be joined.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/runner.h"
#include "tests/tap.h"

/* What a child reports back through shared memory. */
struct outcome {
	int ret;
	bool hung, mirror_stuck;
	unsigned long violations, early_returns, underflows, slept_nonblockable;
	char first_violation[96];
};

static unsigned long counter(const struct run_result *res, const char *name)
{
	for (unsigned int i = 0; i < res->nr_strategy_counters; i++)
		if (!strcmp(res->strategy_counter[i].name, name))
			return res->strategy_counter[i].value;
	return 0;
}

static struct outcome run(const char *strategy, const char *const *sets, int nr_sets,
			  uint64_t seed)
{
	static const char *const base[] = {
		"mm.pages=8192", "mm.memory_pages=16384", "mm.interval_pages=64",
		"mirror.hot_pages=512", "run.duration_s=1", "run.warmup_s=0",
		"run.watchdog_s=1",
	};
	struct outcome *out = mmap(NULL, sizeof(*out), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0), copy;
	int status;
	pid_t pid;

	if (out == MAP_FAILED)
		bail_out("mmap");
	memset(out, 0, sizeof(*out));
	out->ret = -ECHILD;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct run_result *res = malloc(sizeof(*res));
		struct run_config rc = { .ops = snap_strategy_find(strategy), .seed = seed };
		char err[SCENARIO_ERR_LEN];
		struct scenario sc;
		int i;

		scenario_defaults(&sc);
		for (i = 0; i < (int)(sizeof(base) / sizeof(base[0])); i++)
			if (scenario_set(&sc, base[i], err))
				_exit(9);
		for (i = 0; i < nr_sets; i++)
			if (scenario_set(&sc, sets[i], err))
				_exit(9);
		rc.sc = &sc;
		out->ret = runner_run(&rc, res);
		out->hung = res->hung;
		out->violations = res->violations;
		out->early_returns = counter(res, "early_returns");
		out->underflows = counter(res, "notifier_count_underflows");
		out->slept_nonblockable = counter(res, "slept_when_not_blockable");
		for (unsigned int t = 0; t < res->nr_threads; t++)
			out->mirror_stuck |= res->thread[t].stuck &&
					     !strcmp(res->thread[t].role, "mirror");
		if (res->nr_violations_kept)
			snprintf(out->first_violation, sizeof(out->first_violation), "%s",
				 res->violation[0].what);
		_exit(0);	/* stuck threads may remain: no exit handlers */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		bail_out("fork/waitpid");
	copy = *out;
	munmap(out, sizeof(*out));
	return copy;
}

int main(void)
{
	static const char *const cow[] = {
		"mirror.write_permille=500", "mm.cow_permille=1000",
	};
	static const char *const short_memory[] = {
		"mm.memory_pages=4096", "mm.min_free=64", "mm.low_free=512",
	};
	static const char *const hot_madvise[] = {
		"mirror.pattern=hot", "storm.madvise.threads=1", "storm.madvise.target=hot",
		"storm.madvise.range_pages=log2:1-16", "storm.madvise.rate=5000",
	};
	struct outcome o;
	int attempt;

	alarm(600);
	plan(6);

	o = run("rangelock-2015", cow, 2, 1);
	ok(o.hung && o.mirror_stuck && o.early_returns == 0,
	   "rangelock-2015, COW breaks under the lock: a mirror sleeps on its own range (the HMM v13 deadlock)");
	o = run("rangelock", cow, 2, 1);
	ok(!o.hung && o.ret == 0 && o.violations == 0,
	   "rangelock, same scenario: completes, no violations");

	o = run("rangelock-2015", short_memory, 3, 1);
	ok(o.hung && o.mirror_stuck && o.slept_nonblockable > 0,
	   "rangelock-2015, direct reclaim from a mirror's fault: sleeps although not blockable (%lu times), hangs",
	   o.slept_nonblockable);
	o = run("rangelock", short_memory, 3, 1);
	ok(!o.hung && o.ret == 0 && o.violations == 0,
	   "rangelock, same scenario: completes, no violations");

	/* Statistical: a few seeds make a miss by chance vanishingly unlikely. */
	for (attempt = 1; attempt <= 4; attempt++) {
		o = run("rangelock-2015", hot_madvise, 5, attempt);
		if (o.violations && o.early_returns && o.underflows)
			break;
	}
	ok(o.violations > 0 && o.early_returns > 0 && o.underflows > 0,
	   "rangelock-2015, madvise on the hot range: woken invalidations return early "
	   "(%lu), notifier_count underflows (%lu), %lu violations (%s)",
	   o.early_returns, o.underflows, o.violations, o.first_violation);
	o = run("rangelock", hot_madvise, 5, 1);
	ok(!o.hung && o.ret == 0 && o.violations == 0,
	   "rangelock, same scenario: completes, no violations");
	return done();
}
