// SPDX-License-Identifier: GPL-2.0
/*
 * world_model.c - the userspace model of the mm (workloads/mm.h) as a
 * world: one address space, one mirror using the strategy under test, the
 * storms' model operations, the online invariant checker.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner.h"
#include "harness/world.h"
#include "lib/clock.h"
#include "workloads/storm.h"

struct world {
	const struct run_config *rc;
	struct mm mm;
	struct mm_mirror mirror;
	struct mm_pass_opts opts;
};

struct model_thread {
	struct mm_task_counters base;	/* mm_counters when measuring began */
	uint64_t *snap;			/* a mirror's snapshot buffer */
};

static int model_setup(struct world **wp, const struct run_config *rc)
{
	const struct scenario *sc = rc->sc;
	struct mm_config cfg = {
		.nr_pages = sc->pages,
		.nr_pfns = sc->memory_pages,
		.interval_pages = scenario_interval_pages(sc),
		.min_free = sc->min_free,
		.direct_reclaim_batch = sc->direct_reclaim_batch,
		.cow_permille = sc->cow_permille,
		.invalidate_cost_ns = (uint64_t)(sc->invalidate_cost_us * NSEC_PER_USEC),
		.inval_extra_ns = (uint64_t)sc->cost.inval_ns,
		.sleep_extra_ns = (uint64_t)sc->cost.sleep_ns,
		.mmap_extra_ns = (uint64_t)sc->cost.mmap_ns,
		.seed = rc->seed,
	};
	struct world *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->rc = rc;
	w->opts = (struct mm_pass_opts){
		.deadline_ns = (uint64_t)(sc->deadline_ms * NSEC_PER_MSEC),
		.deadline_on_fault_only = sc->deadline_on_fault_only,
		.device_work_ns_per_page = (uint64_t)sc->device_work_ns,
		.attempt_extra_ns = (uint64_t)sc->cost.pass_ns,
		.page_extra_ns = (uint64_t)sc->cost.page_ns,
	};
	ret = mm_init(&w->mm, &cfg);
	if (ret)
		goto err_free;
	ret = mm_mirror_register(&w->mm, &w->mirror, rc->ops);
	if (ret)
		goto err_mm;
	*wp = w;
	return 0;

err_mm:
	mm_destroy(&w->mm);
err_free:
	free(w);
	return ret;
}

static void model_teardown(struct world *w)
{
	mm_mirror_unregister(&w->mirror);
	mm_destroy(&w->mm);
	free(w);
}

static int model_thread_start(struct world *w, struct world_thread *t, struct storm_ctx *c)
{
	struct model_thread *mt = calloc(1, sizeof(*mt));

	if (!mt)
		return -ENOMEM;
	if (t->storm < 0) {
		mt->snap = malloc(w->rc->sc->mirror_range.hi * sizeof(*mt->snap));
		if (!mt->snap) {
			free(mt);
			return -ENOMEM;
		}
	} else {
		c->mm = &w->mm;
	}
	t->priv = mt;
	mm_thread_online(t->role, t->index);
	return 0;
}

static void model_thread_measure(struct world *w, struct world_thread *t)
{
	struct model_thread *mt = t->priv;

	mt->base = mm_counters;
}

static void model_thread_stop(struct world *w, struct world_thread *t)
{
	struct model_thread *mt = t->priv;
	const struct mm_task_counters *now = &mm_counters, *base = &mt->base;
	struct mm_task_counters *out = &t->counters;

	if (t->measuring) {
		for (int k = 0; k < MM_INVAL_NR; k++) {
			out->inval[k] = now->inval[k] - base->inval[k];
			out->inval_skipped[k] = now->inval_skipped[k] - base->inval_skipped[k];
		}
		out->reclaimed = now->reclaimed - base->reclaimed;
		out->reclaim_skipped = now->reclaim_skipped - base->reclaim_skipped;
		out->faults = now->faults - base->faults;
		out->alloc_failures = now->alloc_failures - base->alloc_failures;
	}
	mm_thread_offline();
	free(mt->snap);
	free(mt);
}

static int model_mirror_pass(struct world *w, struct world_thread *t, unsigned long start,
			     unsigned long end, bool write, struct world_pass *p)
{
	struct model_thread *mt = t->priv;
	struct mm_pass_opts o = w->opts;
	struct mm_pass_result res;
	int ret;

	o.write = write;
	ret = mm_mirror_pass(&w->mirror, start, end, &o, mt->snap, &res);
	*p = (struct world_pass){
		.retries = res.retries,
		.fault_retries = res.fault_retries,
		.ttm_ns = res.time_to_mirror_ns,
	};
	return ret;
}

static int model_storm_op(struct world *w, struct world_thread *t, struct storm_ctx *c)
{
	return storms[t->storm]->model_op(c);
}

static void collect_strategy_counter(const char *name, unsigned long value, void *arg)
{
	run_result_add_counter(arg, name, value);
}

static void model_counters(struct world *w, struct run_result *res)
{
	const struct snap_ops *ops = w->rc->ops;

	res->violations = atomic_load(&w->mm.check.violations);
	res->nr_violations_kept = w->mm.check.nr_kept;
	memcpy(res->violation, w->mm.check.first, sizeof(res->violation));
	if (ops->report)
		ops->report(&w->mirror.dom, collect_strategy_counter, res);
}

/* A stuck thread that sleeps in the strategy with nothing held: say so. */
static void model_stuck(struct world *w, struct world_thread *t, pthread_t thread,
			char *doing, size_t len)
{
	const struct snap_ops *ops = w->rc->ops;
	size_t used = strlen(doing);
	char what[96];

	if (ops->lost_wakeup && used + 3 < len &&
	    ops->lost_wakeup(&w->mirror.dom, thread, what, sizeof(what)))
		snprintf(doing + used, len - used, "; %s", what);
}

const struct world_ops world_model = {
	.name		= "model",
	.mirror_doing	= "mirror pass",
	.setup		= model_setup,
	.teardown	= model_teardown,
	.thread_start	= model_thread_start,
	.thread_measure	= model_thread_measure,
	.thread_stop	= model_thread_stop,
	.mirror_pass	= model_mirror_pass,
	.storm_op	= model_storm_op,
	.counters	= model_counters,
	.stuck		= model_stuck,
};

const struct world_ops *world_find(const char *name)
{
	if (!strcmp(name, world_model.name))
		return &world_model;
	if (!strcmp(name, world_kernel.name))
		return &world_kernel;
	return NULL;
}
