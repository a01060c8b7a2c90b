// SPDX-License-Identifier: GPL-2.0
/*
 * oom_reap.c - the OOM reaper: mmap_lock trylock and a non-blockable
 * invalidation, the one kernel caller that cannot wait; it skips on -EAGAIN.
 */
#include "workloads/storm.h"

static int oom_reap_op(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return mm_oom_reap(c->mm, start, end);
}

const struct storm_ops oom_reap_storm = {
	.kind		= STORM_OOM_REAP,
	.inval_kind	= MM_INVAL_OOM_REAP,
	.op		= oom_reap_op,
};
