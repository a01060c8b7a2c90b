// SPDX-License-Identifier: GPL-2.0
/*
 * page_alloc.c - pages and the pfn allocator: reference counts, a free
 * stack, and direct reclaim when an allocation finds memory short.
 */
#include "workloads/mm_internal.h"

static void mm_free_page(struct mm *mm, unsigned long pfn)
{
	struct mm_page *pg = &mm->page[pfn];
	uint32_t gen = atomic_fetch_add(&pg->gen, 1);

	mm_check_free(mm, pfn, gen);
	atomic_store(&pg->vpn, -1UL);
	mm_lock(&mm->free_lock);
	mm->free_stack[mm->nr_free_stack++] = pfn;
	atomic_store_explicit(&mm->nr_free, mm->nr_free_stack, memory_order_relaxed);
	mm_unlock(&mm->free_lock);
}

void mm_page_put(struct mm *mm, unsigned long pfn)
{
	if (atomic_fetch_sub(&mm->page[pfn].refcount, 1) == 1)
		mm_free_page(mm, pfn);
}

bool mm_page_get_unless_free(struct mm *mm, unsigned long pfn)
{
	atomic_uint *ref = &mm->page[pfn].refcount;
	unsigned int r = atomic_load(ref);

	do {
		if (!r)
			return false;
	} while (!atomic_compare_exchange_weak(ref, &r, r + 1));
	return true;
}

static unsigned long mm_pop_free(struct mm *mm)
{
	unsigned long pfn = -1UL;

	mm_lock(&mm->free_lock);
	if (mm->nr_free_stack) {
		pfn = mm->free_stack[--mm->nr_free_stack];
		atomic_store_explicit(&mm->nr_free, mm->nr_free_stack,
				      memory_order_relaxed);
	}
	mm_unlock(&mm->free_lock);
	return pfn;
}

unsigned long mm_alloc_page(struct mm *mm)
{
	bool blockable = !mm_current.in_mirror_fault && !mm_current.reclaim_try;
	unsigned long pfn;
	int attempt;

	for (attempt = 0; attempt < 8; attempt++) {
		unsigned long nr_free = atomic_load_explicit(&mm->nr_free,
							     memory_order_relaxed);

		if (nr_free > mm->cfg.min_free || attempt == 7) {
			pfn = mm_pop_free(mm);
			if (pfn != -1UL) {
				atomic_store(&mm->page[pfn].refcount, 1);
				return pfn;
			}
		}
		mm_reclaim(mm, mm->cfg.direct_reclaim_batch,
			   MM_INVAL_DIRECT_RECLAIM, blockable);
	}
	mm_counters.alloc_failures++;
	return -1UL;
}
