// SPDX-License-Identifier: GPL-2.0
/*
 * oom_reap.c - the OOM reaper: mmap_lock trylock and a non-blockable
 * invalidation, the one kernel caller that cannot wait; it skips on -EAGAIN.
 * Kernel world: not available (the reaper reaps only a process being
 * killed, and that would be the runner).
 */
#include "workloads/storm.h"

static int oom_reap_op(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return mm_oom_reap(c->mm, start, end);
}

const struct storm_desc oom_reap_storm = {
	.name		= "oom_reap",
	.help		= "an OOM-reaper-like zap: mmap_lock trylock, non-blockable",
	.range		= { .def = "64", .help = "pages per operation", .in_space = true },
	.inval_kind	= MM_INVAL_OOM_REAP,
	.model_op	= oom_reap_op,
	.kernel		= {
		.note	= "not available: the OOM reaper reaps only a process being killed, "
			  "which would be the runner; the storm is dropped (threads 0)",
	},
};
