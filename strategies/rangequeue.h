/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rangequeue.h - a FIFO queue of snapshot (READ) and invalidation (INVAL)
 * ranges in which each entry waits for the earlier entries it conflicts
 * with: the range lock shared by the strategies that block.
 *
 * Conflicts: READ with every overlapping entry; INVAL with overlapping READs.
 */
#ifndef SNAP_RANGEQUEUE_H
#define SNAP_RANGEQUEUE_H

#include <pthread.h>
#include <stdbool.h>

#include "strategies/snap_ops.h"
#include "strategies/waitstats.h"

enum rq_kind { RQ_READ, RQ_INVAL };

/* Lives in snap_range.priv while the range is queued. */
struct rq_node {
	struct rq_node *prev, *next;
	unsigned long start, end;
	enum rq_kind kind;
	unsigned int blockers;		/* earlier conflicting entries */
	pthread_cond_t *wake;		/* owner's wait channel */
	const void *owner;		/* owning thread */
	struct waitstats_entry ws;	/* arrival order, wake-up health */
};
SNAP_RANGE_PRIV_FITS(struct rq_node);

struct rangequeue {
	pthread_mutex_t lock;		/* protects the queue and blockers */
	struct rq_node head;		/* entries in arrival order */
	struct waitstats ws;		/* taken under lock: tickets follow head */
};

int rangequeue_init(struct rangequeue *q);
void rangequeue_destroy(struct rangequeue *q);

#define RQ_PASSED	1

/**
 * rangequeue_acquire() - queue @n ([start, end) and kind filled in) and
 * sleep until every earlier conflicting entry has been released
 *
 * An INVAL made by a thread that holds an overlapping READ is that
 * thread's own fault: when blockable and inside the READ's range it passes
 * without queueing; when blockable and reaching outside it, waiting could
 * deadlock, so it is refused.
 *
 * Returns: 0 when granted; RQ_PASSED when passed through (do not release);
 * -EAGAIN when it would wait and !@blockable (nothing queued); -EDEADLK.
 */
int rangequeue_acquire(struct rangequeue *q, struct rq_node *n, bool blockable);

/* Release a granted entry and wake the entries that no longer wait. */
void rangequeue_release(struct rangequeue *q, struct rq_node *n);

/*
 * Order and wake-up figures of the queued entries (waitstats.h): a READ is
 * a snapshot, an INVAL an invalidation; entries that passed through or were
 * refused never arrived.  FIFO by construction: an entry counts every
 * earlier conflicting one as a blocker, so no later one can overtake it.
 */
void rangequeue_report(struct rangequeue *q,
		       void (*fn)(const char *name, unsigned long value, void *arg),
		       void *arg);
bool rangequeue_lost_wakeup(struct rangequeue *q, pthread_t thread, char *buf, size_t len);

#endif /* SNAP_RANGEQUEUE_H */
