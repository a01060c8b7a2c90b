/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seqcount.h - per-interval invalidation sequences (the mechanism behind
 * mmu_interval_notifier), shared by the strategies that check them.
 *
 * Every interval of d->interval_pages pages has a sequence that is odd
 * while at least one invalidation covering it is in progress and only
 * ever grows.  The sum of the sequences over a range therefore changes if
 * and only if an invalidation of one of its intervals began or ended.
 */
#ifndef SNAP_SEQCOUNT_H
#define SNAP_SEQCOUNT_H

#include <pthread.h>
#include <stdatomic.h>

#include "strategies/snap_ops.h"

#define SEQCOUNT_BUSY	(-1UL)

struct seqcount {
	unsigned int interval_shift;	/* interval_pages == 1 << shift */
	unsigned long nr_intervals;
	atomic_ulong waiters;		/* sleeping in seqcount_wait_idle() */
	pthread_mutex_t lock;		/* protects sleeping only */
	pthread_cond_t idle;
	atomic_ulong interval[];	/* seq << ACTIVE_BITS | active */
};

/*
 * Returns: a seqcount covering @d's address space, or NULL (out of memory,
 * or d->interval_pages not a power of two).
 */
struct seqcount *seqcount_alloc(const struct snap_dom *d);
void seqcount_free(struct seqcount *sc);

/*
 * Sum of the sequences of [start, end)'s intervals, or SEQCOUNT_BUSY when
 * an invalidation of one of them is in progress.  Lock-free: one load per
 * interval.
 */
unsigned long seqcount_sample(struct seqcount *sc, unsigned long start,
			      unsigned long end);

/* Sleep until no interval of [start, end) is busy; returns the sample. */
unsigned long seqcount_wait_idle(struct seqcount *sc, unsigned long start,
				 unsigned long end);

/* An invalidation of [start, end) begins / ends.  Never sleeps. */
void seqcount_invalidate_begin(struct seqcount *sc, unsigned long start,
			       unsigned long end);
void seqcount_invalidate_end(struct seqcount *sc, unsigned long start,
			     unsigned long end);

#endif /* SNAP_SEQCOUNT_H */
