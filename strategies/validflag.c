// SPDX-License-Identifier: GPL-2.0
/*
 * validflag.c - HMM's range tracking as merged in Linux 5.2 (mm/hmm.c,
 * include/linux/hmm.h): hmm_range_register(), hmm_range_wait_until_valid(),
 * hmm_range_valid().  Ported with its own semantics; nothing is corrected,
 * including the race that made upstream retire it.
 *
 * Theory of operation, as Linux 5.2 has it
 *
 * struct hmm (one per mm) keeps the list of registered ranges, notifiers
 * (the number of invalidations of the whole mm between start and end), a
 * mutex over both, and one wait queue.  Each struct hmm_range has one bool,
 * valid.  The states of a range: unregistered; registered and valid;
 * registered and invalid (an overlapping invalidation started, or one was in
 * progress anywhere in the mm when it registered).
 *
 *	register:	 lock; list_add; valid = (notifiers == 0); unlock
 *	wait_until_valid: sleep until valid, at most 1000 ms; return valid
 *	valid:		 return valid (the driver asks under its device lock)
 *	unregister:	 lock; list_del; unlock; valid = false
 *	inval. start:	 lock (trylock if !blockable, else -EAGAIN); notifiers++;
 *			 valid = false on each listed range that overlaps;
 *			 unlock; then the device callbacks
 *	inval. end:	 lock; if --notifiers == 0: valid = true on every listed
 *			 range, wake_up_all; unlock
 *
 * The driver (nouveau_svm.c of 5.2): register; wait until valid (give up
 * on timeout); hmm_range_fault(); take the device lock; commit if
 * hmm_range_valid(), else unlock, unregister and start again.
 *
 * The race.  The flag means "no invalidation is in progress now", not "none
 * ran since the snapshot": there is no sequence count, and end sets the flag
 * from the mm-wide count, whatever the range saw.  An invalidation whose
 * start and end both fall between the wait and the check leaves the flag as
 * it found it (device lock = DL):
 *
 *	mirror				invalidation (madvise, reclaim, ...)
 *	register, wait: valid == true
 *	hmm_range_fault: PTE -> page A
 *					start: notifiers 1, valid = false
 *					callback: DL, zap (nothing yet), unlock
 *					CPU PTE: A -> none; A is freed
 *					end: notifiers 0, valid = true
 *	DL; hmm_range_valid(): true
 *	device PTE -> A			(A is free: a use-after-free)
 *
 * Jason Gunthorpe drew this trace in "mm/hmm: allow hmm_range to be used
 * with a mmu_interval_notifier or hmm_mirror" (commit 04ec32fbc2b2, Linux
 * 5.5), which replaced the scheme: adding the missing sequence count "would
 * make it nearly identical to" mmu_interval_notifier, which is seqretry.c.
 *
 * The invalidation need not come from another thread: in hmm_range_fault()
 * the driver's own fault allocates, enters direct reclaim and reclaims a
 * page of the range it walked a moment ago; start and end both run inside
 * the walk, so one thread on its own commits a freed page.
 *
 * Because notifiers counts the whole mm, a range registered while any
 * invalidation is in progress, overlapping or not, stays invalid until
 * every invalidation has ended, so an unrelated storm keeps the driver
 * waiting (for at most 1000 ms).  And wait_until_valid() reads the flag
 * once more after the wait ("just in case we get lucky"): an overlapping
 * start between the wake-up and that read makes it fail without any
 * timeout, and the driver drops the fault.
 *
 * Mapping onto snap_ops: read_begin is register + wait_until_valid (on a
 * timeout it unregisters and returns -EBUSY: the pass ends as a deadline
 * miss, where nouveau returned -EAGAIN and dropped the fault); the generic
 * pass is hmm_range_fault() and the device work; read_retry is
 * !hmm_range_valid() under the device lock; read_end is unregister.
 * invalidate_start is hmm_invalidate_range_start() up to the device
 * callbacks, which the model then runs; invalidate_end is
 * hmm_invalidate_range_end().  The hmm_range lives in the caller's
 * snap_range.priv, as the driver's lived on its stack.  5.2 walked the list
 * with list_add_rcu() under the mutex; a plain list under the mutex is the
 * same here.  nouveau unregistered under the device lock before the commit;
 * this port does it after (read_end): once the check has passed under the
 * device lock, the flag is no longer read, so the order changes nothing.
 *
 * Left out, and why: the dead/release paths (the model's mm never exits);
 * hmm_range_fault()'s own early return on !valid (the generic pass cannot
 * look mid-snapshot; read_retry checks the same flag later, so this changes
 * when a retry is noticed, never whether).  Two error flows of 5.2, fixed in
 * 5.3 by "mm/hmm: Fix error flows in hmm_invalidate_range_start" (commit
 * 5a136b4ae327), cannot arise in the model: a failed
 * down_read_trylock(&hmm->mirrors_sem) left notifiers raised for good, but
 * no device registers during a run, so the trylock never fails; and a
 * shadowed `ret` swallowed a device callback's -EAGAIN, but the model itself
 * undoes a start whose callback fails (it calls invalidate_end and skips the
 * invalidation), so that path behaves as in 5.3: the OOM reaper zapping
 * pages a device still maps, which 5.2 allowed, is not reproduced here.
 *
 * Findings counters, not part of 5.2: waits (read_begin slept), then
 * wait_timeouts (the 1000 ms expired) and wait_flag_lost (woken with the
 * flag set, found it clear again), each a failed pass; and
 * valid_after_invalidation, the commits hmm_range_valid() allowed although
 * an overlapping invalidation had begun since the wait (each a possible
 * stale commit; the invariant checker counts the real ones).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "strategies/snap_ops.h"

/* HMM_RANGE_DEFAULT_TIMEOUT */
#define VALIDFLAG_TIMEOUT_MS	1000

