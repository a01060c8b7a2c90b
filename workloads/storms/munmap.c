// SPDX-License-Identifier: GPL-2.0
/*
 * munmap.c - munmap + remap of a range: mmap_lock for write, detach,
 * downgrade, zap under read (Linux 6.x); then map it again, empty.
 * Kernel world: mmap(MAP_FIXED) over the range unmaps and maps it in one
 * call.
 */
#include <errno.h>
#include <sys/mman.h>

#include "workloads/storm.h"

static int munmap_op(struct storm_ctx *c)
{
	unsigned long start, end;
	int ret;

	storm_pick_range(c, &start, &end);
	ret = mm_munmap(c->mm, start, end);
	if (!ret)
		ret = mm_remap(c->mm, start, end);
	return ret;
}

static int munmap_kernel(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	if (mmap(c->base + start * STORM_PAGE_SIZE, (end - start) * STORM_PAGE_SIZE,
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

const struct storm_desc munmap_storm = {
	.name		= "munmap",
	.help		= "munmap + remap (write lock, detach, downgrade, zap)",
	.range		= { .def = "16", .help = "pages per operation", .in_space = true },
	.inval_kind	= MM_INVAL_MUNMAP,
	.model_op	= munmap_op,
	.kernel		= { .op = munmap_kernel },
};
