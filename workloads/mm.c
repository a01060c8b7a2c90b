// SPDX-License-Identifier: GPL-2.0
/*
 * mm.c - the model address space: pages, PTEs, the invalidation path,
 * faults, reclaim, the storm operations and the invariant checker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <urcu/rculist.h>

#include "harness/clock.h"
#include "harness/rand.h"
#include "workloads/mm.h"

const char *const mm_inval_kind_name[MM_INVAL_NR] = {
	[MM_INVAL_MUNMAP]		= "munmap",
	[MM_INVAL_MADVISE]		= "madvise",
	[MM_INVAL_RECLAIM]		= "reclaim",
	[MM_INVAL_DIRECT_RECLAIM]	= "direct_reclaim",
	[MM_INVAL_NUMA]			= "numa",
	[MM_INVAL_OOM_REAP]		= "oom_reap",
	[MM_INVAL_MIGRATE]		= "migrate",
	[MM_INVAL_FAULT]		= "fault",
};

_Thread_local struct mm_task mm_current;
_Thread_local struct mm_task_counters mm_counters;
_Thread_local void (*mm_stall_hook)(enum mm_inval_kind, uint64_t, void *);
_Thread_local void *mm_stall_hook_arg;
static _Thread_local struct rand_state mm_rand;

static void mm_lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m))
		abort();
}

static void mm_unlock(pthread_mutex_t *m)
{
	if (pthread_mutex_unlock(m))
		abort();
}

void mm_thread_online(const char *role, int index)
{
	mm_task_set(role, index);
	memset(&mm_counters, 0, sizeof(mm_counters));
	rand_seed(&mm_rand, (uint64_t)index * 0x9e3779b97f4a7c15ULL ^
		  (uintptr_t)role);
	urcu_memb_register_thread();
}

void mm_thread_offline(void)
{
	urcu_memb_unregister_thread();
}

static void mm_task_name(char *buf, size_t len)
{
	snprintf(buf, len, "%s-%d", mm_current.role ? mm_current.role : "?",
		 mm_current.index);
}

/* ----------------------------------------------------------------------
 * The invariant checker.
 */

static void mm_report(struct mm *mm, const struct mm_mirror *mir,
		      const char *what, unsigned long vpn, uint64_t dpte,
		      uint32_t page_gen, bool by_committer)
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
static void mm_check_free(struct mm *mm, unsigned long pfn, uint32_t gen)
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

/* ----------------------------------------------------------------------
 * Pages.
 */

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

static bool mm_page_get_unless_free(struct mm *mm, unsigned long pfn)
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

/* ----------------------------------------------------------------------
 * Setup.
 */

int mm_init(struct mm *mm, const struct mm_config *cfg)
{
	unsigned long i;
	int ret;

	if (!cfg->nr_pages || !cfg->nr_pfns || cfg->nr_pfns > MM_MAX_PFNS ||
	    !cfg->interval_pages || cfg->min_free > cfg->nr_pfns)
		return -EINVAL;
	memset(mm, 0, sizeof(*mm));
	mm->cfg = *cfg;
	mm->pte = calloc(cfg->nr_pages, sizeof(*mm->pte));
	mm->mapped = calloc(cfg->nr_pages, sizeof(*mm->mapped));
	mm->page = calloc(cfg->nr_pfns, sizeof(*mm->page));
	mm->free_stack = calloc(cfg->nr_pfns, sizeof(*mm->free_stack));
	if (!mm->pte || !mm->mapped || !mm->page || !mm->free_stack) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < cfg->nr_pages; i++)
		atomic_init(&mm->mapped[i], 1);
	/* Pushed in reverse so that low pfns are handed out first. */
	for (i = 0; i < cfg->nr_pfns; i++) {
		atomic_init(&mm->page[i].gen, 1);
		atomic_init(&mm->page[i].vpn, -1UL);
		mm->free_stack[i] = cfg->nr_pfns - 1 - i;
	}
	mm->nr_free_stack = cfg->nr_pfns;
	atomic_init(&mm->nr_free, cfg->nr_pfns);

	ret = -pthread_mutex_init(&mm->free_lock, NULL);
	if (ret)
		goto err_free;
	ret = -pthread_mutex_init(&mm->mirrors_lock, NULL);
	if (ret)
		goto err_free_lock;
	ret = -pthread_mutex_init(&mm->check.lock, NULL);
	if (ret)
		goto err_mirrors_lock;
	ret = mm_rwsem_init(&mm->mmap_lock);
	if (ret)
		goto err_check_lock;
	CDS_INIT_LIST_HEAD(&mm->mirrors);
	return 0;

