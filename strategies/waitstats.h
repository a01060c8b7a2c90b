/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitstats.h - order, fairness and wake-up health of the strategies that
 * make snapshots and invalidations wait for each other: a checker beside
 * the lock, never part of its decisions.
 *
 * Every entry (a snapshot's range lock, an invalidation) takes a ticket
 * when it arrives, in the order the strategy itself records arrivals (under
 * its list lock), and is "served" when it is granted.  An entry W is
 * overtaken by X when X arrived after W, the strategy says the two must
 * wait for each other (@conflicts), and X was granted while W still waited.
 *
 * Wake-up health: the strategy says when nothing a waiter waits for is
 * held any more (waitstats_clear(), from the thread that released it, or
 * waitstats_hold() for a domain-wide count).  The wait from clear to
 * grant is the wake-up delay; a waiter still asleep more than
 * WAITSTATS_LOST_NS after its wait cleared has lost its wake-up.
 */
#ifndef SNAP_WAITSTATS_H
#define SNAP_WAITSTATS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Longer than any scheduling delay on a loaded two-core machine. */
#define WAITSTATS_LOST_NS	(500 * 1000 * 1000ULL)

enum waitstats_kind { WS_SNAPSHOT, WS_INVAL, WS_NR_KINDS };

struct waitstats_entry {
	struct waitstats_entry *prev, *next;	/* pending: arrived, not granted */
	unsigned long ticket;
	unsigned long start, end;
	enum waitstats_kind kind;
	pthread_t thread;			/* the waiter */
	uint64_t arrive_ns;
	uint64_t clear_ns;			/* 0: still blocked */
	unsigned long overtakes;
};

struct waitstats_kind_stats {
	unsigned long granted;			/* entries served */
	unsigned long overtaken;		/* of which overtaken at least once */
	unsigned long overtakes;		/* later arrivals served first, in all */
	unsigned long overtakes_max;		/* of one entry */
	uint64_t overtakes_max_wait_ns;		/* that entry's wait */
	uint64_t wait_max_ns;			/* longest arrival to grant */
	uint64_t wake_delay_max_ns;		/* longest clear to grant */
	unsigned long late_wakeups;		/* woken > WAITSTATS_LOST_NS after clear */
};

struct waitstats {
	pthread_mutex_t lock;			/* protects everything below */
	bool (*conflicts)(enum waitstats_kind a, enum waitstats_kind b);
	unsigned long next_ticket;
	long held[WS_NR_KINDS];			/* waitstats_hold() */
	struct waitstats_entry pending;		/* in ticket order */
	struct waitstats_kind_stats kind[WS_NR_KINDS];
};

/**
 * waitstats_init() - @conflicts says which kinds, on overlapping ranges,
 * the strategy makes wait for each other (the pairs that can overtake)
 * Returns: 0 or -errno.
 */
int waitstats_init(struct waitstats *ws,
		   bool (*conflicts)(enum waitstats_kind a, enum waitstats_kind b));
void waitstats_destroy(struct waitstats *ws);

/*
 * waitstats_arrive() - @e arrives: it takes the next ticket.  Call it where
 * the strategy records the arrival, under the strategy's own lock, so that
 * tickets follow the strategy's order.  @e stays pending until granted.
 */
void waitstats_arrive(struct waitstats *ws, struct waitstats_entry *e,
		      unsigned long start, unsigned long end,
		      enum waitstats_kind kind);

/*
 * waitstats_granted() - @e is served: every earlier conflicting entry still
 * pending is overtaken once more; @e's own figures are recorded.
 */
void waitstats_granted(struct waitstats *ws, struct waitstats_entry *e);

/* waitstats_clear(): nothing @e waits for is held any more. */
void waitstats_clear(struct waitstats *ws, struct waitstats_entry *e);

/*
 * For entries of @kind that wait for a domain-wide count (the seed's range
 * lock waits for notifier_count == 0): waitstats_hold() moves the count of
 * what they wait for by @delta, clearing every pending entry of @kind when
 * it reaches 0 and blocking them when it leaves 0; waitstats_clear_unless_held()
 * clears a newly arrived @e when the count is 0.
 */
void waitstats_hold(struct waitstats *ws, enum waitstats_kind kind, long delta);
void waitstats_clear_unless_held(struct waitstats *ws, struct waitstats_entry *e);

/*
 * waitstats_report() - the order.* and wakeup.* counters (harness/RESULTS.md)
 * as fn(name, value, arg).  Entries still pending count as lost wake-ups
 * when their wait cleared more than WAITSTATS_LOST_NS ago.
 */
void waitstats_report(struct waitstats *ws,
		      void (*fn)(const char *name, unsigned long value, void *arg),
		      void *arg);

/*
 * waitstats_lost_wakeup() - whether @thread sleeps in an entry whose wait
 * cleared more than WAITSTATS_LOST_NS ago; if so, one line saying what it
 * waits in and for how long is written to @buf.
 */
bool waitstats_lost_wakeup(struct waitstats *ws, pthread_t thread,
			   char *buf, size_t len);

#endif /* SNAP_WAITSTATS_H */
