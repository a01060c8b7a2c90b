// SPDX-License-Identifier: GPL-2.0
/*
 * munmap.c - munmap + remap of a range: mmap_lock for write, detach,
 * downgrade, zap under read (Linux 6.x); then map it again, empty.
 */
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

const struct storm_ops munmap_storm = {
	.kind		= STORM_MUNMAP,
	.inval_kind	= MM_INVAL_MUNMAP,
	.op		= munmap_op,
};
