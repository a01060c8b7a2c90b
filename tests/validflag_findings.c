// SPDX-License-Identifier: GPL-2.0
/*
 * validflag_findings.c - what the suite finds in validflag, the Linux 5.2
 * hmm_range valid-flag scheme, next to seqretry (upstream's fix) and
 * rangelock on the same steps.  A regression in the checker shows up here.
 *
 * Four levels, from the ops alone to a full run: the flag's semantics; one
 * thread whose own fault reclaims pages it already snapshotted; upstream's
 * trace, a madvise run from start to end between snapshot and commit (both
 * deterministic: the second is driven by the pass's after_snapshot hook);
 * a storm run on the hot range.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/runner.h"
#include "lib/clock.h"
#include "tests/tap.h"
#include "workloads/mm.h"

#define PATIENCE_NS	(60 * NSEC_PER_SEC)	/* for what must happen */
#define STALE		"stale snapshot committed"

/* ------------------------------------------------------------ the ops */

static void dom_setup(struct snap_dom *d, const char *name)
{
	const struct snap_ops *ops = snap_strategy_find(name);

	if (!ops)
		bail_out("strategy %s is not registered", name);
	if (snap_dom_init(d, ops, 4096, 64))
		bail_out("snap_dom_init(%s) failed", name);
}

static struct snap_range range(unsigned long start, unsigned long end)
{
	return (struct snap_range){ .start = start, .end = end };
}

struct counter_query {
	const char *name;
	unsigned long value;
	bool found;
};

static void counter_fn(const char *name, unsigned long value, void *arg)
{
	struct counter_query *q = arg;

	if (!strcmp(name, q->name)) {
		q->value = value;
		q->found = true;
	}
}

static unsigned long dom_counter(struct snap_dom *d, const char *name)
{
	struct counter_query q = { .name = name };

	if (d->ops->report)
		d->ops->report(d, counter_fn, &q);
	if (!q.found)
		bail_out("%s reports no counter %s", d->ops->name, name);
	return q.value;
}

/* read_begin() in a thread of its own, to see whether and how long it sleeps. */
struct reader {
	pthread_t thread;
	struct snap_dom *d;
	struct snap_range r;
	int ret;
	uint64_t took_ns, returned_at_ns;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	uint64_t t0 = now_ns();

	rd->ret = rd->d->ops->read_begin(rd->d, &rd->r);
	rd->returned_at_ns = now_ns();
	rd->took_ns = rd->returned_at_ns - t0;
	return NULL;
}

static void reader_start(struct reader *rd, struct snap_dom *d,
			 unsigned long start, unsigned long end)
{
	memset(rd, 0, sizeof(*rd));
	rd->d = d;
	rd->r = range(start, end);
	if (pthread_create(&rd->thread, NULL, reader_main, rd))
		bail_out("pthread_create failed");
}

static void reader_join(struct reader *rd)
{
	if (pthread_join(rd->thread, NULL))
		bail_out("pthread_join failed");
}

/* Until the reader has found its range invalid and is about to sleep. */
static void wait_for_waits(struct snap_dom *d, unsigned long waits)
{
	uint64_t give_up = now_ns() + PATIENCE_NS;

	while (dom_counter(d, "waits") < waits)
		if (now_ns() > give_up)
			bail_out("read_begin never found its range invalid");
		else
			usleep(100);
}