err_check_lock:
	pthread_mutex_destroy(&mm->check.lock);
err_mirrors_lock:
	pthread_mutex_destroy(&mm->mirrors_lock);
err_free_lock:
	pthread_mutex_destroy(&mm->free_lock);
err_free:
	free(mm->free_stack);
	free(mm->page);
	free(mm->mapped);
	free(mm->pte);
	return ret;
}

void mm_destroy(struct mm *mm)
{
	mm_rwsem_destroy(&mm->mmap_lock);
	pthread_mutex_destroy(&mm->check.lock);
	pthread_mutex_destroy(&mm->mirrors_lock);
	pthread_mutex_destroy(&mm->free_lock);
	free(mm->free_stack);
	free(mm->page);
	free(mm->mapped);
	free(mm->pte);
}

int mm_mirror_register(struct mm *mm, struct mm_mirror *mir,
		       const struct snap_ops *ops)
{
	unsigned int nr = 0;
	struct mm_mirror *m;
	int ret;

	cds_list_for_each_entry(m, &mm->mirrors, node)
		nr++;
	if (nr >= MM_MAX_MIRRORS)
		return -ENOSPC;
	memset(mir, 0, sizeof(*mir));
	mir->mm = mm;
	mir->dpte = calloc(mm->cfg.nr_pages, sizeof(*mir->dpte));
	mir->dpte_role = calloc(mm->cfg.nr_pages, sizeof(*mir->dpte_role));
	if (!mir->dpte || !mir->dpte_role) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = -pthread_mutex_init(&mir->lock, NULL);
	if (ret)
		goto err_free;
	ret = snap_dom_init(&mir->dom, ops, mm->cfg.nr_pages,
			    mm->cfg.interval_pages);
	if (ret)
		goto err_mutex;

	mm_lock(&mm->mirrors_lock);
	cds_list_add_tail_rcu(&mir->node, &mm->mirrors);
	mm_unlock(&mm->mirrors_lock);
	return 0;

err_mutex:
	pthread_mutex_destroy(&mir->lock);
err_free:
	free(mir->dpte_role);
	free(mir->dpte);
	return ret;
}

void mm_mirror_unregister(struct mm_mirror *mir)
{
	mm_lock(&mir->mm->mirrors_lock);
	cds_list_del_rcu(&mir->node);
	mm_unlock(&mir->mm->mirrors_lock);
	urcu_memb_synchronize_rcu();
	snap_dom_fini(&mir->dom);
	pthread_mutex_destroy(&mir->lock);
	free(mir->dpte_role);
	free(mir->dpte);
}

/* ----------------------------------------------------------------------
 * Invalidation.
 */

/*
 * The device's invalidate callback (dmirror_interval_invalidate): take the
 * device lock, trylock when not blockable; clear device PTEs; pay the
 * device's cost (TLB flush, fence wait) with the lock held.
 */
static int mm_mirror_invalidate(struct mm_mirror *mir, unsigned long start,
				unsigned long end, bool blockable)
{
	unsigned long vpn;

	if (blockable)
		mm_lock(&mir->lock);
	else if (pthread_mutex_trylock(&mir->lock))
		return -EAGAIN;
	for (vpn = start; vpn < end; vpn++)
		if (atomic_load_explicit(&mir->dpte[vpn], memory_order_relaxed))
			atomic_store_explicit(&mir->dpte[vpn], 0,
					      memory_order_relaxed);
	spend_ns(mir->mm->cfg.invalidate_cost_ns);
	mm_unlock(&mir->lock);
	return 0;
}

/*
 * Held from start to end: the RCU read side keeps the device list stable
 * across the pair (the kernel uses SRCU, which may sleep, the same way).
 */
int mm_invalidate_start(struct mm *mm, struct mm_inval *inv,
			unsigned long start, unsigned long end,
			enum mm_inval_kind kind, bool blockable)
{
	struct mm_mirror *mir;
	int ret = 0;

	inv->start = start;
	inv->end = end;
	inv->kind = kind;
	inv->nr = 0;
	inv->stall_ns = 0;

