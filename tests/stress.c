// SPDX-License-Identifier: GPL-2.0
/*
 * stress.c - every registered strategy under mirror threads and every kind
 * of invalidator for a bounded number of operations: zero violations.
 * A deliberately broken strategy under the same stress must be caught.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/rand.h"
#include "tests/tap.h"
#include "workloads/mm.h"

#define NR_PAGES	2048
#define NR_PFNS		1536	/* less memory than address space: reclaim */
#define HOT_PAGES	256	/* hot mode: every operation hits these */
#define HOT_PFNS	192
#define MIRRORS		2
#define PASSES		1500	/* per mirror thread */
#define MAX_RANGE	64
#define STORM_MIN_OPS	300	/* per storm thread, before anyone stops */
#define STORM_MAX_OPS	200000	/* a bound even if mirrors were stuck */

enum role { ROLE_MIRROR, ROLE_MUNMAP, ROLE_MADVISE, ROLE_RECLAIM,
	    ROLE_NUMA, ROLE_OOM, ROLE_MIGRATE, ROLE_NR };

static const char *const role_name[ROLE_NR] = {
	"mirror", "munmap", "madvise", "reclaim", "numa", "oom_reap", "migrate",
};

struct stress {
	struct mm mm;
	struct mm_mirror mir;
	atomic_int mirrors_left;	/* mirror threads still under PASSES */
	atomic_int storms_left;		/* storm threads still under STORM_MIN_OPS */
	atomic_ulong passes, misses, errors;
	uint64_t device_work_ns;
	bool hot;			/* every operation hits the first HOT_PAGES */
};

struct worker {
	struct stress *s;
	enum role role;
	int index;
	pthread_t thread;
	struct mm_task_counters counters;
};

static void pick_range(struct stress *s, struct rand_state *r,
		       unsigned long max_len, unsigned long *start,
		       unsigned long *end)
{
	unsigned long space = s->hot ? HOT_PAGES : NR_PAGES;
	unsigned long len = 1 + rand_below(r, max_len);

	*start = rand_below(r, space - len + 1);
	*end = *start + len;
}

static void mirror_loop(struct worker *w, struct rand_state *r)
{
	struct stress *s = w->s;
	struct mm_pass_opts o = {
		.deadline_ns = NSEC_PER_SEC,
		.device_work_ns_per_page = s->device_work_ns,
	};
	uint64_t snap[MAX_RANGE];
	struct mm_pass_result res;
	unsigned long start, end;
	int i;

	int ret;

	for (i = 0; i < PASSES || atomic_load(&s->storms_left); i++) {
		if (i == PASSES)
			atomic_fetch_sub(&s->mirrors_left, 1);
		pick_range(s, r, MAX_RANGE, &start, &end);
		o.write = rand_below(r, 2);
		ret = mm_mirror_pass(&s->mir, start, end, &o, snap, &res);
		if (ret == -EBUSY)
			atomic_fetch_add(&s->misses, 1);
		else if (ret)
			atomic_fetch_add(&s->errors, 1);
		else
			atomic_fetch_add(&s->passes, 1);
	}
	if (i == PASSES)
		atomic_fetch_sub(&s->mirrors_left, 1);
}

static void storm_step(struct worker *w, struct rand_state *r)
{
	struct stress *s = w->s;
	unsigned long start, end;

	pick_range(s, r, 32, &start, &end);
	switch (w->role) {
	case ROLE_MUNMAP:
		mm_munmap(&s->mm, start, end);
		mm_remap(&s->mm, start, end);
		break;
	case ROLE_MADVISE:
		mm_madvise_dontneed(&s->mm, start, end);
		break;
	case ROLE_RECLAIM:
		mm_reclaim(&s->mm, 32, MM_INVAL_RECLAIM, w->index == 0);
		break;
	case ROLE_NUMA:
		pick_range(s, r, 512, &start, &end);
		mm_numa_protect(&s->mm, start, end);
		break;
	case ROLE_OOM:
		mm_oom_reap(&s->mm, start, end);
		break;
	case ROLE_MIGRATE:
		mm_migrate(&s->mm, 32);
		break;
	default:
		abort();
	}
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct rand_state r;
	int ops;

	mm_thread_online(role_name[w->role], w->index);
	rand_seed(&r, 1000 * w->role + w->index + 1);
	if (w->role == ROLE_MIRROR) {
		mirror_loop(w, &r);
	} else {
		for (ops = 0; ops < STORM_MAX_OPS &&
		     (ops < STORM_MIN_OPS || atomic_load(&w->s->mirrors_left)); ops++) {
			if (ops == STORM_MIN_OPS)
				atomic_fetch_sub(&w->s->storms_left, 1);
			storm_step(w, &r);
		}
		if (ops <= STORM_MIN_OPS)
			atomic_fetch_sub(&w->s->storms_left, 1);
	}
	w->counters = mm_counters;
	mm_thread_offline();
	return NULL;
}

/*
 * Runs the stress on @ops; returns the number of violations found and, in
 * @kinds_idle, how many invalidation kinds were never even attempted.
 */
