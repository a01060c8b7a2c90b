// SPDX-License-Identifier: GPL-2.0
/*
 * kswapd.c - background reclaim: while free memory is below mm.low_free,
 * scan range_pages candidates per operation through the rmap, no mmap_lock;
 * blocking, or skipping busy candidates in try mode.
 */
#include "workloads/storm.h"

static int kswapd_op(struct storm_ctx *c)
{
	unsigned long nr_scan = dist_sample(&c->p->range, &c->rand);

	if (atomic_load_explicit(&c->mm->nr_free, memory_order_relaxed) >=
	    c->sc->low_free)
		return 0;
	mm_reclaim(c->mm, nr_scan, MM_INVAL_RECLAIM, !c->p->try_mode);
	return 0;
}

const struct storm_ops kswapd_storm = {
	.kind		= STORM_KSWAPD,
	.inval_kind	= MM_INVAL_RECLAIM,
	.can_try	= true,
	.op		= kswapd_op,
};
