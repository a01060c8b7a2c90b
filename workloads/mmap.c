// SPDX-License-Identifier: GPL-2.0
/*
 * mmap.c - the storm operations on ranges: munmap and remap (mm/mmap.c),
 * madvise(MADV_DONTNEED) (mm/madvise.c), change_prot_numa() (mm/mprotect.c)
 * and the OOM reaper (mm/oom_kill.c).
 */
#include <errno.h>

#include "lib/clock.h"
#include "workloads/mm_internal.h"

static int mm_check_range(struct mm *mm, unsigned long start, unsigned long end)
{
	return start < end && end <= mm->cfg.nr_pages ? 0 : -EINVAL;
}

/*
 * The VMA change: mark [start, end) inside a VMA or not.  Returns 0 with
 * the mmap_lock held for write, or -EINVAL for a bad range.
 */
static int mm_vma_change(struct mm *mm, unsigned long start, unsigned long end,
			 unsigned char mapped)
{
	unsigned long vpn;
	int ret = mm_check_range(mm, start, end);

	if (ret)
		return ret;
	mm_rwsem_down_write(&mm->mmap_lock);
	for (vpn = start; vpn < end; vpn++)
		atomic_store_explicit(&mm->mapped[vpn], mapped, memory_order_relaxed);
	return 0;
}

/* Linux 6.x munmap: write lock, detach the VMA, downgrade, zap under read. */
int mm_munmap(struct mm *mm, unsigned long start, unsigned long end)
{
	int ret = mm_vma_change(mm, start, end, 0);

	if (ret)
		return ret;
	spin_ns(mm->cfg.mmap_extra_ns);	/* a calibration's VMA work */
	mm_rwsem_downgrade(&mm->mmap_lock);
	ret = mm_invalidate_range(mm, start, end, MM_INVAL_MUNMAP, true, mm_zap, NULL);
	mm_rwsem_up_read(&mm->mmap_lock);
	return ret;
}

int mm_remap(struct mm *mm, unsigned long start, unsigned long end)
{
	int ret = mm_vma_change(mm, start, end, 1);

	if (!ret)
		mm_rwsem_up_write(&mm->mmap_lock);
	return ret;
}

/* One invalidation of [start, end) under the mmap_lock held for read. */
static int mm_update_read_locked(struct mm *mm, unsigned long start,
				 unsigned long end, enum mm_inval_kind kind,
				 mm_update_fn update)
{
	int ret = mm_check_range(mm, start, end);

	if (ret)
		return ret;
	mm_rwsem_down_read(&mm->mmap_lock);
	ret = mm_invalidate_range(mm, start, end, kind, true, update, NULL);
	mm_rwsem_up_read(&mm->mmap_lock);
	return ret;
}

/* madvise(MADV_DONTNEED): zap under the read lock. */
int mm_madvise_dontneed(struct mm *mm, unsigned long start, unsigned long end)
{
	return mm_update_read_locked(mm, start, end, MM_INVAL_MADVISE, mm_zap);
}

static int mm_protnone(struct mm *mm, unsigned long start, unsigned long end,
		       void *arg)
{
	unsigned long vpn;

	for (vpn = start; vpn < end; vpn++) {
		uint64_t old = atomic_load(&mm->pte[vpn]);

		while (pte_present(old) && !(old & PTE_PROTNONE) &&
		       !atomic_compare_exchange_weak(&mm->pte[vpn], &old,
						     old | PTE_PROTNONE))
			;
	}
	return 0;
}

/* change_prot_numa(): make present PTEs inaccessible to catch hinting faults. */
int mm_numa_protect(struct mm *mm, unsigned long start, unsigned long end)
{
	return mm_update_read_locked(mm, start, end, MM_INVAL_NUMA, mm_protnone);
}

/* The OOM reaper: trylock, non-blockable invalidation, skip on -EAGAIN. */
int mm_oom_reap(struct mm *mm, unsigned long start, unsigned long end)
{
	int ret = mm_check_range(mm, start, end);

	if (ret)
		return ret;
	if (!mm_rwsem_down_read_trylock(&mm->mmap_lock)) {
		mm_counters.inval_skipped[MM_INVAL_OOM_REAP]++;
		return -EAGAIN;
	}
	ret = mm_invalidate_range(mm, start, end, MM_INVAL_OOM_REAP, false,
				  mm_zap, NULL);
	mm_rwsem_up_read(&mm->mmap_lock);
	return ret;
}
