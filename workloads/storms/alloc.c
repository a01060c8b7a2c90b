// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c - an allocating thread: write-fault a range in; when memory is
 * short the allocations reclaim directly (try mode: skip busy candidates).
 * Kernel world: the run's process is in a memcg at memory.max (mm.memory_pages):
 * writing range_pages pages of a private buffer, then dropping them,
 * reclaims the mirror's pages directly.
 */
#include <errno.h>
#include <sys/mman.h>

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

static int alloc_kernel(struct storm_ctx *c)
{
	unsigned long start, end, i;

	storm_pick_range(c, &start, &end);
	for (i = 0; i < end - start; i++)
		c->scratch[i * STORM_PAGE_SIZE] = (char)c->seq;
	return madvise(c->scratch, (end - start) * STORM_PAGE_SIZE, MADV_DONTNEED) ?
	       -errno : 0;
}

const struct storm_desc alloc_storm = {
	.name		= "alloc",
	.help		= "allocating threads faulting pages in, reclaiming directly when memory is short",
	.range		= { .def = "16", .help = "pages per operation", .in_space = true },
	.can_try	= true,
	.inval_kind	= MM_INVAL_DIRECT_RECLAIM,
	.model_op	= alloc_op,
	.kernel		= {
		.op	= alloc_kernel,
		.needs	= STORM_NEEDS_RESIDENT | STORM_NEEDS_MEMCG | STORM_NEEDS_SCRATCH,
	},
};