/* struct hmm_range: the driver's, in its snap_range.priv */
struct validflag_range {
	struct validflag_range *prev, *next;	/* list, on hmm->ranges */
	unsigned long start, end;
	atomic_bool valid;
	/* Findings, not part of 5.2. */
	atomic_ulong invalidated;	/* overlapping starts since register */
	unsigned long invalidated_at_wait;	/* its value when the wait ended */
};
SNAP_RANGE_PRIV_FITS(struct validflag_range);

/* struct hmm */
struct validflag_hmm {
	pthread_mutex_t lock;			/* hmm->lock */
	struct validflag_range ranges;		/* hmm->ranges */
	long notifiers;				/* under lock */
	pthread_mutex_t wait_lock;		/* hmm->wq */
	pthread_cond_t wq;
	/* Findings, not part of 5.2. */
	atomic_ulong waits;
	atomic_ulong wait_timeouts;
	atomic_ulong wait_flag_lost;
	atomic_ulong valid_after_invalidation;
};

static void validflag_lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m))
		abort();
}

static void validflag_unlock(pthread_mutex_t *m)
{
	if (pthread_mutex_unlock(m))
		abort();
}

static void validflag_list_add(struct validflag_range *n,
			       struct validflag_range *head)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static void validflag_list_del(struct validflag_range *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

/* wake_up_all(&hmm->wq) */
static void validflag_wake_up_all(struct validflag_hmm *hmm)
{
	validflag_lock(&hmm->wait_lock);
	if (pthread_cond_broadcast(&hmm->wq))
		abort();
	validflag_unlock(&hmm->wait_lock);
}

/*
 * wait_event_timeout(hmm->wq, range->valid, timeout)
 * Returns: true when the timeout expired with the flag still clear.
 */
static bool validflag_wait_event_timeout(struct validflag_hmm *hmm,
					 struct validflag_range *range,
					 unsigned long timeout_ms)
{
	bool timed_out = false;
	struct timespec until;
	int ret;

	if (clock_gettime(CLOCK_MONOTONIC, &until))
		abort();
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}

	validflag_lock(&hmm->wait_lock);
	while (!atomic_load(&range->valid)) {
		ret = pthread_cond_timedwait(&hmm->wq, &hmm->wait_lock, &until);
		if (ret == ETIMEDOUT) {
			timed_out = !atomic_load(&range->valid);
			break;
		}
		if (ret)
			abort();
	}
	validflag_unlock(&hmm->wait_lock);
	return timed_out;
}

