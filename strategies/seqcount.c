// SPDX-License-Identifier: GPL-2.0
/*
 * seqcount.c - per-interval invalidation sequences: lock-free on every
 * path but sleeping readers, which use a mutex and condition variable.
 */
#include <stdlib.h>

#include "strategies/seqcount.h"

/* One interval's word: low bits count active invalidations, the rest is seq. */
#define ACTIVE_BITS	20
#define ACTIVE_MASK	((1UL << ACTIVE_BITS) - 1)
#define SEQ_ONE		(1UL << ACTIVE_BITS)

struct seqcount *seqcount_alloc(const struct snap_dom *d)
{
	unsigned long n = (d->nr_pages + d->interval_pages - 1) / d->interval_pages;
	struct seqcount *sc;

	if (d->interval_pages & (d->interval_pages - 1))
		return NULL;
	sc = calloc(1, sizeof(*sc) + n * sizeof(sc->interval[0]));
	if (!sc)
		return NULL;
	sc->interval_shift = __builtin_ctzl(d->interval_pages);
	sc->nr_intervals = n;
	if (pthread_mutex_init(&sc->lock, NULL))
		goto err_free;
	if (pthread_cond_init(&sc->idle, NULL))
		goto err_mutex;
	return sc;

err_mutex:
	pthread_mutex_destroy(&sc->lock);
err_free:
	free(sc);
	return NULL;
}

void seqcount_free(struct seqcount *sc)
{
	pthread_cond_destroy(&sc->idle);
	pthread_mutex_destroy(&sc->lock);
	free(sc);
}

unsigned long seqcount_sample(struct seqcount *sc, unsigned long start,
			      unsigned long end)
{
	unsigned long i, sum = 0;

	for (i = start >> sc->interval_shift; i <= (end - 1) >> sc->interval_shift; i++) {
		/* Pairs with the seq_cst updates in seqcount_invalidate_*(). */
		unsigned long w = atomic_load(&sc->interval[i]);

		if (w & ACTIVE_MASK)
			return SEQCOUNT_BUSY;
		sum += w >> ACTIVE_BITS;
	}
	return sum;
}

unsigned long seqcount_wait_idle(struct seqcount *sc, unsigned long start,
				 unsigned long end)
{
	unsigned long seq = seqcount_sample(sc, start, end);

	if (seq != SEQCOUNT_BUSY)
		return seq;
	if (pthread_mutex_lock(&sc->lock))
		abort();
	/*
	 * Pairs with the seq_cst decrement and waiters load in
	 * seqcount_invalidate_end(): either it sees us waiting, or we see the
	 * interval idle.
	 */
	atomic_fetch_add(&sc->waiters, 1);
	while ((seq = seqcount_sample(sc, start, end)) == SEQCOUNT_BUSY)
		if (pthread_cond_wait(&sc->idle, &sc->lock))
			abort();
	atomic_fetch_sub(&sc->waiters, 1);
	if (pthread_mutex_unlock(&sc->lock))
		abort();
	return seq;
}

void seqcount_invalidate_begin(struct seqcount *sc, unsigned long start,
			       unsigned long end)
{
	unsigned long i, w, n;

	for (i = start >> sc->interval_shift; i <= (end - 1) >> sc->interval_shift; i++) {
		w = atomic_load_explicit(&sc->interval[i], memory_order_relaxed);
		do {
			n = w + 1;
			if (!(w & ACTIVE_MASK))
				n += SEQ_ONE;	/* now odd */
		} while (!atomic_compare_exchange_weak(&sc->interval[i], &w, n));
	}
}

void seqcount_invalidate_end(struct seqcount *sc, unsigned long start,
			     unsigned long end)
{
	unsigned long i, w, n;
	bool idle = false;

	for (i = start >> sc->interval_shift; i <= (end - 1) >> sc->interval_shift; i++) {
		w = atomic_load_explicit(&sc->interval[i], memory_order_relaxed);
		do {
			n = w - 1;
			if (!(n & ACTIVE_MASK))
				n += SEQ_ONE;	/* even again */
		} while (!atomic_compare_exchange_weak(&sc->interval[i], &w, n));
		idle |= !(n & ACTIVE_MASK);
	}
	if (idle && atomic_load(&sc->waiters)) {
		if (pthread_mutex_lock(&sc->lock))
			abort();
		pthread_cond_broadcast(&sc->idle);
		if (pthread_mutex_unlock(&sc->lock))
			abort();
	}
}
