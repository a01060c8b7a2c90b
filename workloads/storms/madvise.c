// SPDX-License-Identifier: GPL-2.0
/*
 * madvise.c - madvise(MADV_DONTNEED) of a range: zap under the mmap_lock
 * held for read.  Kernel world: the system call itself.
 */
#include <errno.h>
#include <sys/mman.h>

#include "workloads/storm.h"

static int madvise_op(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return mm_madvise_dontneed(c->mm, start, end);
}

static int madvise_kernel(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return madvise(c->base + start * STORM_PAGE_SIZE, (end - start) * STORM_PAGE_SIZE,
		       MADV_DONTNEED) ? -errno : 0;
}

const struct storm_desc madvise_storm = {
	.name		= "madvise",
	.help		= "madvise(MADV_DONTNEED) (zap under read lock)",
	.range		= { .def = "16", .help = "pages per operation", .in_space = true },
	.inval_kind	= MM_INVAL_MADVISE,
	.model_op	= madvise_op,
	.kernel		= { .op = madvise_kernel },
};
