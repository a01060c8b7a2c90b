// SPDX-License-Identifier: GPL-2.0
/*
 * numa.c - NUMA balancing's change_prot_numa(): invalidate a large range
 * and make its PTEs inaccessible, to catch hinting faults.  The pattern
 * behind real seqcount-retry starvation (KVM guests, fixed in Linux 6.8).
 */
#include "workloads/storm.h"

static int numa_op(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return mm_numa_protect(c->mm, start, end);
}

const struct storm_ops numa_storm = {
	.kind		= STORM_NUMA,
	.inval_kind	= MM_INVAL_NUMA,
	.op		= numa_op,
};
