// SPDX-License-Identifier: GPL-2.0
/*
 * vmscan.c - reclaim: rmap walks from the page to its mapping, without
 * the mmap_lock; non-blockable scans skip busy candidates.
 */
#include <errno.h>

#include "workloads/mm_internal.h"

/*
 * Isolate the next candidate page and find where it is mapped.
 * Returns: the vpn with a reference held on @pfn, or -1UL to skip.
 */
unsigned long mm_isolate_next(struct mm *mm, unsigned long *pfn, uint64_t *pte)
{
	unsigned long vpn;

	*pfn = atomic_fetch_add_explicit(&mm->reclaim_hand, 1,
					 memory_order_relaxed) % mm->cfg.nr_pfns;
	if (!mm_page_get_unless_free(mm, *pfn))
		return -1UL;
	vpn = atomic_load(&mm->page[*pfn].vpn);
	if (vpn < mm->cfg.nr_pages) {
		*pte = atomic_load(&mm->pte[vpn]);
		if (pte_present(*pte) && pte_pfn(*pte) == *pfn)
			return vpn;
	}
	mm_page_put(mm, *pfn);
	return -1UL;
}

struct mm_replace {
	unsigned long pfn;
	uint64_t old, new;
};

static int mm_replace_update(struct mm *mm, unsigned long vpn,
			     unsigned long end, void *arg)
{
	struct mm_replace *r = arg;

	/* Flags may change under us (NUMA hinting); the page must not. */
	while (pte_present(r->old) && pte_pfn(r->old) == r->pfn) {
		if (atomic_compare_exchange_weak(&mm->pte[vpn], &r->old, r->new)) {
			mm_page_put(mm, r->pfn);
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Replace the PTE of @vpn, which maps @pfn, by @new under an invalidation.
 * Returns: 0 when replaced (the mapping's reference is dropped), -EAGAIN
 * when the invalidation would block, -ENOENT when the mapping went away.
 */
int mm_replace_pte(struct mm *mm, unsigned long vpn, unsigned long pfn,
		   uint64_t old, uint64_t new, enum mm_inval_kind kind,
		   bool blockable)
{
	return mm_invalidate_range(mm, vpn, vpn + 1, kind, blockable,
				   mm_replace_update,
				   &(struct mm_replace){ pfn, old, new });
}

unsigned long mm_reclaim(struct mm *mm, unsigned long nr_scan,
			 enum mm_inval_kind kind, bool blockable)
{
	unsigned long reclaimed = 0, pfn, vpn;
	uint64_t pte;
	int ret;

	while (nr_scan--) {
		vpn = mm_isolate_next(mm, &pfn, &pte);
		if (vpn == -1UL)
			continue;
		ret = mm_replace_pte(mm, vpn, pfn, pte, PTE_SWAP, kind, blockable);
		if (ret == -EAGAIN)
			mm_counters.reclaim_skipped++;
		else if (!ret)
			reclaimed++;
		mm_page_put(mm, pfn);	/* isolation reference: frees it */
	}
	mm_counters.reclaimed += reclaimed;
	return reclaimed;
}
