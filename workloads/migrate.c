// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - migration: copy a mapped page to a new one and replace its
 * PTE under an invalidation (rmap walk, no mmap_lock, like reclaim).
 */
#include "workloads/mm_internal.h"

unsigned long mm_migrate(struct mm *mm, unsigned long nr_scan)
{
	unsigned long migrated = 0, pfn, vpn, newpfn;
	uint64_t pte, new;

	while (nr_scan--) {
		vpn = mm_isolate_next(mm, &pfn, &pte);
		if (vpn == -1UL)
			continue;
		newpfn = mm_alloc_page(mm);
		if (newpfn == -1UL) {
			mm_page_put(mm, pfn);
			break;
		}
		atomic_store(&mm->page[newpfn].vpn, vpn);
		new = pte_make(newpfn, atomic_load(&mm->page[newpfn].gen),
			       pte & (PTE_WRITE | PTE_COW));
		if (!mm_replace_pte(mm, vpn, pfn, pte, new, MM_INVAL_MIGRATE, true))
			migrated++;
		else
			mm_page_put(mm, newpfn);
		mm_page_put(mm, pfn);
	}
	return migrated;
}