	urcu_memb_read_lock();
	cds_list_for_each_entry_rcu(mir, &mm->mirrors, node) {
		struct snap_range *r = &inv->r[inv->nr];
		uint64_t t0 = now_ns();

		r->start = start;
		r->end = end;
		ret = mir->dom.ops->invalidate_start(&mir->dom, r, blockable);
		inv->stall_ns += now_ns() - t0;
		if (ret < 0)
			break;
		if (ret == SNAP_INVALIDATE_NO_CALLBACK) {
			inv->mir[inv->nr++] = mir;
			ret = 0;
			continue;
		}
		ret = mm_mirror_invalidate(mir, start, end, blockable);
		if (ret) {
			mir->dom.ops->invalidate_end(&mir->dom, r);
			break;
		}
		inv->mir[inv->nr++] = mir;
	}
	if (!ret)
		return 0;

	/* Undo what started, like mn_itree_inv_end() on a failed start. */
	while (inv->nr--)
		inv->mir[inv->nr]->dom.ops->invalidate_end(&inv->mir[inv->nr]->dom,
							   &inv->r[inv->nr]);
	urcu_memb_read_unlock();
	mm_counters.inval_skipped[kind]++;
	return ret;
}

void mm_invalidate_end(struct mm *mm, struct mm_inval *inv)
{
	uint64_t t0 = now_ns();
	unsigned int i;

	for (i = 0; i < inv->nr; i++)
		inv->mir[i]->dom.ops->invalidate_end(&inv->mir[i]->dom, &inv->r[i]);
	inv->stall_ns += now_ns() - t0;
	urcu_memb_read_unlock();

	mm_counters.inval[inv->kind]++;
	if (mm_stall_hook)
		mm_stall_hook(inv->kind, inv->stall_ns, mm_stall_hook_arg);
}

/* Clear the PTEs of [start, end) and drop their pages.  Caller invalidated. */
static void mm_zap(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long vpn;

	for (vpn = start; vpn < end; vpn++) {
		uint64_t old = atomic_exchange(&mm->pte[vpn], 0);

		if (pte_present(old))
			mm_page_put(mm, pte_pfn(old));
	}
}

/* ----------------------------------------------------------------------
 * Faults.
 */

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
	struct mm_inval inv;
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
	ret = mm_invalidate_start(mm, &inv, vpn, vpn + 1, MM_INVAL_FAULT, true);
	if (ret) {
		mm_page_put(mm, pfn);
		return ret;
	}
	if (atomic_compare_exchange_strong(&mm->pte[vpn], &old, new))
		mm_page_put(mm, pte_pfn(old));
	else
		mm_page_put(mm, pfn);
	mm_invalidate_end(mm, &inv);
	return 0;
}

/* ----------------------------------------------------------------------
 * Reclaim and migration: rmap walks, no mmap_lock.
 */

/*
 * Isolate the next candidate page and find where it is mapped.
 * Returns: the vpn with a reference held on @pfn, or -1UL to skip.
 */
static unsigned long mm_isolate_next(struct mm *mm, unsigned long *pfn,
				     uint64_t *pte)
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

/*
 * Replace the PTE of @vpn, which maps @pfn, by @new under an invalidation.
 * Returns: 0 when replaced (the mapping's reference is dropped), -EAGAIN
 * when the invalidation would block, -ENOENT when the mapping went away.
 */
