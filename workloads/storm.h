/* SPDX-License-Identifier: GPL-2.0 */
/*
 * storm.h - invalidation sources.  A storm is one operation (unmap a range,
 * reclaim a batch, ...); the harness owns its threads, its open-loop
 * schedule and its timing.
 */
#ifndef SNAP_STORM_H
#define SNAP_STORM_H

#include "lib/rand.h"
#include "workloads/mm.h"
#include "workloads/scenario.h"

struct storm_ctx {
	struct mm *mm;
	const struct scenario *sc;
	const struct storm_params *p;
	struct rand_state rand;
};

struct storm_ops {
	enum storm_kind kind;
	enum mm_inval_kind inval_kind;	/* the invalidations it makes */
	bool can_try;			/* honours storm.<name>.try */
	/* One operation.  Returns 0, or -EAGAIN when it was skipped. */
	int (*op)(struct storm_ctx *c);
};

/* Indexed by enum storm_kind. */
extern const struct storm_ops *const storms[STORM_NR];

/* A range of range_pages pages inside the storm's target. */
void storm_pick_range(struct storm_ctx *c, unsigned long *start,
		      unsigned long *end);

#endif /* SNAP_STORM_H */