static int validflag_init(struct snap_dom *d)
{
	struct validflag_hmm *hmm = calloc(1, sizeof(*hmm));
	pthread_condattr_t attr;

	if (!hmm)
		return -ENOMEM;
	hmm->ranges.next = hmm->ranges.prev = &hmm->ranges;
	if (pthread_condattr_init(&attr))
		goto err_free;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&hmm->wq, &attr))
		goto err_attr;
	if (pthread_mutex_init(&hmm->lock, NULL))
		goto err_cond;
	if (pthread_mutex_init(&hmm->wait_lock, NULL))
		goto err_lock;
	pthread_condattr_destroy(&attr);
	d->priv = hmm;
	return 0;

err_lock:
	pthread_mutex_destroy(&hmm->lock);
err_cond:
	pthread_cond_destroy(&hmm->wq);
err_attr:
	pthread_condattr_destroy(&attr);
err_free:
	free(hmm);
	return -ENOMEM;
}

static void validflag_fini(struct snap_dom *d)
{
	struct validflag_hmm *hmm = d->priv;

	pthread_mutex_destroy(&hmm->wait_lock);
	pthread_mutex_destroy(&hmm->lock);
	pthread_cond_destroy(&hmm->wq);
	free(hmm);
}

/* hmm_range_register() */
static void validflag_range_register(struct validflag_hmm *hmm,
				     struct validflag_range *range,
				     unsigned long start, unsigned long end)
{
	range->start = start;
	range->end = end;
	atomic_store(&range->valid, false);
	atomic_store(&range->invalidated, 0);

	validflag_lock(&hmm->lock);
	validflag_list_add(range, &hmm->ranges);
	/* Invalidations in progress, anywhere in the mm: wait for them all. */
	if (!hmm->notifiers)
		atomic_store(&range->valid, true);
	validflag_unlock(&hmm->lock);
}

/* hmm_range_unregister() */
static void validflag_range_unregister(struct validflag_hmm *hmm,
				       struct validflag_range *range)
{
	validflag_lock(&hmm->lock);
	validflag_list_del(range);
	validflag_unlock(&hmm->lock);
	atomic_store(&range->valid, false);
}

/*
 * hmm_range_wait_until_valid(); the mm is never dead in the model.  As in
 * 5.2, the flag is read once more after the wait ("just in case we get
 * lucky"): an overlapping start between the wake-up and that read makes
 * the wait fail although it did not time out.
 */
static bool validflag_range_wait_until_valid(struct validflag_hmm *hmm,
					     struct validflag_range *range,
					     unsigned long timeout_ms)
{
	bool timed_out, valid;

	if (atomic_load(&range->valid))
		return true;
	atomic_fetch_add(&hmm->waits, 1);
	timed_out = validflag_wait_event_timeout(hmm, range, timeout_ms);
	valid = atomic_load(&range->valid);
	if (!valid)
		atomic_fetch_add(timed_out ? &hmm->wait_timeouts : &hmm->wait_flag_lost, 1);
	return valid;
}

/* hmm_range_valid() */
static bool validflag_range_valid(struct validflag_range *range)
{
	return atomic_load(&range->valid);
}

static int validflag_read_begin(struct snap_dom *d, struct snap_range *r)
{
	struct validflag_range *range = (struct validflag_range *)r->priv;
	struct validflag_hmm *hmm = d->priv;

	validflag_range_register(hmm, range, r->start, r->end);
	if (!validflag_range_wait_until_valid(hmm, range, VALIDFLAG_TIMEOUT_MS)) {
		validflag_range_unregister(hmm, range);
		return -EBUSY;
	}
	range->invalidated_at_wait = atomic_load(&range->invalidated);
	return 0;
}

