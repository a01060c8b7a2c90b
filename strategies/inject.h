/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inject.h - named injection points in the userspace ports: a delay or a
 * yield at a chosen point widens one race window, so that a test can drive
 * a strategy into one race at a time (as the kernel's fault injection does).
 *
 * Off by default; when off, a point is one relaxed load of a global flag,
 * marked unlikely.  Armed from the scenario key debug.inject:
 *
 *	POINT:ACTION[,POINT:ACTION...]     ACTION = yield | sleep=N(us|ms)
 *
 * e.g. `--set debug.inject=rl2015_before_count:sleep=3ms`.  Every point
 * is listed, with what it widens, in inject.c.
 */
#ifndef SNAP_INJECT_H
#define SNAP_INJECT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum inject_point {
	INJECT_RL2015_BEFORE_LIST,	/* range lock, before list_add */
	INJECT_RL2015_LOCKED,		/* range lock granted, before the snapshot */
	INJECT_RL2015_BEFORE_COUNT,	/* invalidation listed, not yet counted */
	INJECT_RL2015_AFTER_UNLOCK,	/* range unlock: off the list, before wake_up */
	INJECT_RQ_QUEUED,		/* rangequeue: queued, before sleeping */
	INJECT_RQ_RELEASED,		/* rangequeue: released, lock dropped */
	INJECT_NR,
};

/* One armed point: sleep_ns == 0 means yield. */
struct inject_action {
	bool armed;
	uint64_t sleep_ns;
};

struct inject_spec {
	struct inject_action point[INJECT_NR];
};

extern atomic_bool inject_on;

void inject_fire(enum inject_point p);

static inline bool inject_enabled(void)
{
	return __builtin_expect(atomic_load_explicit(&inject_on, memory_order_relaxed), 0);
}

/* An injection point: nothing but a load of inject_on when disarmed. */
static inline void inject(enum inject_point p)
{
	if (inject_enabled())
		inject_fire(p);
}

/**
 * inject_parse() - parse @text (see above) into @spec (may be NULL)
 * Returns: 0, or -EINVAL with one line in @err naming the bad part.
 */
int inject_parse(const char *text, struct inject_spec *spec, char *err, size_t len);

/* Arm the points of @spec (all disarmed when none is armed).  No run may be in flight. */
void inject_arm(const struct inject_spec *spec);

#endif /* SNAP_INJECT_H */
