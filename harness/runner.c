// SPDX-License-Identifier: GPL-2.0
/*
 * runner.c - one run of a scenario with one strategy in a world (world.h:
 * the model or the kernel): threads, placement, start gate, warm-up,
 * open-loop storms, per-thread recording, watchdog.
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

#include "harness/probe.h"
#include "harness/runner.h"
#include "harness/sched.h"
#include "harness/world.h"
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
	struct world_thread wt;		/* role, index, storm, what the world sees */
	int cpu;
	bool joined;
	int err;			/* an operation failed (world errors_fail) */

	/* Read by the watchdog while the thread runs. */
	atomic_ulong progress;
	_Atomic(const char *) doing;
	atomic_ulong doing_start, doing_end;
	_Atomic uint64_t doing_since;

	/* Private to the thread until it is joined. */
	struct storm_ctx storm;		/* a storm thread's */
	uint64_t cpu_base_ns, cpu_ns;
	struct hist ttm_ns, retries, oplat_ns, stall_ns[MM_INVAL_NR];
	unsigned long passes, misses, retries_max, streak, streak_max;
	unsigned long fault_retries, fault_retries_max;
	unsigned long ops, skipped;
};

struct runner {
	const struct run_config *rc;
	const struct scenario *sc;
	const struct world_ops *wo;
	struct world *w;
	pthread_barrier_t gate;
	atomic_int phase;
	uint64_t start_ns, measure_ns;
	unsigned int nr_threads;
	struct run_thread *threads;
};

/* The host is probed for this long before and after a run (probe.h). */
#define PROBE_NS (10 * NSEC_PER_MSEC)

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

	if (phase == PHASE_MEASURE && !t->wt.measuring) {
		t->wt.measuring = true;
		if (t->run->wo->thread_measure)
			t->run->wo->thread_measure(t->run->w, &t->wt);
		t->cpu_base_ns = thread_cpu_ns();
	}
	return phase != PHASE_STOP;
}

static void mirror_loop(struct run_thread *t, struct rand_state *r)
{
	const struct scenario *sc = t->run->sc;
	const struct world_ops *wo = t->run->wo;
	unsigned long cursor = t->wt.index * (sc->pages / sc->mirror_threads);
	unsigned long start, end;
	struct world_pass res;
	bool write;
	int ret;

	while (thread_phase(t)) {
		bool measured = t->wt.measuring;

		range_pick_mirror(sc, r, &cursor, &start, &end);
		write = rand_below(r, 1000) < sc->write_permille;
		thread_doing(t, wo->mirror_doing, start, end);
		ret = wo->mirror_pass(t->run->w, &t->wt, start, end, write, &res);
		thread_done_op(t);
		if (ret && ret != -EBUSY && !res.failed && wo->errors_fail) {
			t->err = ret;
			break;
		}
		if (!measured || res.failed)
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
			hist_record(&t->ttm_ns, res.ttm_ns);
		}
	}
}

static void storm_loop(struct run_thread *t)
{
	const struct world_ops *wo = t->run->wo;
	struct storm_ctx *c = &t->storm;
	bool rebased = false;
	struct sched s;
	uint64_t due, now, begin;
	int ret;

	/*
	 * Operation 0 is due as the thread leaves the start gate, and again as
	 * measuring begins: what warm-up left undone is dropped, so a storm
	 * that cannot keep its rate (a kernel under TCG) is measured from the
	 * start of the measured phase, not never.
	 */
	sched_init(&s, now_ns(), c->p->rate);
	for (; thread_phase(t); c->seq++) {
		if (t->wt.measuring && !rebased) {
			sched_init(&s, t->run->measure_ns, c->p->rate);
			rebased = true;
		}
		now = now_ns();
		due = sched_next(&s, now);
		if (due > now)
			sleep_until_ns(due);
		thread_doing(t, storm_kind_name[t->wt.storm], 0, 0);
		begin = now_ns();
		ret = wo->storm_op(t->run->w, &t->wt, c);
		now = now_ns();
		thread_done_op(t);
		if (ret < 0 && ret != -EAGAIN && wo->errors_fail) {
			t->err = ret;
			break;
		}
		if (!t->wt.measuring || due < t->run->measure_ns)
			continue;
		t->ops++;
		t->skipped += ret == -EAGAIN;
		hist_record(&t->oplat_ns, now - due);
		/*
		 * One definition in both worlds: a completed operation's
		 * duration (not one that was skipped or found nothing to do).
		 */
		if (!ret && t->wt.op_is_stall)
			hist_record(&t->wt.stall_ns[storms[t->wt.storm]->inval_kind], now - begin);
	}
}

