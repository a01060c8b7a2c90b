// SPDX-License-Identifier: GPL-2.0
/*
 * rangelock2015.c - the seed as published (shared/seed/hmm-range-lock.patch.txt),
 * ported line by line with its own semantics; nothing in it is corrected.
 *
 * Theory of operation, as the seed has it
 *
 * struct hmm keeps one list of ranges (range locks and invalidations), a
 * sequence, a notifier_count and one wait queue.
 *
 *	hmm_vma_range_lock():     list_add; wait until notifier_count == 0
 *	hmm_vma_range_unlock():   list_del; if ->waiting: ->waiting->wakeup = true;
 *	                          wake_up
 *	hmm_invalidate_range():   if an overlapping range is listed: follow its
 *	                          ->waiting chain to the end, hang ourselves
 *	                          there, sleep until ->wakeup, return;
 *	                          else list_add, notifier_count++, sequence++,
 *	                          update the mirrors, hmm_vma_range_unlock(self)
 *	hmm_invalidate_range_end(): (not in the patch; as its hmm_invalidate_page)
 *	                          notifier_count--; wake_up
 *
 * Mapping onto snap_ops: read_begin/read_end are the range lock and unlock
 * (the driver snapshots and commits in between; there is no retry);
 * invalidate_start is hmm_invalidate_range(); invalidate_end is the range
 * end.  "Update the mirrors" is the device callback, which the model runs
 * right after invalidate_start() returns 0, so the seed's self-unlock, which
 * follows its mirror update, runs just before it; both still precede the
 * CPU PTE change.  The seed's early return skips the mirror update: that is
 * SNAP_INVALIDATE_NO_CALLBACK.  The seed keeps the invalidation's range on
 * the stack of hmm_invalidate_range(); after the early return it stays on
 * the list, pointing into a dead frame.  This port allocates it instead and
 * leaves it listed, so the suite can watch the consequence instead of
 * corrupting its own memory; each one is counted (entries_left_behind).
 *
 * What the suite finds (each with a trace in the report):
 *  - the early return skips the mirror update: the device keeps a PTE of a
 *    page the CPU no longer maps (invariant violations);
 *  - range_lock waits only for notifier_count == 0, which misses an
 *    invalidation that passed the list check but has not counted itself
 *    yet (invariant violations);
 *  - the early return never counted itself, yet the range end uncounts it:
 *    notifier_count goes negative and every range_lock waits forever;
 *  - an entry left behind never wakes whoever chains onto its ->waiting;
 *  - a mirror's own fault invalidating its locked range chains onto its own
 *    range lock and sleeps forever (the HMM v13 deadlock);
 *  - a non-blockable invalidation sleeps (the seed predates them).
 *
 * Beside the seed, and never deciding anything: arrival tickets (taken
 * where the seed lists a range, under hmm->lock), overtakes and wake-up
 * health (waitstats.h), and three witnesses that tell the races apart in a
 * C run: count_race_grants (a range lock granted while an overlapping
 * invalidation is listed but not yet counted), chain_wakeups_dropped (an
 * early return that leaves a waiter chained on it: the wake-up along the
 * chain is lost) and chained_on_dead (an invalidation chained behind an
 * entry whose owner had already returned early).  A snapshot waits for the
 * counted invalidations in flight; an invalidation for the entry it chained
 * behind, until that entry's owner unlocks it or returns early.  Injection
 * points (inject.h) widen the windows: rl2015_before_list, rl2015_locked,
 * rl2015_before_count, rl2015_after_unlock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "strategies/inject.h"
#include "strategies/snap_ops.h"
#include "strategies/waitstats.h"

/* struct hmm_range */
struct rangelock2015_range {
	struct rangelock2015_range *prev, *next;	/* list */
	unsigned long start, end;
	struct rangelock2015_range *waiting;
	atomic_bool wakeup;
	/* Checker state, not part of the seed. */
	struct waitstats_entry ws;
	bool dead;			/* returned early: nobody will unlock it */
	atomic_bool uncounted;		/* listed invalidation, count not raised */
};

