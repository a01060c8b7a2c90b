// SPDX-License-Identifier: GPL-2.0
/*
 * seed_findings.c - what the suite finds in the seed as published
 * (rangelock-2015), next to the corrected rangelock on the same scenario.
 * A regression in the invariant checker or the watchdog shows up here.
 * Each run is a child process: the seed's hangs cannot be joined.
 */
#include <stdio.h>
#include <string.h>
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

/* In the child: what the tests below look at. */
static void pick(const struct run_result *res, void *outcome)
{
	struct outcome *out = outcome;

	out->hung = res->hung;
	out->violations = res->violations;
	out->early_returns = run_counter(res, "early_returns");
	out->underflows = run_counter(res, "notifier_count_underflows");
	out->slept_nonblockable = run_counter(res, "slept_when_not_blockable");
	for (unsigned int t = 0; t < res->nr_threads; t++)
		out->mirror_stuck |= res->thread[t].stuck &&
				     !strcmp(res->thread[t].role, "mirror");
	if (res->nr_violations_kept)
		snprintf(out->first_violation, sizeof(out->first_violation), "%s",
			 res->violation[0].what);
}

static struct outcome run(const char *strategy, const char *const *sets, uint64_t seed)
{
	static const char *const base[] = {
		"mm.pages=8192", "mm.memory_pages=16384", "mm.interval_pages=64",
		"mirror.hot_pages=512", "run.duration_s=1", "run.warmup_s=0",
		"run.watchdog_s=1", NULL,
	};
	struct outcome o;

	o.ret = run_in_child(strategy, seed, base, sets, pick, &o, sizeof(o));
	return o;
}

int main(void)
{
	static const char *const cow[] = {
		"mirror.write_permille=500", "mm.cow_permille=1000", NULL,
	};
	static const char *const short_memory[] = {
		"mm.memory_pages=4096", "mm.min_free=64", "mm.low_free=512", NULL,
	};
	static const char *const hot_madvise[] = {
		"mirror.pattern=hot", "storm.madvise.threads=1", "storm.madvise.target=hot",
		"storm.madvise.range_pages=log2:1-16", "storm.madvise.rate=5000", NULL,
	};
	struct outcome o;
	int attempt;

	alarm(600);
	plan(6);

	o = run("rangelock-2015", cow, 1);
	ok(o.hung && o.mirror_stuck && o.early_returns == 0,
	   "rangelock-2015, COW breaks under the lock: a mirror sleeps on its own range (the HMM v13 deadlock)");
	o = run("rangelock", cow, 1);
	ok(!o.hung && o.ret == 0 && o.violations == 0,
	   "rangelock, same scenario: completes, no violations");

	o = run("rangelock-2015", short_memory, 1);
	ok(o.hung && o.mirror_stuck && o.slept_nonblockable > 0,
	   "rangelock-2015, direct reclaim from a mirror's fault: sleeps although not blockable (%lu times), hangs",
	   o.slept_nonblockable);
	o = run("rangelock", short_memory, 1);
	ok(!o.hung && o.ret == 0 && o.violations == 0,
	   "rangelock, same scenario: completes, no violations");

	/* Statistical: a few seeds make a miss by chance vanishingly unlikely. */
	for (attempt = 1; attempt <= 4; attempt++) {
		o = run("rangelock-2015", hot_madvise, attempt);
		if (o.violations && o.early_returns && o.underflows)
			break;
	}
	ok(o.violations > 0 && o.early_returns > 0 && o.underflows > 0,
	   "rangelock-2015, madvise on the hot range: woken invalidations return early "
	   "(%lu), notifier_count underflows (%lu), %lu violations (%s)",
	   o.early_returns, o.underflows, o.violations, o.first_violation);
	o = run("rangelock", hot_madvise, 1);
	ok(!o.hung && o.ret == 0 && o.violations == 0,
	   "rangelock, same scenario: completes, no violations");
	return done();
}
