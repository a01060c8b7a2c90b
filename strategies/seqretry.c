// SPDX-License-Identifier: GPL-2.0
/*
 * seqretry.c - upstream's choice: snapshot optimistically, then check an
 * interval sequence under the device lock and retry if an invalidation ran.
 *
 * Theory of operation
 *
 * The driver subscribes to the address space in fixed intervals of
 * d->interval_pages pages (one mmu_interval_notifier each).  Every interval
 * has a sequence that is odd while at least one invalidation covering it is
 * in progress, and even otherwise; it only ever grows:
 *
 *	invalidate_start:	active++; if it was 0, seq++ (now odd)
 *	invalidate_end:		active--; if it is now 0, seq++ (even again)
 *	read_begin:		wait until no interval of r is odd; r->seq = sum of seqs
 *	read_retry:		sum of seqs != r->seq
 *
 * Because every sequence is monotonic, the sum over the intervals of a range
 * changes if and only if one of them changed, so read_retry() is exactly
 * "an invalidation overlapping one of r's intervals began since read_begin"
 * (or one that was in progress ended, which read_begin already excluded).
 * The fast path is one load per interval in read_begin and one in
 * read_retry; invalidations never wait for readers.
 *
 * The race it prevents (one interval, device lock = DL):
 *
 *	mirror				invalidation
 *	read_begin: seq = 2
 *	snapshot PTE -> page A
 *					invalidate_start: seq = 3
 *					callback: DL, zap device PTEs, unlock
 *					CPU PTE: A -> none, free A
 *	DL; read_retry: 3 != 2 -> retry	(committing A would map a freed page)
 *
 * The invalidation bumps the sequence before its device callback takes DL,
 * and the mirror reads it under DL, so either the mirror sees the bump or
 * the callback runs after the commit and zaps what was committed.
 *
 * No forward progress is promised to the mirror: an invalidation storm that
 * keeps hitting the range makes it retry without bound.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "strategies/snap_ops.h"

/* One interval's state: low bits count active invalidations, the rest is seq. */
#define SEQRETRY_ACTIVE_BITS	20
#define SEQRETRY_ACTIVE_MASK	((1UL << SEQRETRY_ACTIVE_BITS) - 1)
#define SEQRETRY_SEQ_ONE	(1UL << SEQRETRY_ACTIVE_BITS)

struct seqretry_dom {
	unsigned long nr_intervals;
	atomic_ulong waiters;		/* readers sleeping in read_begin */
	pthread_mutex_t lock;		/* protects sleeping only */
	pthread_cond_t idle;		/* an interval became idle */
	atomic_ulong interval[];	/* seq << ACTIVE_BITS | active */
};

static unsigned long seqretry_first(struct snap_dom *d, unsigned long page)
{
	return page / d->interval_pages;
}

static unsigned long seqretry_last(struct snap_dom *d, unsigned long end)
{
	return (end - 1) / d->interval_pages;
}

static int seqretry_init(struct snap_dom *d)
{
	unsigned long n = (d->nr_pages + d->interval_pages - 1) / d->interval_pages;
	struct seqretry_dom *s;
	int ret;

	s = calloc(1, sizeof(*s) + n * sizeof(s->interval[0]));
	if (!s)
		return -ENOMEM;
	s->nr_intervals = n;
	ret = pthread_mutex_init(&s->lock, NULL);
	if (ret)
		goto err_free;
	ret = pthread_cond_init(&s->idle, NULL);
	if (ret)
		goto err_mutex;
	d->priv = s;
	return 0;

err_mutex:
	pthread_mutex_destroy(&s->lock);
err_free:
	free(s);
	return -ret;
}

