// SPDX-License-Identifier: GPL-2.0
/*
 * oom_reap.c - the OOM reaper: mmap_lock trylock and a non-blockable
 * invalidation, the one kernel caller that cannot wait; it skips on -EAGAIN.
 * Kernel world: not available.  The reaper (or process_mrelease()) reaps
 * only the mm of a process being killed, and the mirrored mm is the run's
 * own.  A child with its own mapping and its own device fd could be
 * killed and reaped, but its non-blockable invalidation would then meet
 * no mirror pass of the run (another mm, another notifier): not the
 * workload the model runs, so the storm stays dropped, with its note.
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
			  "and the mirrored mm is the run's own; the storm is dropped (threads 0)",
	},
};
