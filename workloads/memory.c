// SPDX-License-Identifier: GPL-2.0
/*
 * memory.c - page faults (and the COW break, the mirror's own
 * invalidation) and zaps.
 */
#include <errno.h>

#include "workloads/mm_internal.h"

/*
 * Clear the PTEs of [start, end) and drop their pages: an mm_update_fn,
 * run inside the invalidation of the range.
 */
int mm_zap(struct mm *mm, unsigned long start, unsigned long end, void *arg)
{
	unsigned long vpn;

	for (vpn = start; vpn < end; vpn++) {
		uint64_t old = atomic_exchange(&mm->pte[vpn], 0);

		if (pte_present(old))
			mm_page_put(mm, pte_pfn(old));
	}
	return 0;
}

/* A COW break: the PTE still maps the old page, or someone beat us to it. */
struct mm_cow {
	uint64_t old, new;
};

static int mm_cow_update(struct mm *mm, unsigned long vpn, unsigned long end,
			 void *arg)
{
	struct mm_cow *c = arg;

	if (atomic_compare_exchange_strong(&mm->pte[vpn], &c->old, c->new))
		mm_page_put(mm, pte_pfn(c->old));
	else
		mm_page_put(mm, pte_pfn(c->new));
	return 0;
}

static uint64_t mm_new_pte_flags(struct mm *mm, bool write)
{
	if (!write && mm->cfg.cow_permille &&
	    rand_below(&mm_rand, 1000) < mm->cfg.cow_permille)
		return PTE_COW;
	return PTE_WRITE;
}

int mm_fault(struct mm *mm, unsigned long vpn, bool write)
{
	uint64_t old = atomic_load(&mm->pte[vpn]), new;
	unsigned long pfn;
	int ret;

	if (!atomic_load_explicit(&mm->mapped[vpn], memory_order_relaxed))
		return -EFAULT;
	mm_counters.faults++;

	if (pte_present(old) && (old & PTE_PROTNONE)) {
		/* NUMA hinting fault: access is restored, no invalidation. */
		atomic_compare_exchange_strong(&mm->pte[vpn], &old,
					       old & ~PTE_PROTNONE);
		return 0;
	}
	if (pte_present(old) && !(write && (old & PTE_COW)))
		return 0;

	pfn = mm_alloc_page(mm);
	if (pfn == -1UL)
		return -ENOMEM;
	atomic_store(&mm->page[pfn].vpn, vpn);
	new = pte_make(pfn, atomic_load(&mm->page[pfn].gen),
		       pte_present(old) ? PTE_WRITE : mm_new_pte_flags(mm, write));

	if (!pte_present(old)) {
		if (!atomic_compare_exchange_strong(&mm->pte[vpn], &old, new))
			mm_page_put(mm, pfn);	/* someone else faulted it */
		return 0;
	}

	/* COW break (wp_page_copy): new page first, then invalidate. */
	ret = mm_invalidate_range(mm, vpn, vpn + 1, MM_INVAL_FAULT, true,
				  mm_cow_update, &(struct mm_cow){ old, new });
	if (ret)
		mm_page_put(mm, pfn);
	return ret;
}
