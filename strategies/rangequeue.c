// SPDX-License-Identifier: GPL-2.0
/*
 * rangequeue.c - FIFO range queue: one mutex, a list in arrival order and
 * a per-thread condition variable to sleep on.
 */
#include <errno.h>
#include <stdlib.h>

#include "strategies/inject.h"
#include "strategies/rangequeue.h"

/* Per-thread wait channel; its address also names the thread. */
static _Thread_local pthread_cond_t rangequeue_self = PTHREAD_COND_INITIALIZER;

static bool rq_conflicts(const struct rq_node *a, const struct rq_node *b)
{
	if (a->kind == RQ_INVAL && b->kind == RQ_INVAL)
		return false;
	return snap_range_overlaps(a->start, a->end, b->start, b->end);
}

static void rq_lock(struct rangequeue *q)
{
	if (pthread_mutex_lock(&q->lock))
		abort();
}

static void rq_unlock(struct rangequeue *q)
{
	if (pthread_mutex_unlock(&q->lock))
		abort();
}

/* The pairs of kinds that wait for each other on overlapping ranges. */
static bool rq_kinds_conflict(enum waitstats_kind a, enum waitstats_kind b)
{
	return a == WS_SNAPSHOT || b == WS_SNAPSHOT;
}

int rangequeue_init(struct rangequeue *q)
{
	int ret;

	q->head.next = q->head.prev = &q->head;
	ret = waitstats_init(&q->ws, rq_kinds_conflict);
	if (ret)
		return ret;
	ret = -pthread_mutex_init(&q->lock, NULL);
	if (ret)
		waitstats_destroy(&q->ws);
	return ret;
}

void rangequeue_destroy(struct rangequeue *q)
{
	pthread_mutex_destroy(&q->lock);
	waitstats_destroy(&q->ws);
}

void rangequeue_report(struct rangequeue *q,
		       void (*fn)(const char *name, unsigned long value, void *arg),
		       void *arg)
{
	waitstats_report(&q->ws, fn, arg);
}

bool rangequeue_lost_wakeup(struct rangequeue *q, pthread_t thread, char *buf, size_t len)
{
	return waitstats_lost_wakeup(&q->ws, thread, buf, len);
}

int rangequeue_acquire(struct rangequeue *q, struct rq_node *n, bool blockable)
{
	const struct rq_node *held = NULL;
	struct rq_node *e;

	n->owner = &rangequeue_self;
	n->wake = &rangequeue_self;
	n->blockers = 0;

	rq_lock(q);
	for (e = q->head.next; e != &q->head; e = e->next) {
		if (!rq_conflicts(e, n))
			continue;
		n->blockers++;
		if (e->owner == n->owner && e->kind == RQ_READ)
			held = e;
	}
	if (held && n->kind == RQ_INVAL && blockable) {
		rq_unlock(q);
		/* READs are exclusive: @held is the only READ overlapping. */
		if (n->start < held->start || n->end > held->end)
			return -EDEADLK;
		return RQ_PASSED;
	}
	if (n->blockers && !blockable) {
		rq_unlock(q);
		return -EAGAIN;
	}
	n->prev = q->head.prev;
	n->next = &q->head;
	q->head.prev->next = n;
	q->head.prev = n;
	waitstats_arrive(&q->ws, &n->ws, n->start, n->end,
			 n->kind == RQ_READ ? WS_SNAPSHOT : WS_INVAL);
	if (!n->blockers)
		waitstats_clear(&q->ws, &n->ws);
	if (inject_enabled() && n->blockers) {
		rq_unlock(q);
		inject(INJECT_RQ_QUEUED);
		rq_lock(q);
	}
	while (n->blockers)
		if (pthread_cond_wait(n->wake, &q->lock))
			abort();
	waitstats_granted(&q->ws, &n->ws);
	rq_unlock(q);
	return 0;
}

void rangequeue_release(struct rangequeue *q, struct rq_node *n)
{
	rq_lock(q);
	for (struct rq_node *e = n->next; e != &q->head; e = e->next) {
		if (!rq_conflicts(e, n))
			continue;
		/* Signalled under the lock: the waiter cannot miss it. */
		if (--e->blockers == 0) {
			waitstats_clear(&q->ws, &e->ws);
			pthread_cond_signal(e->wake);
		}
	}
	n->prev->next = n->next;
	n->next->prev = n->prev;
	rq_unlock(q);
	inject(INJECT_RQ_RELEASED);
}