static unsigned long stress_run(const struct snap_ops *ops, bool hot,
				uint64_t device_work_ns, unsigned long *passes,
				int *kinds_idle)
{
	unsigned long inval[MM_INVAL_NR] = { 0 };
	static const enum role storms[] = {
		ROLE_MUNMAP, ROLE_MADVISE, ROLE_RECLAIM, ROLE_RECLAIM,
		ROLE_NUMA, ROLE_OOM, ROLE_MIGRATE,
	};
	const int nr_storms = sizeof(storms) / sizeof(storms[0]);
	struct worker w[MIRRORS + sizeof(storms) / sizeof(storms[0])];
	struct mm_config cfg = {
		.nr_pages = NR_PAGES, .nr_pfns = NR_PFNS, .interval_pages = 64,
		.min_free = 32, .direct_reclaim_batch = 16,
		.cow_permille = 100,
	};

	if (hot)
		cfg.nr_pfns = HOT_PFNS;
	struct stress *s = calloc(1, sizeof(*s));
	unsigned long violations;
	int i, n = 0;

	if (!s || mm_init(&s->mm, &cfg))
		bail_out("cannot set up the model");
	if (mm_mirror_register(&s->mm, &s->mir, ops))
		bail_out("cannot register a %s mirror", ops->name);
	s->hot = hot;
	s->device_work_ns = device_work_ns;

	/* Start with memory full, as a process under pressure would be. */
	mm_rwsem_down_read(&s->mm.mmap_lock);
	for (unsigned long vpn = 0; vpn < (hot ? HOT_PAGES : NR_PAGES); vpn++)
		mm_fault(&s->mm, vpn, false);
	mm_rwsem_up_read(&s->mm.mmap_lock);
	atomic_store(&s->mirrors_left, MIRRORS);
	atomic_store(&s->storms_left, nr_storms);

	for (i = 0; i < MIRRORS; i++)
		w[n++] = (struct worker){ .s = s, .role = ROLE_MIRROR, .index = i };
	for (i = 0; i < nr_storms; i++)
		w[n++] = (struct worker){ .s = s, .role = storms[i], .index = i == 3 };
	for (i = 0; i < n; i++)
		if (pthread_create(&w[i].thread, NULL, worker_thread, &w[i]))
			bail_out("pthread_create failed");
	for (i = 0; i < n; i++)
		if (pthread_join(w[i].thread, NULL))
			bail_out("pthread_join failed");

	*kinds_idle = 0;
	for (int k = 0; k < MM_INVAL_NR; k++) {
		unsigned long skipped = 0;

		for (i = 0; i < n; i++) {
			inval[k] += w[i].counters.inval[k];
			skipped += w[i].counters.inval_skipped[k];
		}
		*kinds_idle += !(inval[k] + skipped);
	}
	diag("%s: invalidations: munmap %lu madvise %lu reclaim %lu direct %lu numa %lu oom %lu migrate %lu fault %lu",
	     ops->name, inval[MM_INVAL_MUNMAP], inval[MM_INVAL_MADVISE],
	     inval[MM_INVAL_RECLAIM], inval[MM_INVAL_DIRECT_RECLAIM],
	     inval[MM_INVAL_NUMA], inval[MM_INVAL_OOM_REAP],
	     inval[MM_INVAL_MIGRATE], inval[MM_INVAL_FAULT]);
	violations = atomic_load(&s->mm.check.violations);
	for (i = 0; i < (int)s->mm.check.nr_kept && i < 2; i++) {
		struct mm_violation *v = &s->mm.check.first[i];

		diag("%s: %s: vpn %lu pfn %lu device gen %u page gen %u (%s, %s)",
		     v->strategy, v->what, v->vpn, v->pfn, v->device_gen,
		     v->page_gen, v->committer, v->invalidator);
	}
	*passes = atomic_load(&s->errors) ? 0 :
		  atomic_load(&s->passes) + atomic_load(&s->misses);
	mm_mirror_unregister(&s->mir);
	mm_destroy(&s->mm);
	free(s);
	return violations;
}

static bool never_retry(struct snap_dom *d, struct snap_range *r)
{
	return false;
}

int main(void)
{
	const struct snap_ops *seqretry = snap_strategy_find("seqretry");
	struct snap_ops broken;
	unsigned long violations, passes;
	int nr = 0, round, idle;

	for (const struct snap_ops *const *o = snap_strategies; *o; o++)
		nr++;
	alarm(900);
	mm_thread_online("main", 0);
	plan(6 * nr + 1);

	for (const struct snap_ops *const *o = snap_strategies; *o; o++) {
		for (int hot = 0; hot < 2; hot++) {
			const char *where = hot ? "hot range" : "whole space";

			if ((*o)->known_unsafe) {
				for (int i = 0; i < 3; i++)
					skip("known unsafe: its findings test asserts what it does instead",
					     "%s, %s", (*o)->name, where);
				continue;
			}

			violations = stress_run(*o, hot, 0, &passes, &idle);
			ok(idle == 0, "%s, %s: every kind of invalidation was attempted",
			   (*o)->name, where);
			ok(violations == 0, "%s, %s: no invariant violations (%lu)",
			   (*o)->name, where, violations);
			ok(passes >= (unsigned long)MIRRORS * PASSES,
			   "%s, %s: every mirror pass completed or hit its deadline (%lu)",
			   (*o)->name, where, passes);
		}
	}

	/*
	 * The checker must be able to fail: seqretry that never retries
	 * commits stale snapshots.  Device work widens the window; a few
	 * rounds make a miss by chance vanishingly unlikely.
	 */
	if (!seqretry)
		bail_out("seqretry is not registered");
	broken = *seqretry;
	broken.name = "seqretry-noretry";
	broken.read_retry = never_retry;
	violations = 0;
	for (round = 0; round < 5 && !violations; round++)
		violations = stress_run(&broken, true, 200, &passes, &idle);
	ok(violations > 0, "broken strategy %s is caught: %lu violations in %d round(s)",
	   broken.name, violations, round);

	mm_thread_offline();
	return done();
}