static void test_ops(void)
{
	struct snap_range rd, inv, inv2;
	const struct snap_ops *ops;
	struct snap_dom d, s;
	struct reader rdr;
	uint64_t last_end;
	bool woken = false;
	int attempt;

	dom_setup(&d, "validflag");
	ops = d.ops;
	ok(ops->known_unsafe, "validflag is marked known unsafe: `--strategy all` leaves it out");

	rd = range(0, 16);
	ok(!ops->read_begin(&d, &rd) && !ops->read_retry(&d, &rd),
	   "validflag: nothing in progress: read_begin returns at once, the range is valid");
	inv = range(8, 9);
	ok(!ops->invalidate_start(&d, &inv, true) && ops->read_retry(&d, &rd),
	   "validflag: an overlapping invalidate_start clears the flag: read_retry is true");
	ops->invalidate_end(&d, &inv);
	ok(!ops->read_retry(&d, &rd),
	   "validflag: its invalidate_end sets the flag again: read_retry is false "
	   "although the snapshot may be stale (no sequence count)");
	ops->read_end(&d, &rd);
	ok(dom_counter(&d, "valid_after_invalidation") == 1,
	   "validflag: ... counted in valid_after_invalidation");

	dom_setup(&s, "seqretry");
	rd = range(0, 16);
	s.ops->read_begin(&s, &rd);
	inv = range(8, 9);
	s.ops->invalidate_start(&s, &inv, true);
	s.ops->invalidate_end(&s, &inv);
	ok(s.ops->read_retry(&s, &rd), "seqretry, the same steps: read_retry is true");
	s.ops->read_end(&s, &rd);
	snap_dom_fini(&s);

	rd = range(16, 32);
	ops->read_begin(&d, &rd);
	inv = range(8, 16);
	ops->invalidate_start(&d, &inv, true);
	ok(ops->read_retry(&d, &rd),
	   "validflag: an invalidation ending where the range starts clears it too "
	   "(5.2's end < start test)");
	ops->invalidate_end(&d, &inv);
	ops->read_end(&d, &rd);

	/*
	 * notifiers counts the whole mm: a range registered during an
	 * invalidation elsewhere waits, and still waits when a second one
	 * starts before the first ends, until the last end wakes it.  A reader
	 * back in less than the 1 s timeout cannot have timed out, so it was
	 * woken; one that took longer may have timed out (a missed wake-up, or
	 * a loaded machine that delayed it): that proves nothing, try again.
	 */
	for (attempt = 1; attempt <= 5; attempt++) {
		inv = range(1000, 1001);
		ops->invalidate_start(&d, &inv, true);
		reader_start(&rdr, &d, 0, 16);
		wait_for_waits(&d, attempt);
		inv2 = range(2000, 2001);
		ops->invalidate_start(&d, &inv2, true);
		ops->invalidate_end(&d, &inv);
		usleep(20 * 1000);
		last_end = now_ns();
		ops->invalidate_end(&d, &inv2);
		reader_join(&rdr);
		woken = rdr.ret == 0 && rdr.took_ns < NSEC_PER_SEC &&
			rdr.returned_at_ns >= last_end && !ops->read_retry(&d, &rdr.r);
		if (!rdr.ret)
			ops->read_end(&d, &rdr.r);
		if (rdr.took_ns < NSEC_PER_SEC)
			break;
		diag("attempt %d: read_begin returned %s after %.3f s, may have timed out",
		     attempt, rdr.ret ? "-EBUSY" : "valid", rdr.took_ns / 1e9);
	}
	ok(woken,
	   "validflag: read_begin during invalidations of other pages sleeps until none is in "
	   "progress, then is woken (%s after %.3f s)", rdr.ret ? "-EBUSY" : "valid",
	   rdr.took_ns / 1e9);

	/* hmm_range_wait_until_valid() gives up after 1000 ms. */
	inv = range(4, 5);
	ops->invalidate_start(&d, &inv, true);
	reader_start(&rdr, &d, 0, 16);
	reader_join(&rdr);
	ok(rdr.ret == -EBUSY && rdr.took_ns >= 999 * NSEC_PER_MSEC &&
	   rdr.took_ns < 30 * NSEC_PER_SEC && dom_counter(&d, "wait_timeouts") >= 1,
	   "validflag: an invalidation that does not end: read_begin returns -EBUSY after "
	   "%.2f s (HMM_RANGE_DEFAULT_TIMEOUT is 1 s)", rdr.took_ns / 1e9);
	ops->invalidate_end(&d, &inv);

	inv = range(4, 5);
	ok(ops->invalidate_start(&d, &inv, false) == 0,
	   "validflag: a non-blockable invalidation proceeds when hmm->lock is free");
	ops->invalidate_end(&d, &inv);
	snap_dom_fini(&d);
}