/*
 * hmm_range_valid() under the device lock.  Pairs with the store in
 * validflag_invalidate_start(): start clears the flag before the device
 * callback takes the device lock, so an invalidation whose callback ran
 * before this check is seen here, unless its end has already set the flag
 * again.  That is the race at the top.
 */
static bool validflag_read_retry(struct snap_dom *d, struct snap_range *r)
{
	struct validflag_range *range = (struct validflag_range *)r->priv;
	struct validflag_hmm *hmm = d->priv;
	bool valid = validflag_range_valid(range);

	if (valid && atomic_load(&range->invalidated) != range->invalidated_at_wait)
		atomic_fetch_add(&hmm->valid_after_invalidation, 1);
	return !valid;
}

static void validflag_read_end(struct snap_dom *d, struct snap_range *r)
{
	validflag_range_unregister(d->priv, (struct validflag_range *)r->priv);
}

/* hmm_invalidate_range_start(), up to the device callbacks */
static int validflag_invalidate_start(struct snap_dom *d, struct snap_range *r,
				      bool blockable)
{
	struct validflag_hmm *hmm = d->priv;
	struct validflag_range *range;
	int ret;

	if (blockable) {
		validflag_lock(&hmm->lock);
	} else {
		ret = pthread_mutex_trylock(&hmm->lock);
		if (ret == EBUSY)
			return -EAGAIN;
		if (ret)
			abort();
	}
	hmm->notifiers++;
	for (range = hmm->ranges.next; range != &hmm->ranges; range = range->next) {
		/* 5.2's test, end < start: a range just after r counts too. */
		if (r->end < range->start || r->start >= range->end)
			continue;
		atomic_store(&range->valid, false);
		if (snap_range_overlaps(r->start, r->end, range->start, range->end))
			atomic_fetch_add(&range->invalidated, 1);
	}
	validflag_unlock(&hmm->lock);
	return 0;
}

/* hmm_invalidate_range_end() */
static void validflag_invalidate_end(struct snap_dom *d, struct snap_range *r)
{
	struct validflag_hmm *hmm = d->priv;
	struct validflag_range *range;

	validflag_lock(&hmm->lock);
	if (!--hmm->notifiers) {
		for (range = hmm->ranges.next; range != &hmm->ranges;
		     range = range->next)
			if (!atomic_load(&range->valid))
				atomic_store(&range->valid, true);
		validflag_wake_up_all(hmm);
	}
	validflag_unlock(&hmm->lock);
}

static void validflag_report(struct snap_dom *d,
			     void (*fn)(const char *name, unsigned long value, void *arg),
			     void *arg)
{
	struct validflag_hmm *hmm = d->priv;

	fn("waits", atomic_load(&hmm->waits), arg);
	fn("wait_timeouts", atomic_load(&hmm->wait_timeouts), arg);
	fn("wait_flag_lost", atomic_load(&hmm->wait_flag_lost), arg);
	fn("valid_after_invalidation", atomic_load(&hmm->valid_after_invalidation), arg);
}

const struct snap_ops validflag_ops = {
	.name			= "validflag",
	.summary		= "Linux 5.2 hmm_range valid flag, no sequence count: shows the race upstream removed",
	.init			= validflag_init,
	.fini			= validflag_fini,
	.read_begin		= validflag_read_begin,
	.locks			= snap_locks_always,	/* nouveau held mmap_sem over the pass */
	.read_retry		= validflag_read_retry,
	.read_end		= validflag_read_end,
	.invalidate_start	= validflag_invalidate_start,
	.invalidate_end		= validflag_invalidate_end,
	.report			= validflag_report,
	.known_unsafe		= true,
};
