// SPDX-License-Identifier: GPL-2.0
/*
 * mirror_fault.c - mirror passes whose own faults invalidate the range they
 * mirror (COW breaks) or enter direct reclaim, for every strategy: the pass
 * completes, nothing deadlocks, nothing stale is committed.  This is the
 * deadlock that withdrew the 2016 posting of the range-lock design.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "tests/tap.h"
#include "workloads/mm.h"

#define RANGE		64
#define HANG_LIMIT_S	60

struct world {
	struct mm mm;
	struct mm_mirror mir;
};

struct fault_case {
	struct mm_mirror *mir;
	unsigned long start, end;
	bool write;
	uint64_t deadline_ns;		/* 0: ten seconds */
	int ret;
	struct mm_pass_result res;
	pthread_t thread;
};

static void *pass_thread(void *arg)
{
	struct fault_case *c = arg;
	struct mm_pass_opts o = {
		.write = c->write,
		.deadline_ns = c->deadline_ns ? c->deadline_ns : 10 * NSEC_PER_SEC,
	};
	uint64_t snap[RANGE];

	mm_thread_online("mirror", (int)(c->start / RANGE));
	c->ret = mm_mirror_pass(c->mir, c->start, c->end, &o, snap, &c->res);
	mm_thread_offline();
	return NULL;
}

/* Run passes on threads; false if one of them did not finish in time. */
static bool run_passes(struct fault_case **c, int n)
{
	struct timespec limit;
	bool finished = true;
	int i;

	for (i = 0; i < n; i++)
		if (pthread_create(&c[i]->thread, NULL, pass_thread, c[i]))
			bail_out("pthread_create failed");
	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += HANG_LIMIT_S;
	for (i = 0; i < n; i++)
		finished &= !pthread_timedjoin_np(c[i]->thread, NULL, &limit);
	return finished;
}

static struct world *model(const struct snap_ops *ops, unsigned long nr_pfns,
			   unsigned int cow_permille)
{
	struct world *w = calloc(1, sizeof(*w));
	struct mm_config cfg = {
		.nr_pages = 4 * RANGE, .nr_pfns = nr_pfns, .interval_pages = 16,
		.min_free = 4, .direct_reclaim_batch = 8,
		.cow_permille = cow_permille,
	};

	if (!w || mm_init(&w->mm, &cfg) || mm_mirror_register(&w->mm, &w->mir, ops))
		bail_out("cannot set up the model for %s", ops->name);
	return w;
}

static void teardown(struct world *w)
{
	mm_mirror_unregister(&w->mir);
	mm_destroy(&w->mm);
	free(w);
}

/* A read pass maps every page COW; a write pass then breaks every one. */
static void test_cow_break(const struct snap_ops *ops)
{
	struct world *w = model(ops, 4 * RANGE, 1000);
	struct fault_case cs = { .mir = &w->mir }, *c = &cs, *one[1] = { c };
	bool finished;

	c->start = 0;
	c->end = RANGE;
	c->write = false;
	finished = run_passes(one, 1);
	c->write = true;
	finished = finished && run_passes(one, 1);
	ok(finished && c->ret == 0,
	   "%s: a write pass that breaks COW on its own range completes (retries %u)",
	   ops->name, c->res.retries);
	ok(atomic_load(&w->mm.check.violations) == 0 &&
	   pte_same_page(atomic_load(&w->mir.dpte[0]), atomic_load(&w->mm.pte[0])) &&
	   (atomic_load(&w->mm.pte[0]) & PTE_WRITE),
	   "%s: ... and the device maps the new, writable pages", ops->name);
	teardown(w);
}

/*
 * Range A is mirrored and held by a snapshot in progress (this thread holds
 * its read side, as a mirror mid-pass would).  Memory is short, so B's
 * faults must reclaim pages, and the only candidates are A's.  If B's
 * direct reclaim slept on A's range lock while A waited for anything B
 * holds, both would hang (ABBA).  B must come back without waiting on A:
 * done (its reclaim did not need the lock) or -EBUSY at its deadline; and
 * once A is released, B completes.
 */
