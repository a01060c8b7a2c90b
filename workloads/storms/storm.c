// SPDX-License-Identifier: GPL-2.0
/*
 * storm.c - the table of storms and what they share: picking a range
 * inside the storm's target (the whole space, or the mirror's hot set).
 */
#include "workloads/range.h"
#include "workloads/storm.h"

extern const struct storm_ops munmap_storm, madvise_storm, kswapd_storm,
	alloc_storm, numa_storm, oom_reap_storm, migrate_storm;

const struct storm_ops *const storms[STORM_NR] = {
	[STORM_MUNMAP]		= &munmap_storm,
	[STORM_MADVISE]		= &madvise_storm,
	[STORM_KSWAPD]		= &kswapd_storm,
	[STORM_ALLOC]		= &alloc_storm,
	[STORM_NUMA]		= &numa_storm,
	[STORM_OOM_REAP]	= &oom_reap_storm,
	[STORM_MIGRATE]		= &migrate_storm,
};

void storm_pick_range(struct storm_ctx *c, unsigned long *start,
		      unsigned long *end)
{
	range_pick_storm(c->sc, c->p, &c->rand, start, end);
}
