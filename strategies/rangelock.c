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
#include <pthread.h>
#include <stdlib.h>

#include "strategies/snap_ops.h"

enum rangelock_kind { RANGELOCK_READ, RANGELOCK_INVAL, RANGELOCK_PASS };

/* Per-thread wait channel: a waiter sleeps on its own condition variable. */
static _Thread_local pthread_cond_t rangelock_self_wake = PTHREAD_COND_INITIALIZER;

/* Queue node, kept in snap_range.priv while the range is in flight. */
struct rangelock_node {
	struct rangelock_node *prev, *next;
	unsigned long start, end;
	enum rangelock_kind kind;
	unsigned int blockers;		/* earlier conflicting entries */
	pthread_cond_t *wake;		/* owner's wait channel */
	const void *owner;		/* owning thread, for pass-through */
};
SNAP_RANGE_PRIV_FITS(struct rangelock_node);

struct rangelock_dom {
	pthread_mutex_t lock;		/* protects the queue and blockers */
	struct rangelock_node head;	/* queue in arrival order */
};

static struct rangelock_node *rangelock_node(struct snap_range *r)
{
	return (struct rangelock_node *)r->priv;
}

static const void *rangelock_self(void)
{
	return &rangelock_self_wake;
}

static bool rangelock_conflicts(const struct rangelock_node *a,
				const struct rangelock_node *b)
{
	if (a->kind == RANGELOCK_INVAL && b->kind == RANGELOCK_INVAL)
		return false;
	return snap_range_overlaps(a->start, a->end, b->start, b->end);
}

static void rangelock_lock(struct rangelock_dom *rl)
{
	if (pthread_mutex_lock(&rl->lock))
		abort();
}

static void rangelock_unlock(struct rangelock_dom *rl)
{
	if (pthread_mutex_unlock(&rl->lock))
		abort();
}

static int rangelock_init(struct snap_dom *d)
{
	struct rangelock_dom *rl = calloc(1, sizeof(*rl));
	int ret;

	if (!rl)
		return -ENOMEM;
	ret = pthread_mutex_init(&rl->lock, NULL);
	if (ret) {
		free(rl);
		return -ret;
	}
	rl->head.next = rl->head.prev = &rl->head;
	d->priv = rl;
	return 0;
}

static void rangelock_fini(struct snap_dom *d)
{
	struct rangelock_dom *rl = d->priv;

	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

/* Count @n's blockers among the queued entries.  Caller holds rl->lock. */
static unsigned int rangelock_count_blockers(struct rangelock_dom *rl,
					     const struct rangelock_node *n)
{
	unsigned int blockers = 0;

	for (struct rangelock_node *e = rl->head.next; e != &rl->head; e = e->next)
		blockers += rangelock_conflicts(e, n);
	return blockers;
}

/*
 * Queue @n (already filled in) and sleep until it is granted, or, when
 * !@blockable, fail with -EAGAIN if it would have to wait.
 */
static int rangelock_acquire(struct snap_dom *d, struct rangelock_node *n,
			     bool blockable)
{
	struct rangelock_dom *rl = d->priv;
	int ret = 0;

	n->owner = rangelock_self();
	n->wake = &rangelock_self_wake;

	rangelock_lock(rl);
	n->blockers = rangelock_count_blockers(rl, n);
	if (n->blockers && !blockable) {
		rangelock_unlock(rl);
		return -EAGAIN;
	}
	n->prev = rl->head.prev;
	n->next = &rl->head;
	rl->head.prev->next = n;
	rl->head.prev = n;
	while (n->blockers) {
		ret = pthread_cond_wait(n->wake, &rl->lock);
		if (ret)
			abort();
	}
	rangelock_unlock(rl);
	return 0;
}

static void rangelock_release(struct snap_dom *d, struct rangelock_node *n)
{
	struct rangelock_dom *rl = d->priv;

	rangelock_lock(rl);
	for (struct rangelock_node *e = n->next; e != &rl->head; e = e->next) {
		if (!rangelock_conflicts(e, n))
			continue;
		/* Signalled under the lock: the waiter cannot miss it. */
		if (--e->blockers == 0)
			pthread_cond_signal(e->wake);
	}
	n->prev->next = n->next;
	n->next->prev = n->prev;
	rangelock_unlock(rl);
}

static int rangelock_read_begin(struct snap_dom *d, struct snap_range *r)
{
	struct rangelock_node *n = rangelock_node(r);

	n->start = r->start;
	n->end = r->end;
	n->kind = RANGELOCK_READ;
	return rangelock_acquire(d, n, true);
}

static bool rangelock_read_retry(struct snap_dom *d, struct snap_range *r)
{
	return false;
}

static void rangelock_read_end(struct snap_dom *d, struct snap_range *r)
{
	rangelock_release(d, rangelock_node(r));
}

/*
 * If the calling thread holds a READ entry overlapping @n, return it.
 * Caller holds rl->lock.  READs are exclusive, so there is at most one.
 */
static struct rangelock_node *rangelock_held_read(struct rangelock_dom *rl,
						  const struct rangelock_node *n)
{
	for (struct rangelock_node *e = rl->head.next; e != &rl->head; e = e->next)
		if (e->kind == RANGELOCK_READ && e->owner == n->owner &&
		    snap_range_overlaps(e->start, e->end, n->start, n->end))
			return e;
	return NULL;
}

static int rangelock_invalidate_start(struct snap_dom *d, struct snap_range *r,
				      bool blockable)
{
	struct rangelock_dom *rl = d->priv;
	struct rangelock_node *n = rangelock_node(r), *held;

	n->start = r->start;
	n->end = r->end;
	n->kind = RANGELOCK_INVAL;
	n->owner = rangelock_self();

	if (blockable) {
		rangelock_lock(rl);
		held = rangelock_held_read(rl, n);
		rangelock_unlock(rl);
		if (held) {
			/* Only the holder reads or writes its own entry's range. */
			if (n->start < held->start || n->end > held->end)
				return -EDEADLK;
			n->kind = RANGELOCK_PASS;
			return 0;
		}
	}
	return rangelock_acquire(d, n, blockable);
}

static void rangelock_invalidate_end(struct snap_dom *d, struct snap_range *r)
{
	struct rangelock_node *n = rangelock_node(r);

	if (n->kind != RANGELOCK_PASS)
		rangelock_release(d, n);
}

const struct snap_ops rangelock_ops = {
	.name			= "rangelock",
	.summary		= "FIFO range lock between snapshots and invalidations; try-invalidate when non-blockable",
	.init			= rangelock_init,
	.fini			= rangelock_fini,
	.read_begin		= rangelock_read_begin,
	.read_retry		= rangelock_read_retry,
	.read_end		= rangelock_read_end,
	.invalidate_start	= rangelock_invalidate_start,
	.invalidate_end		= rangelock_invalidate_end,
};