static void test_direct_reclaim(const struct snap_ops *ops)
{
	struct world *w = model(ops, RANGE + RANGE / 2, 0);
	struct fault_case a = { .mir = &w->mir, .start = 0, .end = RANGE, .write = true };
	struct fault_case b = { .mir = &w->mir, .start = RANGE, .end = 2 * RANGE,
				.write = true, .deadline_ns = NSEC_PER_SEC };
	struct fault_case *pa[1] = { &a }, *pb[1] = { &b };
	struct snap_range held = { .start = 0, .end = RANGE };
	bool finished;

	if (!run_passes(pa, 1) || a.ret)
		bail_out("%s: cannot mirror range A", ops->name);
	if (ops->read_begin(&w->mir.dom, &held))
		bail_out("%s: read_begin failed", ops->name);
	finished = run_passes(pb, 1);
	ok(finished && (b.ret == 0 || b.ret == -EBUSY),
	   "%s: faults that must reclaim a held range do not wait on it (ret %d, retries %u)",
	   ops->name, b.ret, b.res.retries);
	ops->read_end(&w->mir.dom, &held);
	if (!finished)
		bail_out("%s: mirror pass deadlocked in direct reclaim", ops->name);
	b.deadline_ns = 10 * NSEC_PER_SEC;
	ok(run_passes(pb, 1) && b.ret == 0 &&
	   atomic_load(&w->mm.check.violations) == 0,
	   "%s: ... and complete once it is released, with no violations", ops->name);
	teardown(w);
}

/*
 * Memory for three quarters of the range only, so the pass cannot complete
 * and ends at its deadline.  Where the strategy lets the pass's faults
 * reclaim its own pages (seqretry), the snapshot is invalidated: a
 * collision, a retry.  Where it does not (a pass under the range lock),
 * the fault fails for lack of memory: a fault retry, counted apart.
 * hybrid bounds collisions (3, then a locked pass that read_retry() never
 * throws away) and keeps that bound here; before fault failures were
 * counted apart, its "retries" grew without bound under memory pressure.
 */
static void test_fault_failures(const struct snap_ops *ops)
{
	struct world *w = model(ops, RANGE * 3 / 4, 0);
	struct fault_case c = { .mir = &w->mir, .start = 0, .end = RANGE, .write = true,
				.deadline_ns = NSEC_PER_SEC / 5 };
	struct fault_case *pc[1] = { &c };
	bool finished = run_passes(pc, 1);
	unsigned int bound = UINT_MAX;

	/* A strategy with an attempt bound (hybrid) keeps it here. */
	for (const struct snap_param *p = ops->params; p && p->name; p++)
		if (!strcmp(p->name, "attempts"))
			bound = p->value;

	ok(finished && c.ret == -EBUSY && c.res.retries <= bound &&
	   (bound != UINT_MAX ? c.res.fault_retries > 0 : c.res.retries + c.res.fault_retries > 0),
	   "%s: a range larger than memory: -EBUSY at the deadline, %u fault retries counted "
	   "apart from %u collision retries%s", ops->name, c.res.fault_retries, c.res.retries,
	   bound != UINT_MAX ? " (at most its attempts parameter)" : "");
	if (!finished)
		bail_out("%s: a mirror pass short of memory did not end", ops->name);
	teardown(w);
}

int main(void)
{
	int nr = 0;

	for (const struct snap_ops *const *o = snap_strategies; *o; o++)
		nr++;
	alarm(4 * HANG_LIMIT_S);
	mm_thread_online("main", 0);
	plan(5 * nr);
	for (const struct snap_ops *const *o = snap_strategies; *o; o++) {
		if ((*o)->known_unsafe) {
			/* Its own fault sleeps on its own range lock: the v13 deadlock. */
			for (int i = 0; i < 5; i++)
				skip("known unsafe: its findings test asserts what it does instead",
				     "%s", (*o)->name);
			continue;
		}
		test_cow_break(*o);
		test_direct_reclaim(*o);
		test_fault_failures(*o);
	}
	mm_thread_offline();
	return done();
}
