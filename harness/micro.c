// SPDX-License-Identifier: GPL-2.0
/*
 * micro.c - `snapbench micro`: Google Benchmark microbenchmarks of every
 * strategy's ops, uncontended and under two threads, beside the floors
 * they are judged against (a spinlock pair, two atomic loads, the same ops
 * table with empty ops) and the cost of recording one latency sample.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness/gbshim.h"
#include "harness/histogram.h"
#include "harness/micro.h"
#include "strategies/rangequeue.h"
#include "strategies/seqcount.h"
#include "strategies/snap_ops.h"

#define MICRO_PAGES	(1UL << 16)
#define MICRO_INTERVAL	512
#define MICRO_RANGE	64

struct micro_dom {
	struct snap_dom dom;
};

/* A private range per thread, so uncontended means uncontended. */
static struct snap_range micro_range(struct gb_state *s, bool shared)
{
	unsigned long start = shared ? 0 : (unsigned long)gb_thread_index(s) * 4 * MICRO_INTERVAL;

	return (struct snap_range){ .start = start, .end = start + MICRO_RANGE };
}

/* read_begin + read_retry + read_end: one snapshot with nothing in the way. */
static void bm_read(struct gb_state *s, void *arg, bool shared)
{
	struct snap_dom *d = arg;
	const struct snap_ops *ops = d->ops;
	struct snap_range r = micro_range(s, shared);
	size_t n;

	while ((n = gb_keep_running_batch(s))) {
		while (n--) {
			ops->read_begin(d, &r);
			if (ops->read_retry(d, &r))
				abort();	/* nothing invalidates here */
			ops->read_end(d, &r);
		}
	}
}

static void bm_invalidate(struct gb_state *s, void *arg, bool shared)
{
	struct snap_dom *d = arg;
	const struct snap_ops *ops = d->ops;
	struct snap_range r = micro_range(s, shared);
	size_t n;

	while ((n = gb_keep_running_batch(s))) {
		while (n--) {
			if (ops->invalidate_start(d, &r, true) < 0)
				abort();
			ops->invalidate_end(d, &r);
		}
	}
}

static void bm_read_private(struct gb_state *s, void *arg)
{
	bm_read(s, arg, false);
}

static void bm_read_shared(struct gb_state *s, void *arg)
{
	bm_read(s, arg, true);
}

static void bm_invalidate_private(struct gb_state *s, void *arg)
{
	bm_invalidate(s, arg, false);
}

static void bm_invalidate_shared(struct gb_state *s, void *arg)
{
	bm_invalidate(s, arg, true);
}

static pthread_spinlock_t floor_lock;
static atomic_ulong floor_words[2];

static void bm_spinlock_pair(struct gb_state *s, void *arg)
{
	size_t n;

	while ((n = gb_keep_running_batch(s))) {
		while (n--) {
			pthread_spin_lock(&floor_lock);
			pthread_spin_unlock(&floor_lock);
		}
	}
}

static void bm_two_loads(struct gb_state *s, void *arg)
{
	unsigned long sink = 0;
	size_t n;

	while ((n = gb_keep_running_batch(s))) {
		while (n--) {
			sink += atomic_load_explicit(&floor_words[0], memory_order_acquire);
			sink += atomic_load_explicit(&floor_words[1], memory_order_acquire);
			/* Keep the loads: the compiler may not fold them away. */
			__asm__ volatile("" : : "r"(sink) : "memory");
		}
	}
}

static void bm_hist_record(struct gb_state *s, void *arg)
{
	struct hist h;
	uint64_t v = 12345;
	size_t n;

	if (hist_init(&h))
		abort();
	while ((n = gb_keep_running_batch(s))) {
		while (n--) {
			hist_record(&h, v);
			v = v * 6364136223846793005ULL + 1442695040888963407ULL;
			v >>= 40;	/* values up to ~16 ms, spread over buckets */
		}
	}
	gb_counter(s, "samples", (double)hist_count(&h), GB_COUNTER_DEFAULT);
	hist_destroy(&h);
}

/*
 * The two protocols without the ops table and the mirror's bookkeeping
 * around them, to set beside the floors: seqretry's begin+retry is a
 * wait-for-idle sample and a second sample of one interval's sequence; the
 * range lock is one READ entry queued and released on an empty queue.
 */
