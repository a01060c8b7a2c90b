// SPDX-License-Identifier: GPL-2.0
/*
 * rangelock.c - the seed's design done right: snapshots and invalidations of
 * overlapping ranges exclude each other and are served in arrival order.
 *
 * Theory of operation
 *
 * Every snapshot (READ) and every invalidation (INVAL) in flight is an entry
 * on one queue per domain, in arrival order.  Two entries conflict when
 * their ranges overlap and at least one is a READ:
 *
 *	            READ   INVAL
 *	READ        wait   wait
 *	INVAL       wait   share
 *
 * READs exclude each other so that an entry's own faults can pass through
 * (below); INVALs share, as concurrent invalidations do in the kernel.  On
 * arrival an entry counts its blockers: the earlier entries on the queue it
 * conflicts with.  It sleeps until that count is zero; a release decrements
 * the count of every later entry it blocked and wakes those that reach zero.
 *
 * Forward progress for both sides: an entry's blockers are fixed at arrival
 * and are all earlier entries, so the wait-for graph only points backwards in
 * arrival order and has no cycle.  The oldest entry never waits; by induction
 * every entry is granted once the finite set of earlier conflicting entries
 * has released.  Neither a stream of invalidations nor a stream of snapshots
 * can overtake a waiter: a mirror pass waits for at most the invalidations
 * that arrived before it, then takes its snapshot without any retry, and an
 * invalidation waits for at most the snapshots that arrived before it.
 *
 * Try-to-invalidate (the fix the seed proposed but did not write): a
 * non-blockable invalidation that has any blocker returns -EAGAIN and leaves
 * nothing queued, so reclaim can skip the candidate.
 *
 * Faults under the lock (the deadlock that withdrew the 2016 posting): a
 * mirror pass holds its READ entry while it faults pages in, and the fault
 * may itself invalidate the range (a COW break), or allocate memory and enter
 * direct reclaim.  A naive queue deadlocks: the fault's INVAL waits for the
 * READ held by its own thread.
 *
 *	mirror thread T				queue
 *	read_begin [0,8)			READ(T) granted
 *	fault page 3: COW break
 *	invalidate_start [3,4)			INVAL waits for READ(T): deadlock
 *
 * Two rules avoid it:
 *  1. A blockable invalidation made by the thread that holds a READ entry,
 *     and lying inside that entry's range, passes through without queueing.
 *     It is part of the holder's own critical section: READs are exclusive,
 *     so no other snapshot of those pages is in flight, and every later
 *     conflicting entry is still waiting for the holder, so none has looked
 *     at them.  The holder snapshots a page after faulting it, so its own
 *     snapshot stays coherent.
 *  2. Direct reclaim entered from such a fault must not wait on any range
 *     lock (it could wait for another holder that is waiting for us).  The
 *     model runs it non-blockable (a scope flag on the faulting thread, as
 *     memalloc_noio_save() is in the kernel), so a busy candidate, including
 *     one in the holder's own range, is skipped.  A blockable invalidation by
 *     a holder that strays outside its range would re-open the deadlock; it
 *     gets -EDEADLK.
 *
 * read_retry() is always false: while the READ entry is held no conflicting
 * invalidation can run, so the snapshot cannot go stale.
 */
#include <errno.h>
#include <stdlib.h>

#include "strategies/rangequeue.h"

/* Per-range state, in snap_range.priv. */
struct rangelock_range {
	struct rq_node node;
	bool passed;			/* the holder's own fault: not queued */
};
SNAP_RANGE_PRIV_FITS(struct rangelock_range);

static struct rangelock_range *rangelock_range(struct snap_range *r,
					       enum rq_kind kind)
{
	struct rangelock_range *rr = (struct rangelock_range *)r->priv;

	rr->node.start = r->start;
	rr->node.end = r->end;
	rr->node.kind = kind;
	return rr;
}

static int rangelock_init(struct snap_dom *d)
{
	struct rangequeue *q = malloc(sizeof(*q));
	int ret;

	if (!q)
		return -ENOMEM;
	ret = rangequeue_init(q);
	if (ret) {
		free(q);
		return ret;
	}
	d->priv = q;
	return 0;
}

static void rangelock_fini(struct snap_dom *d)
{
	rangequeue_destroy(d->priv);
	free(d->priv);
}

static int rangelock_read_begin(struct snap_dom *d, struct snap_range *r)
{
	return rangequeue_acquire(d->priv, &rangelock_range(r, RQ_READ)->node, true);
}

static bool rangelock_read_retry(struct snap_dom *d, struct snap_range *r)
{
	return false;
}

static void rangelock_read_end(struct snap_dom *d, struct snap_range *r)
{
	rangequeue_release(d->priv, &((struct rangelock_range *)r->priv)->node);
}

static int rangelock_invalidate_start(struct snap_dom *d, struct snap_range *r,
				      bool blockable)
{
	struct rangelock_range *rr = rangelock_range(r, RQ_INVAL);
	int ret = rangequeue_acquire(d->priv, &rr->node, blockable);

	rr->passed = ret == RQ_PASSED;
	return rr->passed ? 0 : ret;
}

static void rangelock_invalidate_end(struct snap_dom *d, struct snap_range *r)
{
	struct rangelock_range *rr = (struct rangelock_range *)r->priv;

	if (!rr->passed)
		rangequeue_release(d->priv, &rr->node);
}

static void rangelock_report(struct snap_dom *d,
			     void (*fn)(const char *name, unsigned long value, void *arg),
			     void *arg)
{
	rangequeue_report(d->priv, fn, arg);
}

static bool rangelock_lost_wakeup(struct snap_dom *d, pthread_t thread, char *buf, size_t len)
{
	return rangequeue_lost_wakeup(d->priv, thread, buf, len);
}

const struct snap_ops rangelock_ops = {
	.name			= "rangelock",
	.summary		= "FIFO range lock between snapshots and invalidations; try-invalidate when non-blockable",
	.init			= rangelock_init,
	.fini			= rangelock_fini,
	.read_begin		= rangelock_read_begin,
	.locks			= snap_locks_always,
	.read_retry		= rangelock_read_retry,
	.read_end		= rangelock_read_end,
	.invalidate_start	= rangelock_invalidate_start,
	.invalidate_end		= rangelock_invalidate_end,
	.report			= rangelock_report,
	.lost_wakeup		= rangelock_lost_wakeup,
};