static int mm_replace_pte(struct mm *mm, unsigned long vpn, unsigned long pfn,
			  uint64_t old, uint64_t new, enum mm_inval_kind kind,
			  bool blockable)
{
	struct mm_inval inv;
	int ret;

	ret = mm_invalidate_start(mm, &inv, vpn, vpn + 1, kind, blockable);
	if (ret)
		return ret;
	ret = -ENOENT;
	/* Flags may change under us (NUMA hinting); the page must not. */
	while (pte_present(old) && pte_pfn(old) == pfn) {
		if (atomic_compare_exchange_weak(&mm->pte[vpn], &old, new)) {
			mm_page_put(mm, pfn);
			ret = 0;
			break;
		}
	}
	mm_invalidate_end(mm, &inv);
	return ret;
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

/* ----------------------------------------------------------------------
 * Storm operations on ranges.
 */

static int mm_check_range(struct mm *mm, unsigned long start, unsigned long end)
{
	return start < end && end <= mm->cfg.nr_pages ? 0 : -EINVAL;
}

/* Linux 6.x munmap: write lock, detach the VMA, downgrade, zap under read. */
int mm_munmap(struct mm *mm, unsigned long start, unsigned long end)
{
	struct mm_inval inv;
	unsigned long vpn;
	int ret = mm_check_range(mm, start, end);

	if (ret)
		return ret;
	mm_rwsem_down_write(&mm->mmap_lock);
	for (vpn = start; vpn < end; vpn++)
		atomic_store_explicit(&mm->mapped[vpn], 0, memory_order_relaxed);
	mm_rwsem_downgrade(&mm->mmap_lock);
	ret = mm_invalidate_start(mm, &inv, start, end, MM_INVAL_MUNMAP, true);
	if (!ret) {
		mm_zap(mm, start, end);
		mm_invalidate_end(mm, &inv);
	}
	mm_rwsem_up_read(&mm->mmap_lock);
	return ret;
}

int mm_remap(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long vpn;
	int ret = mm_check_range(mm, start, end);

	if (ret)
		return ret;
	mm_rwsem_down_write(&mm->mmap_lock);
	for (vpn = start; vpn < end; vpn++)
		atomic_store_explicit(&mm->mapped[vpn], 1, memory_order_relaxed);
	mm_rwsem_up_write(&mm->mmap_lock);
	return 0;
}

/* madvise(MADV_DONTNEED): zap under the read lock. */
int mm_madvise_dontneed(struct mm *mm, unsigned long start, unsigned long end)
{
	struct mm_inval inv;
	int ret = mm_check_range(mm, start, end);

	if (ret)
		return ret;
	mm_rwsem_down_read(&mm->mmap_lock);
	ret = mm_invalidate_start(mm, &inv, start, end, MM_INVAL_MADVISE, true);
	if (!ret) {
		mm_zap(mm, start, end);
		mm_invalidate_end(mm, &inv);
	}
	mm_rwsem_up_read(&mm->mmap_lock);
	return ret;
}

/* change_prot_numa(): make present PTEs inaccessible to catch hinting faults. */
int mm_numa_protect(struct mm *mm, unsigned long start, unsigned long end)
{
	struct mm_inval inv;
	unsigned long vpn;
	int ret = mm_check_range(mm, start, end);

	if (ret)
		return ret;
	mm_rwsem_down_read(&mm->mmap_lock);
	ret = mm_invalidate_start(mm, &inv, start, end, MM_INVAL_NUMA, true);
	if (!ret) {
		for (vpn = start; vpn < end; vpn++) {
			uint64_t old = atomic_load(&mm->pte[vpn]);

			while (pte_present(old) && !(old & PTE_PROTNONE) &&
			       !atomic_compare_exchange_weak(&mm->pte[vpn], &old,
							     old | PTE_PROTNONE))
				;
		}
		mm_invalidate_end(mm, &inv);
	}
	mm_rwsem_up_read(&mm->mmap_lock);
	return ret;
}

/* The OOM reaper: trylock, non-blockable invalidation, skip on -EAGAIN. */
int mm_oom_reap(struct mm *mm, unsigned long start, unsigned long end)
{
	struct mm_inval inv;
	int ret = mm_check_range(mm, start, end);

	if (ret)
		return ret;
	if (!mm_rwsem_down_read_trylock(&mm->mmap_lock)) {
		mm_counters.inval_skipped[MM_INVAL_OOM_REAP]++;
		return -EAGAIN;
	}
	ret = mm_invalidate_start(mm, &inv, start, end, MM_INVAL_OOM_REAP, false);
	if (!ret) {
		mm_zap(mm, start, end);
		mm_invalidate_end(mm, &inv);
	}
	mm_rwsem_up_read(&mm->mmap_lock);
	return ret;
}

/* ----------------------------------------------------------------------
 * The generic mirror pass (the shape of dmirror_range_fault()).
 */

/*
 * Snapshot [start, end) into @snap, faulting pages in.  The fault runs in a
 * mirror-fault scope: direct reclaim it enters does not block on notifiers.
 * Returns: 0, or -EBUSY when a page could not be made present (the caller
 * retries the pass, as hmm_range_fault() callers do).
 */
static int mm_snapshot(struct mm *mm, unsigned long start, unsigned long end,
		       bool write, uint64_t *snap, unsigned long *holes)
{
	unsigned long vpn;
	int ret;

	*holes = 0;
	for (vpn = start; vpn < end; vpn++) {
		uint64_t pte = atomic_load(&mm->pte[vpn]);
		bool need = !pte_present(pte) || (pte & PTE_PROTNONE) ||
			    (write && (pte & PTE_COW));

		if (need) {
			mm_current.in_mirror_fault = true;
			ret = mm_fault(mm, vpn, write);
			mm_current.in_mirror_fault = false;
			if (ret == -EFAULT) {
				snap[vpn - start] = 0;
				(*holes)++;
				continue;
			}
			if (ret)
				return -EBUSY;
			pte = atomic_load(&mm->pte[vpn]);
			if (!pte_present(pte) || (pte & PTE_PROTNONE))
				return -EBUSY;	/* taken away again */
		}
		snap[vpn - start] = pte;
	}
	return 0;
}

/*
 * Write the snapshot into the device.  Caller holds the device lock and
 * read_retry() said the snapshot is current.  A page already freed means
 * the strategy let a stale snapshot through.
 */
static void mm_commit(struct mm_mirror *mir, unsigned long start,
		      unsigned long end, const uint64_t *snap)
{
	struct mm *mm = mir->mm;
	unsigned long vpn;

	for (vpn = start; vpn < end; vpn++) {
		uint64_t d = snap[vpn - start] & ~(PTE_PROTNONE | PTE_SWAP);
		uint32_t gen;

		if (!pte_present(d))
			continue;
		/* seq_cst: pairs with the gen increment in mm_free_page(). */
		atomic_store(&mir->dpte[vpn], d);
		atomic_store_explicit(&mir->dpte_role[vpn], mm_current.role,
				      memory_order_relaxed);
		gen = atomic_load(&mm->page[pte_pfn(d)].gen);
		if (gen != pte_gen(d))
			mm_report(mm, mir, "stale snapshot committed: page already freed",
				  vpn, d, gen, true);
	}
}

int mm_mirror_pass(struct mm_mirror *mir, unsigned long start,
		   unsigned long end, const struct mm_pass_opts *o,
		   uint64_t *snap, struct mm_pass_result *res)
{
	const struct snap_ops *ops = mir->dom.ops;
	struct mm *mm = mir->mm;
	uint64_t t0 = now_ns(), deadline = o->deadline_ns ? t0 + o->deadline_ns : 0;
	struct snap_range r;
	int ret;

	memset(res, 0, sizeof(*res));
	mm_rwsem_down_read(&mm->mmap_lock);
	for (;;) {
		/* test_hmm/nouveau: one deadline over every attempt. */
		if (deadline && !o->deadline_on_fault_only &&
		    (res->retries || res->fault_retries) &&
		    now_ns() > deadline) {
			ret = -EBUSY;
			break;
		}
		r.start = start;
		r.end = end;
		ret = ops->read_begin(&mir->dom, &r);
		if (ret)
			break;
		ret = mm_snapshot(mm, start, end, o->write, snap, &res->holes);
		if (ret) {
			/*
			 * No memory, or the page taken away again: not a
			 * collision the strategy could have prevented, so
			 * counted apart from retries (hybrid bounds those).
			 */
			ops->read_end(&mir->dom, &r);
			res->fault_retries++;
			/* RDMA ODP: the deadline only bounds failing faults. */
			if (deadline && o->deadline_on_fault_only &&
			    now_ns() > deadline)
				break;
			continue;
		}
		spend_ns(o->device_work_ns_per_page * (end - start));
		if (o->after_snapshot)
			o->after_snapshot(o->after_snapshot_arg);

		mm_lock(&mir->lock);
		if (ops->read_retry(&mir->dom, &r)) {
			mm_unlock(&mir->lock);
			ops->read_end(&mir->dom, &r);
			res->retries++;
			continue;
		}
		mm_commit(mir, start, end, snap);
		mm_unlock(&mir->lock);
		ops->read_end(&mir->dom, &r);
		res->time_to_mirror_ns = now_ns() - t0;
		break;
	}
	mm_rwsem_up_read(&mm->mmap_lock);
	res->deadline_miss = ret == -EBUSY;
	return ret;
}
