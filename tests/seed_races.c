// SPDX-License-Identifier: GPL-2.0
/*
 * seed_races.c - each race of the seed as published (rangelock-2015) found
 * on its own in a C run, its window widened by a named injection point
 * (debug.inject), and the corrected strategies under the same runs.
 *
 * A race is found when one run shows it and not the race it is confused
 * with: the count race (a range lock granted while an overlapping
 * invalidation is listed but uncounted) without any early return, and an
 * early return's stale PTE without the count race; the wake-up lost along
 * the waiting chain without any chaining onto a dead entry, and the other
 * way round; and a later arrival served before an earlier waiter (the
 * seed's "according to the order they happen").  Each search tries seeds until a run shows it, for at most
 * SEARCH_S seconds; the time it took is printed.  Each run is a child
 * process: the seed's hangs cannot be joined.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/runner.h"
#include "lib/clock.h"
#include "tests/tap.h"

#define SEARCH_S	60
#define MAX_SETS	8

/* What a child reports back through shared memory. */
struct outcome {
	int ret;
	bool hung;
	unsigned long violations, retries_max;
	unsigned int nr_counters;
	struct { char name[40]; unsigned long value; bool present; } counter[48];
	char lost_wakeup_thread[160];	/* a stuck thread the hang report names */
};

/* A counter of the run; -1 when the strategy did not report it. */
static long counter(const struct outcome *o, const char *name)
{
	for (unsigned int i = 0; i < o->nr_counters; i++)
		if (!strcmp(o->counter[i].name, name))
			return (long)o->counter[i].value;
	return -1;
}

/* In the child: what the tests below look at. */
static void pick(const struct run_result *res, void *outcome)
{
	struct outcome *out = outcome;

	out->hung = res->hung;
	out->violations = res->violations;
	out->retries_max = res->retries_max;
	out->nr_counters = res->nr_strategy_counters;
	for (unsigned int i = 0; i < res->nr_strategy_counters; i++) {
		snprintf(out->counter[i].name, sizeof(out->counter[i].name), "%s",
			 res->strategy_counter[i].name);
		out->counter[i].value = res->strategy_counter[i].value;
	}
	for (unsigned int t = 0; t < res->nr_threads; t++)
		if (res->thread[t].stuck && strstr(res->thread[t].doing, "lost wake-up"))
			snprintf(out->lost_wakeup_thread, sizeof(out->lost_wakeup_thread),
				 "%s-%d: %s", res->thread[t].role, res->thread[t].index,
				 res->thread[t].doing);
}

static struct outcome run(const char *strategy, const char *const *sets, uint64_t seed)
{
	static const char *const base[] = {
		"mm.pages=8192", "mm.memory_pages=16384", "mm.interval_pages=64",
		"run.duration_s=0.3", "run.warmup_s=0", "run.watchdog_s=0.6",
		"mirror.threads=1", "mirror.pattern=hot", "mirror.hot_pages=1",
		"mirror.range_pages=1", "storm.madvise.target=hot",
		"storm.madvise.range_pages=1", NULL,
	};
	struct outcome o;

	o.ret = run_in_child(strategy, seed, base, sets, pick, &o, sizeof(o));
	return o;
}

/* One race and the race it must be told apart from. */
struct race {
	const char *name;
	const char *const sets[MAX_SETS];
	const char *shown;		/* counter that must be > 0 */
	const char *absent;		/* counter that must be 0 */
	enum { STALE, LOST_WAKEUP, ORDER } shows;
};

static bool race_shown(const struct race *r, const struct outcome *o)
{
	if (counter(o, r->shown) <= 0 || counter(o, r->absent) != 0)
		return false;
	switch (r->shows) {
	case STALE:
		return o->violations > 0;
	case LOST_WAKEUP:
		return counter(o, "wakeup.inval.lost") > 0 && o->lost_wakeup_thread[0];
	default:
		return counter(o, "order.inval.overtakes_max_wait_ns") > 0;
	}
}

static void search(const struct race *r)
{
	uint64_t start = now_ns(), seed;
	struct outcome o;
	bool found = false;

	for (seed = 1; !found && now_ns() - start < SEARCH_S * NSEC_PER_SEC; seed++) {
		o = run("rangelock-2015", r->sets, seed);
		found = race_shown(r, &o);
	}
	ok(found, "rangelock-2015, %s: found in %.1f s (seed %llu, %llu runs): "
	   "%s %ld, %s %ld, %lu violations, lost wake-ups %ld, overtakes %ld "
	   "(worst %ld, its wait %ld ns)",
	   r->name, (now_ns() - start) / 1e9, (unsigned long long)seed - 1,
	   (unsigned long long)seed - 1, r->shown, counter(&o, r->shown), r->absent,
	   counter(&o, r->absent), o.violations,
	   counter(&o, "wakeup.snapshot.lost") + counter(&o, "wakeup.inval.lost"),
	   counter(&o, "order.snapshot.overtakes") + counter(&o, "order.inval.overtakes"),
	   counter(&o, "order.inval.overtakes_max"),
	   counter(&o, "order.inval.overtakes_max_wait_ns"));
	if (found && r->shows == LOST_WAKEUP)
		diag("hang report: %s", o.lost_wakeup_thread);
}

