// SPDX-License-Identifier: GPL-2.0
/*
 * runner.c - one run of a scenario with one strategy: threads, placement,
 * start gate, warm-up, open-loop storms, per-thread recording, watchdog.
 *
 * Timeline:  setup | gate | warm-up (run, not recorded) | measure | stop
 * Every thread records into its own histograms and counters; the main
 * thread merges them after joining, so nothing is shared while measuring
 * except the progress counters the watchdog reads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/runner.h"
#include "harness/sched.h"
#include "lib/clock.h"
#include "lib/rand.h"
#include "strategies/inject.h"
#include "workloads/range.h"
#include "workloads/storm.h"

enum phase { PHASE_WARMUP, PHASE_MEASURE, PHASE_STOP };

volatile sig_atomic_t runner_stop;

struct runner;

struct run_thread {
	struct runner *run;
	pthread_t thread;
	const char *role;
	int index;
	int cpu;
	int storm;			/* enum storm_kind, or -1 for a mirror */
	bool joined;

	/* Read by the watchdog while the thread runs. */
	atomic_ulong progress;
	_Atomic(const char *) doing;
	atomic_ulong doing_start, doing_end;
	_Atomic uint64_t doing_since;

	/* Private to the thread until it is joined. */
	bool measuring;
	struct mm_task_counters base;	/* mm_counters when measuring began */
	struct mm_task_counters counters; /* measured phase only */
	uint64_t cpu_base_ns, cpu_ns;
	struct hist ttm_ns, retries, oplat_ns, stall_ns[MM_INVAL_NR];
	unsigned long passes, misses, retries_max, streak, streak_max;
	unsigned long fault_retries, fault_retries_max;
	unsigned long ops, skipped;
};

