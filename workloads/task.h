/* SPDX-License-Identifier: GPL-2.0 */
/*
 * task.h - who the calling thread is (the model's `current`): its role for
 * violation reports, and the scope flags the kernel keeps in task_struct.
 */
#ifndef SNAP_TASK_H
#define SNAP_TASK_H

#include <stdbool.h>

struct mm_task {
	const char *role;	/* "mirror", "munmap", "reclaim", ... */
	int index;		/* thread number within the role */
	/*
	 * Set while a mirror pass faults pages in: direct reclaim entered from
	 * here must not block on notifiers (see rangelock.c, rule 2), like a
	 * memalloc_noio_save() scope.
	 */
	bool in_mirror_fault;
	/* This task's direct reclaim skips busy candidates (try mode). */
	bool reclaim_try;
};

extern _Thread_local struct mm_task mm_current;

static inline void mm_task_set(const char *role, int index)
{
	mm_current.role = role;
	mm_current.index = index;
	mm_current.in_mirror_fault = false;
	mm_current.reclaim_try = false;
}

#endif /* SNAP_TASK_H */