static struct seqcount *prim_seq;
static struct rangequeue prim_rq;

static void bm_seqcount_pair(struct gb_state *s, void *arg)
{
	unsigned long seq;
	size_t n;

	while ((n = gb_keep_running_batch(s))) {
		while (n--) {
			seq = seqcount_wait_idle(prim_seq, 0, MICRO_RANGE);
			if (seqcount_sample(prim_seq, 0, MICRO_RANGE) != seq)
				abort();	/* nothing invalidates here */
		}
	}
}

static void bm_rangequeue_pair(struct gb_state *s, void *arg)
{
	struct rq_node node = { .start = 0, .end = MICRO_RANGE, .kind = RQ_READ };
	size_t n;

	while ((n = gb_keep_running_batch(s))) {
		while (n--) {
			if (rangequeue_acquire(&prim_rq, &node, true))
				abort();
			rangequeue_release(&prim_rq, &node);
		}
	}
}

/*
 * The floor of dispatch: a strategy whose ops do nothing, called through
 * the same table, so a strategy's own cost is its time minus this one.
 */
static int noop_init(struct snap_dom *d)
{
	return 0;
}

static void noop_fini(struct snap_dom *d)
{
}

static int noop_begin(struct snap_dom *d, struct snap_range *r)
{
	return 0;
}

static bool noop_retry(struct snap_dom *d, struct snap_range *r)
{
	return false;
}

static void noop_end(struct snap_dom *d, struct snap_range *r)
{
}

static int noop_invalidate_start(struct snap_dom *d, struct snap_range *r,
				 bool blockable)
{
	return 0;
}

static const struct snap_ops noop_ops = {
	.name			= "floor/noop-ops",
	.summary		= "every op returns at once",
	.init			= noop_init,
	.fini			= noop_fini,
	.read_begin		= noop_begin,
	.read_retry		= noop_retry,
	.read_end		= noop_end,
	.invalidate_start	= noop_invalidate_start,
	.invalidate_end		= noop_end,
};

static struct snap_dom noop_dom = { .ops = &noop_ops };

static void register_strategy(const struct snap_ops *ops)
{
	struct snap_dom *d = calloc(1, sizeof(*d));
	char name[128];

	if (!d || snap_dom_init(d, ops, MICRO_PAGES, MICRO_INTERVAL)) {
		fprintf(stderr, "snapbench micro: cannot set up %s\n", ops->name);
		exit(1);
	}
	snprintf(name, sizeof(name), "%s/read_begin+retry+end", ops->name);
	gb_register(name, bm_read_private, d);
	snprintf(name, sizeof(name), "%s/invalidate_start+end", ops->name);
	gb_register(name, bm_invalidate_private, d);
	snprintf(name, sizeof(name), "%s/read_begin+retry+end/contended", ops->name);
	gb_threads(gb_register(name, bm_read_shared, d), 2);
	snprintf(name, sizeof(name), "%s/invalidate_start+end/contended", ops->name);
	gb_threads(gb_register(name, bm_invalidate_shared, d), 2);
	/* Domains live until the process exits, like the registrations. */
}

int micro_main(int argc, char **argv)
{
	struct snap_dom prim_dom = { .nr_pages = MICRO_PAGES, .interval_pages = MICRO_INTERVAL };

	prim_seq = seqcount_alloc(&prim_dom);
	if (!prim_seq || rangequeue_init(&prim_rq) ||
	    pthread_spin_init(&floor_lock, PTHREAD_PROCESS_PRIVATE)) {
		fprintf(stderr, "snapbench micro: cannot set up the floors\n");
		return 1;
	}
	gb_register("floor/pthread_spin_lock+unlock", bm_spinlock_pair, NULL);
	gb_register("floor/two_atomic_loads", bm_two_loads, NULL);
	gb_register("floor/noop-ops/read_begin+retry+end", bm_read_private, &noop_dom);
	gb_register("harness/hist_record", bm_hist_record, NULL);
	gb_register("protocol/seqcount:wait_idle+sample", bm_seqcount_pair, NULL);
	gb_register("protocol/rangequeue:acquire+release", bm_rangequeue_pair, NULL);
	for (const struct snap_ops *const *o = snap_strategies; *o; o++)
		if (!(*o)->known_unsafe)
			register_strategy(*o);
	return gb_main(&argc, argv);
}
