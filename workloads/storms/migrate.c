// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - page migration (compaction, NUMA placement): move
 * range_pages candidates to new pages through the rmap, no mmap_lock.
 */
#include "workloads/storm.h"

static int migrate_op(struct storm_ctx *c)
{
	mm_migrate(c->mm, dist_sample(&c->p->range, &c->rand));
	return 0;
}

const struct storm_ops migrate_storm = {
	.kind		= STORM_MIGRATE,
	.inval_kind	= MM_INVAL_MIGRATE,
	.op		= migrate_op,
};