/* ------------------------------------------------------------ the model */

struct model {
	struct mm mm;
	struct mm_mirror mir;
};

static void model_setup(struct model *m, const char *strategy,
			const struct mm_config *cfg)
{
	const struct snap_ops *ops = snap_strategy_find(strategy);

	if (!ops || mm_init(&m->mm, cfg) || mm_mirror_register(&m->mm, &m->mir, ops))
		bail_out("model setup for %s failed", strategy);
}

static void model_teardown(struct model *m)
{
	mm_mirror_unregister(&m->mir);
	mm_destroy(&m->mm);
}

/* What a model run leaves behind, for the assertions. */
struct finding {
	int ret;
	struct mm_pass_result res;
	unsigned long violations;
	struct mm_violation first;
};

static void finding_collect(struct finding *f, struct model *m)
{
	f->violations = atomic_load(&m->mm.check.violations);
	if (m->mm.check.nr_kept)
		f->first = m->mm.check.first[0];
	else
		f->first = (struct mm_violation){ .what = "none", .strategy = "none" };
}

static bool stale_commit_by(const struct finding *f, const char *strategy)
{
	return f->violations > 0 && !strncmp(f->first.what, STALE, strlen(STALE)) &&
	       !strcmp(f->first.strategy, strategy) &&
	       !strcmp(f->first.committer, "mirror-0");
}

/*
 * Four frames, two kept free: the mirror's fault of page 2 reclaims page
 * 0's frame, and the fault of page 3 reclaims page 1's, after both were
 * snapshotted.  Each reclaim is a whole invalidation, start to end, inside
 * the snapshot.  One thread: the same steps every time.
 */
static const struct mm_config own_fault_cfg = {
	.nr_pages = 64, .nr_pfns = 4, .interval_pages = 64, .min_free = 2,
	.direct_reclaim_batch = 1, .seed = 1,
};

static void own_fault(const char *strategy, struct finding *f)
{
	struct mm_pass_opts o = { .deadline_ns = 200 * NSEC_PER_MSEC };
	uint64_t snap[4];
	struct model m;

	model_setup(&m, strategy, &own_fault_cfg);
	mm_thread_online("mirror", 0);
	f->ret = mm_mirror_pass(&m.mir, 0, 4, &o, snap, &f->res);
	mm_thread_offline();
	finding_collect(f, &m);
	model_teardown(&m);
}

static void test_own_fault(void)
{
	struct finding f;

	own_fault("validflag", &f);
	ok(f.ret == 0 && f.res.retries == 0 && f.violations == 2 &&
	   stale_commit_by(&f, "validflag") && f.first.vpn < 2,
	   "validflag, one thread whose fault's direct reclaim frees two pages it snapshotted: "
	   "committed without retry, %lu violations (%s: vpn %lu pfn %lu gen %u, now %u)",
	   f.violations, f.first.what, f.first.vpn, f.first.pfn, f.first.device_gen,
	   f.first.page_gen);

	own_fault("seqretry", &f);
	ok(f.res.retries > 0 && f.violations == 0,
	   "seqretry, the same steps: retries (%u), no violations%s", f.res.retries,
	   f.res.deadline_miss ? " (the pass then misses its deadline: its own faults "
	   "keep invalidating it)" : "");

	own_fault("rangelock", &f);
	ok(f.ret == 0 && f.violations == 0,
	   "rangelock, the same steps: the locked range is skipped by reclaim, committed "
	   "after %u retries, no violations", f.res.retries);
}

