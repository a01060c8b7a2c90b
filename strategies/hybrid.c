// SPDX-License-Identifier: GPL-2.0
/*
 * hybrid.c - optimistic seqretry for a few attempts, then one guaranteed
 * pass under the range lock, so invalidations only ever wait behind a
 * driver that has already failed to make progress.
 *
 * Theory of operation
 *
 * Both mechanisms run side by side: the interval sequences of seqretry
 * (seqcount.h) and the FIFO range queue of rangelock (rangequeue.h), plus
 * nr_locked, the number of passes in locked mode.
 *
 *	optimistic pass:  wait idle, sample seq, snapshot, retry if seq moved
 *	locked pass:      nr_locked++, queue READ (FIFO), wait idle, snapshot,
 *	                  commit without checking seq, release, nr_locked--
 *	invalidation:     bump seq; if nr_locked == 0, go on (never waits);
 *	                  else unbump, queue INVAL (FIFO), bump again, go on
 *
 * A pass turns locked after HYBRID_ATTEMPTS failed attempts (its caller
 * numbers the attempts of a pass in snap_range.attempt).  While nobody is
 * locked, invalidations cost what they cost under seqretry: a sequence
 * bump, no lock.
 *
 * Why a locked pass needs no retry: an invalidation bumps its intervals and
 * then reads nr_locked; a locking pass increments nr_locked and then waits
 * for its intervals to be idle (all seq_cst).  Either the invalidation sees
 * nr_locked > 0 and queues, so it waits for the READ it overlaps, or the
 * pass sees the interval busy and waits for that invalidation to end.  No
 * invalidation can change the pass's pages between its snapshot and commit,
 * except the pass's own faults, which pass through as under rangelock.
 *
 * Why a queued invalidation unbumps while it waits: waiting readers wait for
 * idle intervals.  If a queued invalidation kept its interval busy, a locked
 * pass A could wait for it while it waits for locked pass B, and B could wait
 * the same way for A (intervals are coarser than ranges): a cycle.  Queued
 * invalidations hold no interval busy, so a locked pass only ever waits for
 * unqueued invalidations, which wait for nobody.
 *
 * Forward progress: a locked pass waits for earlier conflicting entries
 * (FIFO, as rangelock) and for in-flight unqueued invalidations, then
 * commits; its own COW breaks do not force a retry.  Invalidations block
 * only behind locked passes.  So a pass retries for invalidations at most
 * HYBRID_ATTEMPTS times.  What no lock bounds: a fault of the pass that
 * fails for lack of memory (its reclaim may not invalidate its own locked
 * range) restarts it, locked again; the generic pass counts those apart,
 * as fault_retries.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "strategies/rangequeue.h"
#include "strategies/seqcount.h"

#define HYBRID_ATTEMPTS	3	/* optimistic attempts before locking */

struct hybrid_dom {
	struct seqcount *seq;
	struct rangequeue queue;
	atomic_ulong nr_locked;		/* passes in locked mode */
};

/* Per-range state, in snap_range.priv. */
struct hybrid_range {
	struct rq_node node;
	bool locked;			/* READ: this attempt holds the lock */
	bool queued;			/* INVAL: went through the queue */
};
SNAP_RANGE_PRIV_FITS(struct hybrid_range);

static struct hybrid_range *hybrid_range(struct snap_range *r)
{
	return (struct hybrid_range *)r->priv;
}

static int hybrid_init(struct snap_dom *d)
{
	struct hybrid_dom *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->seq = seqcount_alloc(d);
	if (!h->seq || rangequeue_init(&h->queue)) {
		if (h->seq)
			seqcount_free(h->seq);
		free(h);
		return -ENOMEM;
	}
	d->priv = h;
	return 0;
}

static void hybrid_fini(struct snap_dom *d)
{
	struct hybrid_dom *h = d->priv;

	rangequeue_destroy(&h->queue);
	seqcount_free(h->seq);
	free(h);
}

static bool hybrid_locks(const struct snap_dom *d, unsigned int attempt)
{
	return attempt >= HYBRID_ATTEMPTS;
}