/* What the caller keeps in snap_range.priv. */
struct rangelock2015_slot {
	struct rangelock2015_range *range;	/* the listed entry */
	bool early_return;
};
SNAP_RANGE_PRIV_FITS(struct rangelock2015_range);
SNAP_RANGE_PRIV_FITS(struct rangelock2015_slot);

/* struct hmm */
struct rangelock2015_hmm {
	pthread_mutex_t lock;			/* hmm->lock */
	struct rangelock2015_range ranges;	/* hmm->ranges */
	atomic_int sequence;
	atomic_int notifier_count;
	pthread_mutex_t wait_lock;		/* hmm->wait_queue */
	pthread_cond_t wait_queue;
	/* Findings, not part of the seed. */
	atomic_ulong early_returns;
	atomic_ulong entries_left_behind;
	atomic_ulong count_underflows;
	atomic_ulong slept_nonblockable;
	atomic_ulong count_race_grants;
	atomic_ulong chain_wakeups_dropped;
	atomic_ulong chained_on_dead;
	struct waitstats ws;
};

static void rangelock2015_lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m))
		abort();
}

static void rangelock2015_unlock(pthread_mutex_t *m)
{
	if (pthread_mutex_unlock(m))
		abort();
}

static void list_add(struct rangelock2015_range *n, struct rangelock2015_range *head)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static void list_del(struct rangelock2015_range *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

/* wait_event(hmm->wait_queue, cond) for the two conditions the seed uses. */
static void wait_event_wakeup(struct rangelock2015_hmm *hmm,
			      struct rangelock2015_range *range)
{
	rangelock2015_lock(&hmm->wait_lock);
	while (!atomic_load(&range->wakeup))
		if (pthread_cond_wait(&hmm->wait_queue, &hmm->wait_lock))
			abort();
	rangelock2015_unlock(&hmm->wait_lock);
}

static void wait_event_no_notifier(struct rangelock2015_hmm *hmm)
{
	rangelock2015_lock(&hmm->wait_lock);
	while (atomic_load(&hmm->notifier_count))
		if (pthread_cond_wait(&hmm->wait_queue, &hmm->wait_lock))
			abort();
	rangelock2015_unlock(&hmm->wait_lock);
}

static void wake_up(struct rangelock2015_hmm *hmm)
{
	rangelock2015_lock(&hmm->wait_lock);
	pthread_cond_broadcast(&hmm->wait_queue);
	rangelock2015_unlock(&hmm->wait_lock);
}

/* Range locks do not wait for each other; every other pair does. */
static bool rangelock2015_kinds_conflict(enum waitstats_kind a, enum waitstats_kind b)
{
	return a == WS_INVAL || b == WS_INVAL;
}

static int rangelock2015_init(struct snap_dom *d)
{
	struct rangelock2015_hmm *hmm = calloc(1, sizeof(*hmm));

	if (!hmm)
		return -ENOMEM;
	hmm->ranges.next = hmm->ranges.prev = &hmm->ranges;
	if (pthread_mutex_init(&hmm->lock, NULL) ||
	    pthread_mutex_init(&hmm->wait_lock, NULL) ||
	    pthread_cond_init(&hmm->wait_queue, NULL) ||
	    waitstats_init(&hmm->ws, rangelock2015_kinds_conflict)) {
		free(hmm);
		return -ENOMEM;
	}
	d->priv = hmm;
	return 0;
}

static void rangelock2015_fini(struct snap_dom *d)
{
	struct rangelock2015_hmm *hmm = d->priv;

	/* Entries left behind are still listed; the seed never frees them. */
	while (hmm->ranges.next != &hmm->ranges) {
		struct rangelock2015_range *r = hmm->ranges.next;

		list_del(r);
		free(r);
	}
	waitstats_destroy(&hmm->ws);
	pthread_cond_destroy(&hmm->wait_queue);
	pthread_mutex_destroy(&hmm->wait_lock);
	pthread_mutex_destroy(&hmm->lock);
	free(hmm);
}

/* hmm_vma_range_unlock() */
static void hmm_vma_range_unlock(struct rangelock2015_hmm *hmm,
				 struct rangelock2015_range *range)
{
	bool wakeup = false;

	rangelock2015_lock(&hmm->lock);
	list_del(range);
	if (range->waiting) {
		atomic_store(&range->waiting->wakeup, true);
		waitstats_clear(&hmm->ws, &range->waiting->ws);
		wakeup = true;
	}
	rangelock2015_unlock(&hmm->lock);

	inject(INJECT_RL2015_AFTER_UNLOCK);
	if (wakeup)
		wake_up(hmm);
}

/* hmm_vma_range_lock(): the driver's range is its snap_range.priv. */
static int rangelock2015_read_begin(struct snap_dom *d, struct snap_range *r)
{
	struct rangelock2015_range *range = (struct rangelock2015_range *)r->priv;
	struct rangelock2015_hmm *hmm = d->priv;

	struct rangelock2015_range *tmp;

	range->waiting = NULL;
	range->start = r->start;
	range->end = r->end;
	range->dead = false;
	atomic_store(&range->uncounted, false);

	inject(INJECT_RL2015_BEFORE_LIST);
	rangelock2015_lock(&hmm->lock);
	list_add(range, &hmm->ranges);
	waitstats_arrive(&hmm->ws, &range->ws, r->start, r->end, WS_SNAPSHOT);
	rangelock2015_unlock(&hmm->lock);
	waitstats_clear_unless_held(&hmm->ws, &range->ws);

	wait_event_no_notifier(hmm);

	/* Witness: an overlapping invalidation listed but not counted. */
	rangelock2015_lock(&hmm->lock);
	waitstats_granted(&hmm->ws, &range->ws);
	for (tmp = hmm->ranges.next; tmp != &hmm->ranges; tmp = tmp->next)
		if (atomic_load(&tmp->uncounted) &&
		    snap_range_overlaps(tmp->start, tmp->end, range->start, range->end)) {
			atomic_fetch_add(&hmm->count_race_grants, 1);
			break;
		}
	rangelock2015_unlock(&hmm->lock);
	inject(INJECT_RL2015_LOCKED);
	return 0;
}

static bool rangelock2015_read_retry(struct snap_dom *d, struct snap_range *r)
{
	return false;
}

static void rangelock2015_read_end(struct snap_dom *d, struct snap_range *r)
{
	hmm_vma_range_unlock(d->priv, (struct rangelock2015_range *)r->priv);
}

/* hmm_invalidate_range() */
static int rangelock2015_invalidate_start(struct snap_dom *d, struct snap_range *r,
					  bool blockable)
{
	struct rangelock2015_slot *slot = (struct rangelock2015_slot *)r->priv;
	struct rangelock2015_hmm *hmm = d->priv;
	struct rangelock2015_range *range, *tmp;

	range = calloc(1, sizeof(*range));
	if (!range)
		abort();
	slot->range = range;
	slot->early_return = false;
	range->waiting = NULL;
	range->start = r->start;
	range->end = r->end;

	rangelock2015_lock(&hmm->lock);
	for (tmp = hmm->ranges.next; tmp != &hmm->ranges; tmp = tmp->next) {
		if (range->start >= tmp->end || range->end <= tmp->start)
			continue;

		while (tmp->waiting)
			tmp = tmp->waiting;

		list_add(range, &hmm->ranges);
		tmp->waiting = range;
		atomic_store(&range->wakeup, false);
		waitstats_arrive(&hmm->ws, &range->ws, r->start, r->end, WS_INVAL);
		if (tmp->dead) {
			/* Its owner is gone: nothing will ever unlock it. */
			atomic_fetch_add(&hmm->chained_on_dead, 1);
			waitstats_clear(&hmm->ws, &range->ws);
		}
		rangelock2015_unlock(&hmm->lock);

		if (!blockable)
			atomic_fetch_add(&hmm->slept_nonblockable, 1);
		wait_event_wakeup(hmm, range);
		atomic_fetch_add(&hmm->early_returns, 1);
		atomic_fetch_add(&hmm->entries_left_behind, 1);
		slot->early_return = true;

		/* It returns without unlocking: whoever chained on it is stranded. */
		rangelock2015_lock(&hmm->lock);
		waitstats_granted(&hmm->ws, &range->ws);
		range->dead = true;
		if (range->waiting) {
			atomic_fetch_add(&hmm->chain_wakeups_dropped, 1);
			waitstats_clear(&hmm->ws, &range->waiting->ws);
		}
		rangelock2015_unlock(&hmm->lock);
		return SNAP_INVALIDATE_NO_CALLBACK;
	}
	list_add(range, &hmm->ranges);
	atomic_store(&range->uncounted, true);
	waitstats_arrive(&hmm->ws, &range->ws, r->start, r->end, WS_INVAL);
	rangelock2015_unlock(&hmm->lock);
	waitstats_clear(&hmm->ws, &range->ws);
	waitstats_granted(&hmm->ws, &range->ws);

	inject(INJECT_RL2015_BEFORE_COUNT);
	waitstats_hold(&hmm->ws, WS_SNAPSHOT, 1);
	atomic_fetch_add(&hmm->notifier_count, 1);
	atomic_store(&range->uncounted, false);
	atomic_fetch_add(&hmm->sequence, 1);

	/* The mirror update follows in the device callback; see the top. */
	hmm_vma_range_unlock(hmm, range);
	free(range);
	slot->range = NULL;
	return 0;
}

/* hmm_invalidate_range_end(), inferred from the seed's hmm_invalidate_page() */
static void rangelock2015_invalidate_end(struct snap_dom *d, struct snap_range *r)
{
	struct rangelock2015_slot *slot = (struct rangelock2015_slot *)r->priv;
	struct rangelock2015_hmm *hmm = d->priv;

	if (atomic_fetch_sub(&hmm->notifier_count, 1) <= 0)
		atomic_fetch_add(&hmm->count_underflows, 1);
	if (!slot->early_return)
		waitstats_hold(&hmm->ws, WS_SNAPSHOT, -1);
	wake_up(hmm);
}

static void rangelock2015_report(struct snap_dom *d,
				 void (*fn)(const char *name, unsigned long value, void *arg),
				 void *arg)
{
	struct rangelock2015_hmm *hmm = d->priv;

	fn("early_returns", atomic_load(&hmm->early_returns), arg);
	fn("entries_left_behind", atomic_load(&hmm->entries_left_behind), arg);
	fn("notifier_count_underflows", atomic_load(&hmm->count_underflows), arg);
	fn("slept_when_not_blockable", atomic_load(&hmm->slept_nonblockable), arg);
	fn("count_race_grants", atomic_load(&hmm->count_race_grants), arg);
	fn("chain_wakeups_dropped", atomic_load(&hmm->chain_wakeups_dropped), arg);
	fn("chained_on_dead", atomic_load(&hmm->chained_on_dead), arg);
	waitstats_report(&hmm->ws, fn, arg);
}

static bool rangelock2015_lost_wakeup(struct snap_dom *d, pthread_t thread,
				      char *buf, size_t len)
{
	struct rangelock2015_hmm *hmm = d->priv;

	return waitstats_lost_wakeup(&hmm->ws, thread, buf, len);
}

const struct snap_ops rangelock2015_ops = {
	.name			= "rangelock-2015",
	.summary		= "the seed as published (2015), uncorrected: shows how it fails",
	.init			= rangelock2015_init,
	.fini			= rangelock2015_fini,
	.read_begin		= rangelock2015_read_begin,
	.locks			= snap_locks_always,
	.read_retry		= rangelock2015_read_retry,
	.read_end		= rangelock2015_read_end,
	.invalidate_start	= rangelock2015_invalidate_start,
	.invalidate_end		= rangelock2015_invalidate_end,
	.report			= rangelock2015_report,
	.lost_wakeup		= rangelock2015_lost_wakeup,
	.known_unsafe		= true,
};