/*
 * Upstream's trace with two threads.  The pass's after_snapshot hook starts
 * a madvise of the whole range on a thread of its own and, for a strategy
 * that lets invalidations through, waits until it has ended: start, device
 * callback, zap, free and end all fall between the snapshot and the commit.
 * Under rangelock the madvise waits for the range lock; the hook then lets
 * the pass go on after a moment, and the madvise runs after the commit.
 */
#define TRACE_PAGES	16

struct trace {
	struct model m;
	bool madvise_blocks;		/* the strategy makes it wait */
	unsigned int hooked;		/* after_snapshot calls */
	pthread_t madvise;
	atomic_bool madvise_done;
	bool done_before_commit;	/* it had ended when the hook returned */
	int madvise_ret;
};

static void *trace_madvise(void *arg)
{
	struct trace *t = arg;

	mm_thread_online("madvise", 0);
	t->madvise_ret = mm_madvise_dontneed(&t->m.mm, 0, TRACE_PAGES);
	mm_thread_offline();
	atomic_store(&t->madvise_done, true);
	return NULL;
}

/* Runs on the mirror thread, after the snapshot, before the device lock. */
static void trace_after_snapshot(void *arg)
{
	struct trace *t = arg;
	uint64_t give_up;

	if (t->hooked++)
		return;		/* the first snapshot only */
	if (pthread_create(&t->madvise, NULL, trace_madvise, t))
		bail_out("pthread_create failed");
	give_up = now_ns() + (t->madvise_blocks ? 100 * NSEC_PER_MSEC : PATIENCE_NS);
	while (!atomic_load(&t->madvise_done) && now_ns() < give_up)
		usleep(100);
	t->done_before_commit = atomic_load(&t->madvise_done);
	if (!t->madvise_blocks && !t->done_before_commit)
		bail_out("madvise did not end in %llu s", PATIENCE_NS / NSEC_PER_SEC);
}

static void trace_run(const char *strategy, bool madvise_blocks, struct finding *f,
		      struct trace *t)
{
	static const struct mm_config cfg = {
		.nr_pages = 256, .nr_pfns = 512, .interval_pages = 64, .seed = 1,
	};
	struct mm_pass_opts o = {
		.deadline_ns = 10 * NSEC_PER_SEC,
		.after_snapshot = trace_after_snapshot, .after_snapshot_arg = t,
	};
	uint64_t snap[TRACE_PAGES];

	memset(t, 0, sizeof(*t));
	t->madvise_blocks = madvise_blocks;
	model_setup(&t->m, strategy, &cfg);
	mm_thread_online("mirror", 0);
	f->ret = mm_mirror_pass(&t->m.mir, 0, TRACE_PAGES, &o, snap, &f->res);
	mm_thread_offline();
	if (pthread_join(t->madvise, NULL))
		bail_out("pthread_join failed");
	finding_collect(f, &t->m);
	model_teardown(&t->m);
}

static void test_trace(void)
{
	struct trace *t = malloc(sizeof(*t));
	struct finding f;

	if (!t)
		bail_out("malloc");
	trace_run("validflag", false, &f, t);
	ok(t->done_before_commit && !t->madvise_ret && f.ret == 0 && f.res.retries == 0 &&
	   f.violations == TRACE_PAGES && stale_commit_by(&f, "validflag"),
	   "validflag, a madvise from start to end between snapshot and commit: committed "
	   "without retry, %lu violations (%s: vpn %lu pfn %lu, by %s)",
	   f.violations, f.first.what, f.first.vpn, f.first.pfn, f.first.committer);

	trace_run("seqretry", false, &f, t);
	ok(t->done_before_commit && !t->madvise_ret && f.ret == 0 && f.res.retries == 1 &&
	   f.violations == 0,
	   "seqretry, the same interleaving: one retry, no violations (%lu)", f.violations);

	trace_run("rangelock", true, &f, t);
	ok(!t->done_before_commit && !t->madvise_ret && f.ret == 0 && f.res.retries == 0 &&
	   f.violations == 0,
	   "rangelock, the same interleaving: the madvise waits for the commit, "
	   "no violations (%lu)", f.violations);
	free(t);
}