static int hybrid_read_begin(struct snap_dom *d, struct snap_range *r)
{
	struct hybrid_range *hr = hybrid_range(r);
	struct hybrid_dom *h = d->priv;
	int ret;

	hr->locked = hybrid_locks(d, r->attempt);
	if (hr->locked) {
		atomic_fetch_add(&h->nr_locked, 1);
		hr->node.start = r->start;
		hr->node.end = r->end;
		hr->node.kind = RQ_READ;
		ret = rangequeue_acquire(&h->queue, &hr->node, true);
		if (ret) {
			atomic_fetch_sub(&h->nr_locked, 1);
			return ret;
		}
	}
	r->seq = seqcount_wait_idle(h->seq, r->start, r->end);
	return 0;
}

static bool hybrid_read_retry(struct snap_dom *d, struct snap_range *r)
{
	struct hybrid_dom *h = d->priv;

	return !hybrid_range(r)->locked &&
	       seqcount_sample(h->seq, r->start, r->end) != r->seq;
}

static void hybrid_read_end(struct snap_dom *d, struct snap_range *r)
{
	struct hybrid_range *hr = hybrid_range(r);
	struct hybrid_dom *h = d->priv;

	if (hr->locked) {
		rangequeue_release(&h->queue, &hr->node);
		atomic_fetch_sub(&h->nr_locked, 1);
	}
}

static int hybrid_invalidate_start(struct snap_dom *d, struct snap_range *r,
				   bool blockable)
{
	struct hybrid_range *hr = hybrid_range(r);
	struct hybrid_dom *h = d->priv;
	int ret;

	hr->queued = false;
	seqcount_invalidate_begin(h->seq, r->start, r->end);
	/* seq_cst: pairs with nr_locked++ then wait-idle in read_begin(). */
	if (!atomic_load(&h->nr_locked))
		return 0;

	/* Step aside while queued: hold no interval busy (see above). */
	seqcount_invalidate_end(h->seq, r->start, r->end);
	hr->node.start = r->start;
	hr->node.end = r->end;
	hr->node.kind = RQ_INVAL;
	ret = rangequeue_acquire(&h->queue, &hr->node, blockable);
	if (ret < 0)
		return ret;
	hr->queued = ret != RQ_PASSED;
	seqcount_invalidate_begin(h->seq, r->start, r->end);
	return 0;
}

static void hybrid_invalidate_end(struct snap_dom *d, struct snap_range *r)
{
	struct hybrid_range *hr = hybrid_range(r);
	struct hybrid_dom *h = d->priv;

	seqcount_invalidate_end(h->seq, r->start, r->end);
	if (hr->queued)
		rangequeue_release(&h->queue, &hr->node);
}

/*
 * The locked passes and the invalidations they queue (order.*, wakeup.*);
 * and the design's bound on retries: a pass retries at most HYBRID_ATTEMPTS
 * times, then commits under the lock.
 */
static void hybrid_report(struct snap_dom *d,
			  void (*fn)(const char *name, unsigned long value, void *arg),
			  void *arg)
{
	struct hybrid_dom *h = d->priv;

	rangequeue_report(&h->queue, fn, arg);
	fn("hybrid.retries_bound", HYBRID_ATTEMPTS, arg);
}

static bool hybrid_lost_wakeup(struct snap_dom *d, pthread_t thread, char *buf, size_t len)
{
	struct hybrid_dom *h = d->priv;

	return rangequeue_lost_wakeup(&h->queue, thread, buf, len);
}

static const struct snap_param hybrid_params[] = {
	{ .name = "attempts", .value = HYBRID_ATTEMPTS,
	  .help = "optimistic attempts of a pass before it takes the range lock" },
	{ .name = NULL },
};

#define HYBRID_STR(x)	#x
#define HYBRID_XSTR(x)	HYBRID_STR(x)

const struct snap_ops hybrid_ops = {
	.name			= "hybrid",
	.summary		= "seqretry for " HYBRID_XSTR(HYBRID_ATTEMPTS)
				  " attempts, then one pass under the FIFO range lock",
	.params			= hybrid_params,
	.init			= hybrid_init,
	.fini			= hybrid_fini,
	.read_begin		= hybrid_read_begin,
	.locks			= hybrid_locks,
	.read_retry		= hybrid_read_retry,
	.read_end		= hybrid_read_end,
	.invalidate_start	= hybrid_invalidate_start,
	.invalidate_end		= hybrid_invalidate_end,
	.report			= hybrid_report,
	.lost_wakeup		= hybrid_lost_wakeup,
};
