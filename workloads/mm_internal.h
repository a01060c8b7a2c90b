/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm_internal.h - what the files of the model share and nothing outside
 * workloads/ uses (the model's mm/internal.h).  The public interface is
 * workloads/mm.h.
 */
#ifndef SNAP_MM_INTERNAL_H
#define SNAP_MM_INTERNAL_H

#include <stdlib.h>

#include "lib/rand.h"
#include "workloads/mm.h"

static inline void mm_lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m))
		abort();
}

static inline void mm_unlock(pthread_mutex_t *m)
{
	if (pthread_mutex_unlock(m))
		abort();
}

/* How long the driver's @ns of work takes with a calibration's sleep extra. */
static inline uint64_t mm_driver_time(const struct mm *mm, uint64_t ns)
{
	return ns >= MM_DRIVER_SLEEP_NS ? ns + mm->cfg.sleep_extra_ns : ns;
}

/* mm_init.c: the calling thread's random numbers (COW choice of faults). */
extern _Thread_local struct rand_state mm_rand;

/* checker.c: the invariant checker. */
void mm_report(struct mm *mm, const struct mm_mirror *mir, const char *what,
	       unsigned long vpn, uint64_t dpte, uint32_t page_gen,
	       bool by_committer);
void mm_check_free(struct mm *mm, unsigned long pfn, uint32_t gen);

/* page_alloc.c */
bool mm_page_get_unless_free(struct mm *mm, unsigned long pfn);

/* mmu_notifier.c: how the CPU side changes PTEs. */
typedef int (*mm_update_fn)(struct mm *mm, unsigned long start,
			    unsigned long end, void *arg);

/**
 * mm_invalidate_range() - change the CPU PTEs of [start, end) inside one
 * invalidation: mm_invalidate_start(), @update, mm_invalidate_end()
 * Returns: the error of mm_invalidate_start() (then @update did not run
 * and nothing is left in flight), or what @update returned.
 */
int mm_invalidate_range(struct mm *mm, unsigned long start, unsigned long end,
			enum mm_inval_kind kind, bool blockable,
			mm_update_fn update, void *arg);

/* memory.c: clear the PTEs of [start, end) and drop their pages. */
int mm_zap(struct mm *mm, unsigned long start, unsigned long end, void *arg);

/* vmscan.c: the rmap walk that reclaim and migration share. */
unsigned long mm_isolate_next(struct mm *mm, unsigned long *pfn, uint64_t *pte);
int mm_replace_pte(struct mm *mm, unsigned long vpn, unsigned long pfn,
		   uint64_t old, uint64_t new, enum mm_inval_kind kind,
		   bool blockable);

#endif /* SNAP_MM_INTERNAL_H */
