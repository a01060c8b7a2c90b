// SPDX-License-Identifier: GPL-2.0
/*
 * waitstats.c - arrival tickets, overtakes and wake-up delays of the
 * waiting strategies (waitstats.h): one mutex and a list of pending
 * entries in ticket order, walked at every grant.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/clock.h"
#include "strategies/snap_ops.h"
#include "strategies/waitstats.h"

static const char *const waitstats_kind_name[WS_NR_KINDS] = {
	[WS_SNAPSHOT]	= "snapshot",
	[WS_INVAL]	= "inval",
};

static void waitstats_lock(struct waitstats *ws)
{
	if (pthread_mutex_lock(&ws->lock))
		abort();
}

static void waitstats_unlock(struct waitstats *ws)
{
	if (pthread_mutex_unlock(&ws->lock))
		abort();
}

int waitstats_init(struct waitstats *ws,
		   bool (*conflicts)(enum waitstats_kind a, enum waitstats_kind b))
{
	*ws = (struct waitstats){ .conflicts = conflicts };
	ws->pending.next = ws->pending.prev = &ws->pending;
	return -pthread_mutex_init(&ws->lock, NULL);
}

void waitstats_destroy(struct waitstats *ws)
{
	pthread_mutex_destroy(&ws->lock);
}

void waitstats_arrive(struct waitstats *ws, struct waitstats_entry *e,
		      unsigned long start, unsigned long end,
		      enum waitstats_kind kind)
{
	e->start = start;
	e->end = end;
	e->kind = kind;
	e->thread = pthread_self();
	e->clear_ns = 0;
	e->overtakes = 0;
	e->arrive_ns = now_ns();
	waitstats_lock(ws);
	e->ticket = ws->next_ticket++;
	e->prev = ws->pending.prev;
	e->next = &ws->pending;
	ws->pending.prev->next = e;
	ws->pending.prev = e;
	waitstats_unlock(ws);
}

void waitstats_granted(struct waitstats *ws, struct waitstats_entry *e)
{
	struct waitstats_kind_stats *s = &ws->kind[e->kind];
	uint64_t now = now_ns(), wait = now - e->arrive_ns;

	waitstats_lock(ws);
	/* Pending entries are in ticket order: the earlier ones precede @e. */
	for (struct waitstats_entry *w = ws->pending.next; w != e; w = w->next)
		if (ws->conflicts(w->kind, e->kind) &&
		    snap_range_overlaps(w->start, w->end, e->start, e->end))
			w->overtakes++;
	e->prev->next = e->next;
	e->next->prev = e->prev;

	s->granted++;
	if (e->overtakes) {
		s->overtaken++;
		s->overtakes += e->overtakes;
		if (e->overtakes > s->overtakes_max ||
		    (e->overtakes == s->overtakes_max && wait > s->overtakes_max_wait_ns)) {
			s->overtakes_max = e->overtakes;
			s->overtakes_max_wait_ns = wait;
		}
	}
	if (e->clear_ns && now > e->clear_ns) {
		if (now - e->clear_ns > s->wake_delay_max_ns)
			s->wake_delay_max_ns = now - e->clear_ns;
		s->late_wakeups += now - e->clear_ns > WAITSTATS_LOST_NS;
	}
	waitstats_unlock(ws);
}

void waitstats_clear(struct waitstats *ws, struct waitstats_entry *e)
{
	uint64_t now = now_ns();

	waitstats_lock(ws);
	if (!e->clear_ns)
		e->clear_ns = now;
	waitstats_unlock(ws);
}

void waitstats_hold(struct waitstats *ws, enum waitstats_kind kind, long delta)
{
	uint64_t now = now_ns();
	long was;

	waitstats_lock(ws);
	was = ws->held[kind];
	ws->held[kind] += delta;
	if (!was != !ws->held[kind])
		for (struct waitstats_entry *w = ws->pending.next; w != &ws->pending; w = w->next)
			if (w->kind == kind)
				w->clear_ns = ws->held[kind] ? 0 : now;
	waitstats_unlock(ws);
}

void waitstats_clear_unless_held(struct waitstats *ws, struct waitstats_entry *e)
{
	uint64_t now = now_ns();

	waitstats_lock(ws);
	if (!ws->held[e->kind] && !e->clear_ns)
		e->clear_ns = now;
	waitstats_unlock(ws);
}

static bool waitstats_is_lost(const struct waitstats_entry *w, uint64_t now)
{
	return w->clear_ns && now > w->clear_ns && now - w->clear_ns > WAITSTATS_LOST_NS;
}

void waitstats_report(struct waitstats *ws,
		      void (*fn)(const char *name, unsigned long value, void *arg),
		      void *arg)
{
	unsigned long lost[WS_NR_KINDS] = { 0 };
	uint64_t now = now_ns();
	char name[40];

	waitstats_lock(ws);
	for (struct waitstats_entry *w = ws->pending.next; w != &ws->pending; w = w->next)
		lost[w->kind] += waitstats_is_lost(w, now);
	for (int k = 0; k < WS_NR_KINDS; k++) {
		const struct waitstats_kind_stats *s = &ws->kind[k];
		const char *kn = waitstats_kind_name[k];

#define WS_FN(fmt, value) \
		do { snprintf(name, sizeof(name), fmt, kn); fn(name, (value), arg); } while (0)
		WS_FN("order.%s.granted", s->granted);
		WS_FN("order.%s.overtaken", s->overtaken);
		WS_FN("order.%s.overtakes", s->overtakes);
		WS_FN("order.%s.overtakes_max", s->overtakes_max);
		WS_FN("order.%s.overtakes_max_wait_ns", s->overtakes_max_wait_ns);
		WS_FN("wakeup.%s.delay_max_ns", s->wake_delay_max_ns);
		WS_FN("wakeup.%s.late", s->late_wakeups);
		WS_FN("wakeup.%s.lost", lost[k]);
#undef WS_FN
	}
	waitstats_unlock(ws);
	fn("wakeup.lost_threshold_ns", WAITSTATS_LOST_NS, arg);
}

bool waitstats_lost_wakeup(struct waitstats *ws, pthread_t thread,
			   char *buf, size_t len)
{
	uint64_t now = now_ns();
	bool found = false;

	waitstats_lock(ws);
	for (struct waitstats_entry *w = ws->pending.next; w != &ws->pending; w = w->next) {
		if (!pthread_equal(w->thread, thread) || !waitstats_is_lost(w, now))
			continue;
		snprintf(buf, len, "lost wake-up: %s [%lu, %lu) asleep %.2f s after its wait cleared",
			 waitstats_kind_name[w->kind], w->start, w->end,
			 (now - w->clear_ns) / 1e9);
		found = true;
		break;
	}
	waitstats_unlock(ws);
	return found;
}
