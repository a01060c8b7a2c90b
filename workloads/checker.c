// SPDX-License-Identifier: GPL-2.0
/*
 * checker.c - the invariant checker: once an invalidation of a page has
 * ended, no device PTE maps the old page (see workloads/mm.h).  It looks
 * where a violation must show: a commit of a page already freed
 * (mirror.c) and a free of a page a device still maps (page_alloc.c).
 */
#include <stdio.h>

#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <urcu/rculist.h>

#include "workloads/mm_internal.h"

static void mm_task_name(char *buf, size_t len)
{
	snprintf(buf, len, "%s-%d", mm_current.role ? mm_current.role : "?",
		 mm_current.index);
}

void mm_report(struct mm *mm, const struct mm_mirror *mir, const char *what,
	       unsigned long vpn, uint64_t dpte, uint32_t page_gen,
	       bool by_committer)
{
	struct mm_page *pg = &mm->page[pte_pfn(dpte)];
	struct mm_checker *c = &mm->check;
	struct mm_violation *v;
	const char *role;

	/* The commit and the free may both see one stale page: count it once. */
	if (atomic_exchange(&pg->reported_gen, pte_gen(dpte)) == pte_gen(dpte))
		return;
	atomic_fetch_add(&c->violations, 1);

	mm_lock(&c->lock);
	if (c->nr_kept < MM_VIOLATIONS_KEPT) {
		v = &c->first[c->nr_kept++];
		v->what = what;
		v->vpn = vpn;
		v->pfn = pte_pfn(dpte);
		v->device_gen = pte_gen(dpte);
		v->page_gen = page_gen;
		v->strategy = mir->dom.ops->name;
		role = atomic_load(&mir->dpte_role[vpn]);
		if (by_committer) {
			mm_task_name(v->committer, sizeof(v->committer));
			snprintf(v->invalidator, sizeof(v->invalidator), "earlier");
		} else {
			snprintf(v->committer, sizeof(v->committer), "%s",
				 role ? role : "?");
			mm_task_name(v->invalidator, sizeof(v->invalidator));
		}
	}
	mm_unlock(&c->lock);
}

/*
 * The page's last reference is gone: every mapping of it was invalidated
 * and those invalidations have ended.  A device still mapping it breaks
 * the invariant.  Pairs with the seq_cst store/load in mm_commit().
 */
void mm_check_free(struct mm *mm, unsigned long pfn, uint32_t gen)
{
	unsigned long vpn = atomic_load(&mm->page[pfn].vpn);
	struct mm_mirror *mir;

	if (vpn >= mm->cfg.nr_pages)
		return;
	urcu_memb_read_lock();
	cds_list_for_each_entry_rcu(mir, &mm->mirrors, node) {
		uint64_t d = atomic_load(&mir->dpte[vpn]);

		if (pte_present(d) && pte_pfn(d) == pfn && pte_gen(d) == gen)
			mm_report(mm, mir, "device maps a page freed after its invalidation ended",
				  vpn, d, gen + 1, false);
	}
	urcu_memb_read_unlock();
}
