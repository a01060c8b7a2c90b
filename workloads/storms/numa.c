// SPDX-License-Identifier: GPL-2.0
/*
 * numa.c - NUMA balancing's change_prot_numa(): invalidate a large range
 * and make its PTEs inaccessible, to catch hinting faults.  The pattern
 * behind real seqcount-retry starvation (KVM guests, fixed in Linux 6.8).
 * Kernel world, a stand-in: mprotect() read-only and back makes the same
 * MMU_NOTIFY_PROTECTION_VMA invalidations; mirror passes fault read-only
 * (a write fault on a page it made read-only would fail the pass).
 */
#include <errno.h>
#include <sys/mman.h>

#include "workloads/storm.h"

static int numa_op(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return mm_numa_protect(c->mm, start, end);
}

static int numa_kernel(struct storm_ctx *c)
{
	unsigned long start, end;
	char *addr;
	size_t len;

	storm_pick_range(c, &start, &end);
	addr = c->base + start * STORM_PAGE_SIZE;
	len = (end - start) * STORM_PAGE_SIZE;
	if (mprotect(addr, len, PROT_READ))
		return -errno;
	return mprotect(addr, len, PROT_READ | PROT_WRITE) ? -errno : 0;
}

const struct storm_desc numa_storm = {
	.name		= "numa",
	.help		= "NUMA-balancing-like protection changes over large ranges",
	.range		= { .def = "4096", .help = "pages per operation", .in_space = true },
	.inval_kind	= MM_INVAL_NUMA,
	.model_op	= numa_op,
	.kernel		= {
		.op	= numa_kernel,
		.note	= "stand-in: mprotect() read-only and back, the invalidation "
			  "change_prot_numa() makes; mirror passes fault read-only",
		.needs	= STORM_READ_ONLY_MIRROR,
	},
};