struct runner {
	const struct run_config *rc;
	const struct scenario *sc;
	struct mm mm;
	struct mm_mirror mirror;
	pthread_barrier_t gate;
	atomic_int phase;
	uint64_t start_ns, measure_ns;
	unsigned int nr_threads;
	struct run_thread *threads;
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void thread_doing(struct run_thread *t, const char *what,
			 unsigned long start, unsigned long end)
{
	atomic_store_explicit(&t->doing_start, start, memory_order_relaxed);
	atomic_store_explicit(&t->doing_end, end, memory_order_relaxed);
	atomic_store_explicit(&t->doing_since, now_ns(), memory_order_relaxed);
	atomic_store_explicit(&t->doing, what, memory_order_release);
}

static void thread_done_op(struct run_thread *t)
{
	atomic_store_explicit(&t->doing, NULL, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->progress, 1, memory_order_relaxed);
}

/* Notice the phase; returns false once the run is over. */
static bool thread_phase(struct run_thread *t)
{
	int phase = atomic_load_explicit(&t->run->phase, memory_order_acquire);

	if (phase == PHASE_MEASURE && !t->measuring) {
		t->measuring = true;
		t->base = mm_counters;
		t->cpu_base_ns = thread_cpu_ns();
	}
	return phase != PHASE_STOP;
}

static void thread_stall_hook(enum mm_inval_kind kind, uint64_t stall_ns, void *arg)
{
	struct run_thread *t = arg;

	if (t->measuring)
		hist_record(&t->stall_ns[kind], stall_ns);
}

static void mirror_loop(struct run_thread *t, struct rand_state *r)
{
	const struct scenario *sc = t->run->sc;
	struct mm_pass_opts o = {
		.deadline_ns = (uint64_t)(sc->deadline_ms * NSEC_PER_MSEC),
		.deadline_on_fault_only = sc->deadline_on_fault_only,
		.device_work_ns_per_page = (uint64_t)sc->device_work_ns,
	};
	unsigned long cursor = t->index * (sc->pages / sc->mirror_threads);
	unsigned long start, end;
	struct mm_pass_result res;
	uint64_t *snap = malloc(sc->mirror_range.hi * sizeof(*snap));
	int ret;

	if (!snap)
		abort();
	while (thread_phase(t)) {
		bool measured = t->measuring;

		range_pick_mirror(sc, r, &cursor, &start, &end);
		o.write = rand_below(r, 1000) < sc->write_permille;
		thread_doing(t, "mirror pass", start, end);
		ret = mm_mirror_pass(&t->run->mirror, start, end, &o, snap, &res);
		thread_done_op(t);
		if (!measured)
			continue;
		hist_record(&t->retries, res.retries);
		if (res.retries > t->retries_max)
			t->retries_max = res.retries;
		t->fault_retries += res.fault_retries;
		if (res.fault_retries > t->fault_retries_max)
			t->fault_retries_max = res.fault_retries;
		t->streak = res.retries ? t->streak + 1 : 0;
		if (t->streak > t->streak_max)
			t->streak_max = t->streak;
		if (ret == -EBUSY) {
			t->misses++;
		} else if (!ret) {
			t->passes++;
			hist_record(&t->ttm_ns, res.time_to_mirror_ns);
		}
	}
	free(snap);
}

static void storm_loop(struct run_thread *t, struct rand_state *r)
{
	const struct storm_ops *ops = storms[t->storm];
	struct storm_ctx c = {
		.mm = &t->run->mm,
		.sc = t->run->sc,
		.p = &t->run->sc->storm[t->storm],
		.rand = *r,
	};
	struct sched s;
	uint64_t due, now;
	int ret;

	/* Operation 0 is due as the thread leaves the start gate. */
	sched_init(&s, now_ns(), c.p->rate);
	while (thread_phase(t)) {
		now = now_ns();
		due = sched_next(&s, now);
		if (due > now)
			sleep_until_ns(due);
		thread_doing(t, storm_kind_name[t->storm], 0, 0);
		ret = ops->op(&c);
		now = now_ns();
		thread_done_op(t);
		if (!t->measuring || due < t->run->measure_ns)
			continue;
		t->ops++;
		t->skipped += ret == -EAGAIN;
		hist_record(&t->oplat_ns, now - due);
	}
}

static void counters_delta(struct mm_task_counters *out,
			   const struct mm_task_counters *now,
			   const struct mm_task_counters *base)
{
	for (int k = 0; k < MM_INVAL_NR; k++) {
		out->inval[k] = now->inval[k] - base->inval[k];
		out->inval_skipped[k] = now->inval_skipped[k] - base->inval_skipped[k];
	}
	out->reclaimed = now->reclaimed - base->reclaimed;
	out->reclaim_skipped = now->reclaim_skipped - base->reclaim_skipped;
	out->faults = now->faults - base->faults;
	out->alloc_failures = now->alloc_failures - base->alloc_failures;
}

static void *run_thread_main(void *arg)
{
	struct run_thread *t = arg;
	struct rand_state r;
	int ret;

	mm_thread_online(t->role, t->index);
	mm_stall_hook = thread_stall_hook;
	mm_stall_hook_arg = t;
	rand_seed(&r, t->run->rc->seed * 1000003 + (t->storm + 1) * 1009 + t->index);
	if (t->cpu >= 0)
		topology_bind_self(t->cpu);

	ret = pthread_barrier_wait(&t->run->gate);
	if (ret && ret != PTHREAD_BARRIER_SERIAL_THREAD)
		abort();
	if (t->storm < 0)
		mirror_loop(t, &r);
	else
		storm_loop(t, &r);

	if (t->measuring) {
		counters_delta(&t->counters, &mm_counters, &t->base);
		t->cpu_ns = thread_cpu_ns() - t->cpu_base_ns;
	}
	mm_thread_offline();
	return NULL;
}

static int thread_hists_init(struct run_thread *t)
{
	int ret = hist_init(&t->ttm_ns) ?: hist_init(&t->retries) ?:
		  hist_init(&t->oplat_ns);

	for (int k = 0; !ret && k < MM_INVAL_NR; k++)
		ret = hist_init(&t->stall_ns[k]);
	return ret;
}

static void thread_hists_release(struct run_thread *t)
{
	hist_destroy(&t->ttm_ns);
	hist_destroy(&t->retries);
	hist_destroy(&t->oplat_ns);
	for (int k = 0; k < MM_INVAL_NR; k++)
		hist_destroy(&t->stall_ns[k]);
}

static int add_thread(struct runner *run, const char *role, int index, int storm)
{
	struct run_thread *t;
	int ret;

	if (run->nr_threads == RUN_MAX_THREADS)
		return -E2BIG;
	t = &run->threads[run->nr_threads];
	memset(t, 0, sizeof(*t));
	t->run = run;
	t->role = role;
	t->index = index;
	t->storm = storm;
	t->cpu = run->rc->placement ?
		 topology_cpu_for(run->rc->placement, role, index) : -1;
	ret = thread_hists_init(t);
	if (ret) {
		thread_hists_release(t);
		return ret;
	}
	run->nr_threads++;
	return 0;
}

static int runner_setup(struct runner *run)
{
	const struct scenario *sc = run->sc;
	struct mm_config cfg = {
		.nr_pages = sc->pages,
		.nr_pfns = sc->memory_pages,
		.interval_pages = sc->interval_pages,
		.min_free = sc->min_free,
		.direct_reclaim_batch = sc->direct_reclaim_batch,
		.cow_permille = sc->cow_permille,
		.invalidate_cost_ns = (uint64_t)(sc->invalidate_cost_us * NSEC_PER_USEC),
		.seed = run->rc->seed,
	};
	unsigned int i;
	int ret, k;

	ret = mm_init(&run->mm, &cfg);
	if (ret)
		return ret;
	ret = mm_mirror_register(&run->mm, &run->mirror, run->rc->ops);
	if (ret)
		goto err_mm;
	run->threads = calloc(RUN_MAX_THREADS, sizeof(*run->threads));
	if (!run->threads) {
		ret = -ENOMEM;
		goto err_mirror;
	}
	for (i = 0; !ret && i < sc->mirror_threads; i++)
		ret = add_thread(run, "mirror", i, -1);
	for (k = 0; !ret && k < STORM_NR; k++)
		for (i = 0; !ret && i < sc->storm[k].threads; i++)
			ret = add_thread(run, storm_kind_name[k], i, k);
	if (ret)
		goto err_threads;
	ret = -pthread_barrier_init(&run->gate, NULL, run->nr_threads + 1);
	if (ret)
		goto err_threads;
	return 0;

err_threads:
	for (i = 0; i < run->nr_threads; i++)
		thread_hists_release(&run->threads[i]);
	free(run->threads);
err_mirror:
	mm_mirror_unregister(&run->mirror);
err_mm:
	mm_destroy(&run->mm);
	return ret;
}

static void runner_teardown(struct runner *run)
{
	for (unsigned int i = 0; i < run->nr_threads; i++)
		thread_hists_release(&run->threads[i]);
	free(run->threads);
	pthread_barrier_destroy(&run->gate);
	mm_mirror_unregister(&run->mirror);
	mm_destroy(&run->mm);
}

static unsigned long total_progress(struct runner *run)
{
	unsigned long sum = 0;

	for (unsigned int i = 0; i < run->nr_threads; i++)
		sum += atomic_load_explicit(&run->threads[i].progress,
					    memory_order_relaxed);
	return sum;
}

/*
 * Sleep until @until_ns while watching progress.  Returns false when no
 * thread made progress for the watchdog period.
 */
static bool watch_until(struct runner *run, uint64_t until_ns,
			uint64_t *last_change_ns, unsigned long *last_progress)
{
	uint64_t watchdog_ns = (uint64_t)(run->sc->watchdog_s * NSEC_PER_SEC);
	uint64_t now;

	while ((now = now_ns()) < until_ns && !runner_stop) {
		unsigned long p = total_progress(run);

		if (p != *last_progress) {
			*last_progress = p;
			*last_change_ns = now;
		} else if (now - *last_change_ns > watchdog_ns) {
			return false;
		}
		sleep_until_ns(now + 20 * NSEC_PER_MSEC < until_ns ?
			       now + 20 * NSEC_PER_MSEC : until_ns);
	}
	return true;
}

/* Join every thread, waiting at most @timeout_s in all. */
static bool join_threads(struct runner *run, double timeout_s)
{
	uint64_t ns = (uint64_t)(timeout_s * NSEC_PER_SEC);
	struct timespec limit;
	bool all = true;

	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += ns / NSEC_PER_SEC + (limit.tv_nsec + ns % NSEC_PER_SEC) / NSEC_PER_SEC;
	limit.tv_nsec = (limit.tv_nsec + ns % NSEC_PER_SEC) % NSEC_PER_SEC;
	for (unsigned int i = 0; i < run->nr_threads; i++) {
		struct run_thread *t = &run->threads[i];

		if (!t->joined)
			t->joined = !pthread_timedjoin_np(t->thread, NULL, &limit);
		all &= t->joined;
	}
	return all;
}

/* A stuck thread that sleeps in the strategy with nothing held: say so. */
static void stuck_lost_wakeup(struct run_thread *t, char *doing, size_t len)
{
	const struct snap_ops *ops = t->run->rc->ops;
	size_t used = strlen(doing);
	char what[96];

	if (ops->lost_wakeup && used + 3 < len &&
	    ops->lost_wakeup(&t->run->mirror.dom, t->thread, what, sizeof(what)))
		snprintf(doing + used, len - used, "; %s", what);
}

/*
 * Join every thread after the measured phase while the watchdog keeps
 * counting from the last progress: a thread that finishes its operation
 * is progress, one that stays inside it is not.  Returns false when no
 * thread made progress for the watchdog period before all were joined.
 */
static bool join_watching(struct runner *run, uint64_t *last_change_ns,
			  unsigned long *last_progress)
{
	uint64_t watchdog_ns = (uint64_t)(run->sc->watchdog_s * NSEC_PER_SEC);

	for (;;) {
		uint64_t now = now_ns();
		unsigned long p = total_progress(run);

		if (join_threads(run, 0))
			return true;
		if (p != *last_progress) {
			*last_progress = p;
			*last_change_ns = now;
		} else if (now - *last_change_ns > watchdog_ns) {
			return false;
		}
		sleep_until_ns(now + 20 * NSEC_PER_MSEC);
	}
}

static void summarize_thread(struct run_result *res, struct run_thread *t)
{
	struct run_thread_summary *s = &res->thread[res->nr_threads++];
	const char *doing = atomic_load(&t->doing);

	s->role = t->role;
	s->index = t->index;
	s->cpu = t->cpu;
	s->stuck = !t->joined;
	if (s->stuck && doing)
		snprintf(s->doing, sizeof(s->doing), "%s [%lu, %lu) for %.1f s", doing,
			 atomic_load(&t->doing_start), atomic_load(&t->doing_end),
			 (now_ns() - atomic_load(&t->doing_since)) / 1e9);
	else if (s->stuck)
		snprintf(s->doing, sizeof(s->doing), "between operations");
	if (s->stuck)
		stuck_lost_wakeup(t, s->doing, sizeof(s->doing));
	if (!t->joined)
		return;		/* its private data may still be changing */

	s->ops = t->storm < 0 ? t->passes + t->misses : t->ops;
	res->cpu_ns += t->cpu_ns;
	for (int k = 0; k < MM_INVAL_NR; k++) {
		hist_merge(&res->stall_ns[k], &t->stall_ns[k]);
		res->inval[k] += t->counters.inval[k];
		res->inval_skipped[k] += t->counters.inval_skipped[k];
	}
	res->reclaimed += t->counters.reclaimed;
	res->reclaim_skipped += t->counters.reclaim_skipped;
	if (t->storm >= 0) {
		hist_merge(&res->oplat_ns[t->storm], &t->oplat_ns);
		res->ops[t->storm] += t->ops;
		res->ops_skipped[t->storm] += t->skipped;
		return;
	}
	hist_merge(&res->ttm_ns, &t->ttm_ns);
	hist_merge(&res->retries, &t->retries);
	res->passes += t->passes;
	res->misses += t->misses;
	if (t->retries_max > res->retries_max)
		res->retries_max = t->retries_max;
	res->fault_retries += t->fault_retries;
	if (t->fault_retries_max > res->fault_retries_max)
		res->fault_retries_max = t->fault_retries_max;
	if (t->streak_max > res->retry_streak_max)
		res->retry_streak_max = t->streak_max;
	if (t->passes < res->mirror_passes_min)
		res->mirror_passes_min = t->passes;
	if (t->passes > res->mirror_passes_max)
		res->mirror_passes_max = t->passes;
}

static void collect_strategy_counter(const char *name, unsigned long value, void *arg)
{
	struct run_result *res = arg;
	unsigned int i = res->nr_strategy_counters;

	if (i >= sizeof(res->strategy_counter) / sizeof(res->strategy_counter[0]))
		return;
	snprintf(res->strategy_counter[i].name, sizeof(res->strategy_counter[i].name),
		 "%s", name);
	res->strategy_counter[i].value = value;
	res->nr_strategy_counters++;
}

int runner_run(const struct run_config *rc, struct run_result *res)
{
	struct runner *run = calloc(1, sizeof(*run));
	struct inject_spec inject;
	char err[SCENARIO_ERR_LEN];
	unsigned long last_progress = 0;
	uint64_t last_change, end_ns;
	unsigned int i;
	bool alive;
	int ret;

	if (!run)
		return -ENOMEM;
	run->rc = rc;
	run->sc = rc->sc;
	ret = run_result_init(res);
	if (ret)
		goto out_free;
	ret = runner_setup(run);
	if (ret)
		goto out_free;
	ret = inject_parse(run->sc->inject, &inject, err, sizeof(err));
	if (ret)
		goto out_teardown;
	inject_arm(&inject);
	atomic_store(&run->phase, PHASE_WARMUP);
	for (i = 0; i < run->nr_threads; i++) {
		ret = -pthread_create(&run->threads[i].thread, NULL,
				      run_thread_main, &run->threads[i]);
		if (ret)
			abort();	/* threads already started wait at the gate */
	}

	res->start_realtime_ns = realtime_ns();
	ret = pthread_barrier_wait(&run->gate);
	if (ret && ret != PTHREAD_BARRIER_SERIAL_THREAD)
		abort();
	last_change = run->start_ns = now_ns();
	alive = watch_until(run, run->start_ns +
			    (uint64_t)(run->sc->warmup_s * NSEC_PER_SEC),
			    &last_change, &last_progress);
	run->measure_ns = now_ns();
	atomic_store_explicit(&run->phase, PHASE_MEASURE, memory_order_release);
	if (alive)
		alive = watch_until(run, run->measure_ns +
				    (uint64_t)(run->sc->duration_s * NSEC_PER_SEC),
				    &last_change, &last_progress);
	end_ns = now_ns();
	atomic_store_explicit(&run->phase, PHASE_STOP, memory_order_release);
	res->end_realtime_ns = realtime_ns();
	res->duration_s = (end_ns - run->measure_ns) / 1e9;

	/* Once the watchdog fired, stuck threads will not come back. */
	if (alive)
		alive = join_watching(run, &last_change, &last_progress);
	else
		join_threads(run, 0.5);
	for (i = 0; i < run->nr_threads; i++)
		summarize_thread(res, &run->threads[i]);
	res->violations = atomic_load(&run->mm.check.violations);
	res->nr_violations_kept = run->mm.check.nr_kept;
	memcpy(res->violation, run->mm.check.first, sizeof(res->violation));
	if (rc->ops->report)
		rc->ops->report(&run->mirror.dom, collect_strategy_counter, res);

	if (!alive) {
		/* Stuck threads still use the model: leave it to the exit. */
		res->hung = true;
		return -ETIMEDOUT;
	}
	ret = 0;
out_teardown:
	inject_arm(&(struct inject_spec){ 0 });
	runner_teardown(run);
out_free:
	free(run);
	return ret;
}