static void seqretry_fini(struct snap_dom *d)
{
	struct seqretry_dom *s = d->priv;

	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/*
 * Sum of the sequences of r's intervals, or -1UL when one of them has an
 * invalidation in progress.
 */
static unsigned long seqretry_sample(struct snap_dom *d, struct snap_range *r)
{
	struct seqretry_dom *s = d->priv;
	unsigned long i, sum = 0;

	for (i = seqretry_first(d, r->start); i <= seqretry_last(d, r->end); i++) {
		/* Pairs with the release in seqretry_invalidate_end(). */
		unsigned long w = atomic_load_explicit(&s->interval[i],
						       memory_order_acquire);

		if (w & SEQRETRY_ACTIVE_MASK)
			return -1UL;
		sum += w >> SEQRETRY_ACTIVE_BITS;
	}
	return sum;
}

static int seqretry_read_begin(struct snap_dom *d, struct snap_range *r)
{
	struct seqretry_dom *s = d->priv;
	unsigned long seq = seqretry_sample(d, r);
	int ret = 0;

	if (seq != -1UL)
		goto out;

	/* Slow path: sleep until no interval of r is being invalidated. */
	if (pthread_mutex_lock(&s->lock))
		abort();
	/*
	 * Pairs with the seq_cst decrement and waiters load in
	 * seqretry_invalidate_end(): either it sees us waiting, or we see the
	 * interval idle.
	 */
	atomic_fetch_add(&s->waiters, 1);
	while ((seq = seqretry_sample(d, r)) == -1UL) {
		ret = pthread_cond_wait(&s->idle, &s->lock);
		if (ret)
			break;
	}
	atomic_fetch_sub(&s->waiters, 1);
	if (pthread_mutex_unlock(&s->lock))
		abort();
out:
	r->seq = seq;
	return -ret;
}

static bool seqretry_read_retry(struct snap_dom *d, struct snap_range *r)
{
	return seqretry_sample(d, r) != r->seq;
}

static void seqretry_read_end(struct snap_dom *d, struct snap_range *r)
{
}

static int seqretry_invalidate_start(struct snap_dom *d, struct snap_range *r,
				     bool blockable)
{
	struct seqretry_dom *s = d->priv;
	unsigned long i;

	for (i = seqretry_first(d, r->start); i <= seqretry_last(d, r->end); i++) {
		unsigned long w = atomic_load_explicit(&s->interval[i],
						       memory_order_relaxed);
		unsigned long n;

		do {
			n = w + 1;
			if (!(w & SEQRETRY_ACTIVE_MASK))
				n += SEQRETRY_SEQ_ONE;	/* now odd */
			/*
			 * seq_cst: the bump must be visible before the device
			 * callback takes the device lock and before any CPU
			 * PTE changes.  Pairs with read_retry() under the lock.
			 */
		} while (!atomic_compare_exchange_weak(&s->interval[i], &w, n));
	}
	return 0;
}

static void seqretry_invalidate_end(struct snap_dom *d, struct snap_range *r)
{
	struct seqretry_dom *s = d->priv;
	bool idle = false;
	unsigned long i;

	for (i = seqretry_first(d, r->start); i <= seqretry_last(d, r->end); i++) {
		unsigned long w = atomic_load_explicit(&s->interval[i],
						       memory_order_relaxed);
		unsigned long n;

		do {
			n = w - 1;
			if (!(n & SEQRETRY_ACTIVE_MASK))
				n += SEQRETRY_SEQ_ONE;	/* even again */
		} while (!atomic_compare_exchange_weak(&s->interval[i], &w, n));
		idle |= !(n & SEQRETRY_ACTIVE_MASK);
	}

	if (idle && atomic_load(&s->waiters)) {
		if (pthread_mutex_lock(&s->lock))
			abort();
		pthread_cond_broadcast(&s->idle);
		if (pthread_mutex_unlock(&s->lock))
			abort();
	}
}

const struct snap_ops seqretry_ops = {
	.name			= "seqretry",
	.summary		= "interval sequence checked under the device lock; retry on change (upstream)",
	.init			= seqretry_init,
	.fini			= seqretry_fini,
	.read_begin		= seqretry_read_begin,
	.read_retry		= seqretry_read_retry,
	.read_end		= seqretry_read_end,
	.invalidate_start	= seqretry_invalidate_start,
	.invalidate_end		= seqretry_invalidate_end,
};