static void *run_thread_main(void *arg)
{
	struct run_thread *t = arg;
	struct runner *run = t->run;
	struct rand_state r;
	int ret;

	rand_seed(&r, run->rc->seed * 1000003 + (t->wt.storm + 1) * 1009 + t->wt.index);
	if (t->wt.storm >= 0)
		t->storm = (struct storm_ctx){
			.sc = run->sc, .p = &run->sc->storm[t->wt.storm], .rand = r,
		};
	if (run->wo->thread_start(run->w, &t->wt, t->wt.storm >= 0 ? &t->storm : NULL))
		abort();	/* out of memory in a thread of a run */
	if (t->cpu >= 0)
		topology_bind_self(t->cpu);

	ret = pthread_barrier_wait(&run->gate);
	if (ret && ret != PTHREAD_BARRIER_SERIAL_THREAD)
		abort();
	if (t->wt.storm < 0)
		mirror_loop(t, &r);
	else
		storm_loop(t);

	if (t->wt.measuring)
		t->cpu_ns = thread_cpu_ns() - t->cpu_base_ns;
	run->wo->thread_stop(run->w, &t->wt);
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
	t->wt.role = role;
	t->wt.index = index;
	t->wt.storm = storm;
	t->wt.stall_ns = t->stall_ns;
	t->wt.op_is_stall = storm >= 0;
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
	unsigned int i;
	int ret, k;

	ret = run->wo->setup(&run->w, run->rc);
	if (ret)
		return ret;
	run->threads = calloc(RUN_MAX_THREADS, sizeof(*run->threads));
	if (!run->threads) {
		ret = -ENOMEM;
		goto err_world;
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
err_world:
	run->wo->teardown(run->w);
	return ret;
}

static void runner_teardown(struct runner *run)
{
	for (unsigned int i = 0; i < run->nr_threads; i++)
		thread_hists_release(&run->threads[i]);
	free(run->threads);
	pthread_barrier_destroy(&run->gate);
	run->wo->teardown(run->w);
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

	s->role = t->wt.role;
	s->index = t->wt.index;
	s->cpu = t->cpu;
	s->stuck = !t->joined;
	if (s->stuck && doing)
		snprintf(s->doing, sizeof(s->doing), "%s [%lu, %lu) for %.1f s", doing,
			 atomic_load(&t->doing_start), atomic_load(&t->doing_end),
			 (now_ns() - atomic_load(&t->doing_since)) / 1e9);
	else if (s->stuck)
		snprintf(s->doing, sizeof(s->doing), "between operations");
	if (s->stuck && t->run->wo->stuck)
		t->run->wo->stuck(t->run->w, &t->wt, t->thread, s->doing, sizeof(s->doing));
	if (!t->joined)
		return;		/* its private data may still be changing */

	s->ops = t->wt.storm < 0 ? t->passes + t->misses : t->ops;
	res->cpu_ns += t->cpu_ns;
	for (int k = 0; k < MM_INVAL_NR; k++) {
		hist_merge(&res->stall_ns[k], &t->stall_ns[k]);
		res->inval[k] += t->wt.counters.inval[k];
		res->inval_skipped[k] += t->wt.counters.inval_skipped[k];
	}
	res->reclaimed += t->wt.counters.reclaimed;
	res->reclaim_skipped += t->wt.counters.reclaim_skipped;
	if (t->wt.storm >= 0) {
		hist_merge(&res->oplat_ns[t->wt.storm], &t->oplat_ns);
		res->ops[t->wt.storm] += t->ops;
		res->ops_skipped[t->wt.storm] += t->skipped;
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

void run_result_add_counter(struct run_result *res, const char *name, unsigned long value)
{
	unsigned int i = res->nr_strategy_counters;

	if (i >= sizeof(res->strategy_counter) / sizeof(res->strategy_counter[0])) {
		fprintf(stderr, "snapbench: counter %s dropped: more than %zu strategy counters\n",
			name, sizeof(res->strategy_counter) / sizeof(res->strategy_counter[0]));
		return;
	}
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
	run->wo = rc->world ?: &world_model;
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
	res->handoff_ns[0] = host_probe(PROBE_NS);
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
	if (run->wo->measure)
		run->wo->measure(run->w, true);
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
	if (!alive && run->wo->hang)
		run->wo->hang(run->w);
	if (!alive)
		join_threads(run, 0.5);
	for (i = 0; i < run->nr_threads; i++)
		summarize_thread(res, &run->threads[i]);
	if (run->wo->measure)
		run->wo->measure(run->w, false);
	run->wo->counters(run->w, res);
	if (alive)	/* outside the measured deltas of the kernel world */
		res->handoff_ns[1] = host_probe(PROBE_NS);

	if (!alive) {
		/* Stuck threads still use the model: leave it to the exit. */
		res->hung = true;
		return -ETIMEDOUT;
	}
	/* An operation the world says must not fail did (errors_fail). */
	for (i = 0, ret = 0; i < run->nr_threads && !ret; i++)
		ret = run->threads[i].err;
	if (ret)
		fprintf(stderr, "snapbench: %s-%d: %s\n", run->threads[i - 1].wt.role,
			run->threads[i - 1].wt.index, strerror(-ret));
out_teardown:
	inject_arm(&(struct inject_spec){ 0 });
	runner_teardown(run);
out_free:
	free(run);
	return ret;
}