/* The corrected strategies, same runs, their own windows widened as well. */
static void corrected(const char *strategy, const struct race *r)
{
	const char *sets[MAX_SETS + 1];
	struct outcome o;
	int i;

	for (i = 0; r->sets[i]; i++)
		sets[i] = strstr(r->sets[i], "debug.inject=") ?
			  "debug.inject=rq_queued:sleep=1ms,rq_released:yield" : r->sets[i];
	sets[i] = NULL;
	o = run(strategy, sets, 1);
	ok(!o.hung && o.ret == 0 && o.violations == 0 &&
	   counter(&o, "order.snapshot.overtakes") == 0 &&
	   counter(&o, "order.inval.overtakes") == 0 &&
	   counter(&o, "wakeup.snapshot.lost") == 0 && counter(&o, "wakeup.inval.lost") == 0,
	   "%s, same run as %s: completes, %lu violations, overtakes %ld + %ld "
	   "(of %ld + %ld granted), lost wake-ups %ld + %ld",
	   strategy, r->name, o.violations, counter(&o, "order.snapshot.overtakes"),
	   counter(&o, "order.inval.overtakes"), counter(&o, "order.snapshot.granted"),
	   counter(&o, "order.inval.granted"), counter(&o, "wakeup.snapshot.lost"),
	   counter(&o, "wakeup.inval.lost"));
}

static const struct race races[] = {
	{ "count race (range lock vs an invalidation in flight), no early return",
	  { "storm.madvise.threads=1", "storm.madvise.rate=2", "mirror.device_work_ns=8000000",
	    "debug.inject=rl2015_before_list:sleep=6ms,rl2015_before_count:sleep=8ms", NULL },
	  "count_race_grants", "early_returns", STALE },
	{ "early return leaves a stale PTE, no count race",
	  { "storm.madvise.threads=1", "storm.madvise.rate=20",
	    "debug.inject=rl2015_locked:sleep=5ms", NULL },
	  "early_returns", "count_race_grants", STALE },
	{ "wake-up lost along the waiting chain, nothing chained on a dead entry",
	  { "storm.madvise.threads=2", "debug.inject=rl2015_locked:sleep=20ms", NULL },
	  "chain_wakeups_dropped", "chained_on_dead", LOST_WAKEUP },
	{ "invalidation chained on a dead entry, no wake-up dropped along a chain",
	  { "storm.madvise.threads=1",
	    "debug.inject=rl2015_locked:sleep=20ms,rl2015_before_list:sleep=10ms", NULL },
	  "chained_on_dead", "chain_wakeups_dropped", LOST_WAKEUP },
	{ "a later range lock served before a waiting invalidation (not in arrival order)",
	  { "mirror.threads=2", "storm.madvise.threads=1", "storm.madvise.rate=50",
	    "debug.inject=rl2015_after_unlock:sleep=5ms,rl2015_locked:sleep=2ms", NULL },
	  "order.inval.overtakes", "count_race_grants", ORDER },
};

/* Hybrid's locked pass, which the runs above rarely reach, under contention. */
static void hybrid_locked(void)
{
	static const char *const sets[] = {
		"mirror.threads=2", "mirror.hot_pages=4", "mirror.range_pages=4",
		"storm.madvise.threads=2", "mirror.device_work_ns=20000",
		"debug.inject=rq_queued:sleep=1ms,rq_released:yield", NULL,
	};
	struct outcome o = run("hybrid", sets, 1);

	ok(!o.hung && o.ret == 0 && o.violations == 0 &&
	   counter(&o, "order.snapshot.granted") > 0 &&
	   counter(&o, "order.snapshot.overtakes") == 0 &&
	   counter(&o, "order.inval.overtakes") == 0 &&
	   counter(&o, "wakeup.snapshot.lost") == 0 && counter(&o, "wakeup.inval.lost") == 0 &&
	   counter(&o, "hybrid.retries_bound") >= 0 &&
	   o.retries_max <= (unsigned long)counter(&o, "hybrid.retries_bound"),
	   "hybrid, locked passes under contention: %ld locked passes and %ld queued "
	   "invalidations, overtakes %ld + %ld, lost wake-ups %ld + %ld, %lu violations, "
	   "retries per pass at most %lu (bound %ld)",
	   counter(&o, "order.snapshot.granted"), counter(&o, "order.inval.granted"),
	   counter(&o, "order.snapshot.overtakes"), counter(&o, "order.inval.overtakes"),
	   counter(&o, "wakeup.snapshot.lost"), counter(&o, "wakeup.inval.lost"),
	   o.violations, o.retries_max, counter(&o, "hybrid.retries_bound"));
}

int main(void)
{
	const int nr = sizeof(races) / sizeof(races[0]);

	alarm(nr * (SEARCH_S + 10) + 120);
	plan(3 * nr + 1);
	for (int i = 0; i < nr; i++) {
		search(&races[i]);
		corrected("rangelock", &races[i]);
		corrected("hybrid", &races[i]);
	}
	hybrid_locked();
	return done();
}
