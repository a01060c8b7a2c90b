// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c - an allocating thread: write-fault a range in; when memory is
 * short the allocations reclaim directly (try mode: skip busy candidates).
 */
#include <errno.h>

#include "workloads/storm.h"

static int alloc_op(struct storm_ctx *c)
{
	unsigned long start, end, vpn;
	int ret = 0;

	storm_pick_range(c, &start, &end);
	mm_current.reclaim_try = c->p->try_mode;
	mm_rwsem_down_read(&c->mm->mmap_lock);
	for (vpn = start; vpn < end && !ret; vpn++)
		ret = mm_fault(c->mm, vpn, true);
	mm_rwsem_up_read(&c->mm->mmap_lock);
	return ret == -EFAULT ? 0 : ret;	/* unmapped under us: fine */
}

const struct storm_ops alloc_storm = {
	.kind		= STORM_ALLOC,
	.inval_kind	= MM_INVAL_DIRECT_RECLAIM,
	.can_try	= true,
	.op		= alloc_op,
};
