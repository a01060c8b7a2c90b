// SPDX-License-Identifier: GPL-2.0
/*
 * madvise.c - madvise(MADV_DONTNEED) of a range: zap under the mmap_lock
 * held for read.
 */
#include "workloads/storm.h"

static int madvise_op(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return mm_madvise_dontneed(c->mm, start, end);
}

const struct storm_ops madvise_storm = {
	.kind		= STORM_MADVISE,
	.inval_kind	= MM_INVAL_MADVISE,
	.op		= madvise_op,
};