/* ------------------------------------------------------------ a full run */

struct outcome {
	int ret;
	bool hung;
	unsigned long passes, misses, violations, valid_after, waits, wait_timeouts, flag_lost;
	char what[64], strategy[24], committer[24];
};

/* In the child: what test_run() looks at. */
static void pick(const struct run_result *res, void *outcome)
{
	struct outcome *out = outcome;

	out->hung = res->hung;
	out->passes = res->passes;
	out->misses = res->misses;
	out->violations = res->violations;
	out->valid_after = run_counter(res, "valid_after_invalidation");
	out->waits = run_counter(res, "waits");
	out->wait_timeouts = run_counter(res, "wait_timeouts");
	out->flag_lost = run_counter(res, "wait_flag_lost");
	if (res->nr_violations_kept) {
		snprintf(out->what, sizeof(out->what), "%s", res->violation[0].what);
		snprintf(out->strategy, sizeof(out->strategy), "%s",
			 res->violation[0].strategy);
		snprintf(out->committer, sizeof(out->committer), "%s",
			 res->violation[0].committer);
	}
}

/* hot-range's storms and driver work on a smaller mm; a child per run. */
static struct outcome run_hot_range(const char *strategy, uint64_t seed)
{
	static const char *const sets[] = {
		"mm.pages=8192", "mm.memory_pages=16384", "mm.interval_pages=64",
		"mirror.pattern=hot", "mirror.hot_pages=1024", "mirror.device_work_ns=200",
		"storm.munmap.threads=1", "storm.munmap.rate=20000",
		"storm.munmap.range_pages=log2:1-16", "storm.munmap.target=hot",
		"storm.madvise.threads=1", "storm.madvise.rate=20000",
		"storm.madvise.range_pages=log2:1-16", "storm.madvise.target=hot",
		"run.duration_s=1", "run.warmup_s=0", "run.watchdog_s=5", NULL,
	};
	struct outcome o;

	o.ret = run_in_child(strategy, seed, sets, NULL, pick, &o, sizeof(o));
	return o;
}

static void test_run(void)
{
	struct outcome o;
	uint64_t seed;

	/* Statistical: several seeds make a clean run by chance vanishingly unlikely. */
	for (seed = 1; seed <= 4; seed++) {
		o = run_hot_range("validflag", seed);
		if (o.violations)
			break;
	}
	ok(o.ret == 0 && !o.hung && o.violations > 0 && o.valid_after > 0 &&
	   !strncmp(o.what, STALE, strlen(STALE)) && !strcmp(o.strategy, "validflag") &&
	   !strncmp(o.committer, "mirror-", 7),
	   "validflag, madvise and munmap storms on the hot range for 1 s: no hang, "
	   "%lu violations (first: %s, by %s), valid_after_invalidation %lu, "
	   "%lu passes, %lu waits (%lu timed out, %lu lost the flag), %lu deadline misses",
	   o.violations, o.what, o.committer, o.valid_after, o.passes, o.waits,
	   o.wait_timeouts, o.flag_lost, o.misses);

	o = run_hot_range("seqretry", 1);
	ok(o.ret == 0 && !o.hung && o.violations == 0,
	   "seqretry, the same run: no hang, no violations (%lu)", o.violations);
	o = run_hot_range("rangelock", 1);
	ok(o.ret == 0 && !o.hung && o.violations == 0,
	   "rangelock, the same run: no hang, no violations (%lu)", o.violations);
}

int main(void)
{
	alarm(600);
	plan(10 + 3 + 3 + 3);
	test_ops();
	test_own_fault();
	test_trace();
	test_run();
	return done();
}
