// SPDX-License-Identifier: GPL-2.0
/*
 * mmu_notifier.c - devices and the invalidation path: devices subscribe
 * on an RCU list; every invalidation calls each device's strategy, then its
 * callback (the invalidate callback of lib/test_hmm.c's dmirror).
 */
#include <errno.h>
#include <string.h>

#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <urcu/rculist.h>

#include "lib/clock.h"
#include "workloads/mm_internal.h"

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
	spend_ns(mm_driver_time(mir->mm, mir->mm->cfg.invalidate_cost_ns));
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

	urcu_memb_read_lock();
	cds_list_for_each_entry_rcu(mir, &mm->mirrors, node) {
		struct snap_range *r = &inv->r[inv->nr];

		r->start = start;
		r->end = end;
		r->attempt = 0;
		ret = mir->dom.ops->invalidate_start(&mir->dom, r, blockable);
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
	unsigned int i;

	for (i = 0; i < inv->nr; i++)
		inv->mir[i]->dom.ops->invalidate_end(&inv->mir[i]->dom, &inv->r[i]);
	urcu_memb_read_unlock();

	mm_counters.inval[inv->kind]++;
}

int mm_invalidate_range(struct mm *mm, unsigned long start, unsigned long end,
			enum mm_inval_kind kind, bool blockable,
			mm_update_fn update, void *arg)
{
	struct mm_inval inv;
	int ret;

	ret = mm_invalidate_start(mm, &inv, start, end, kind, blockable);
	if (ret)
		return ret;
	spin_ns(mm->cfg.inval_extra_ns);
	ret = update(mm, start, end, arg);
	mm_invalidate_end(mm, &inv);
	return ret;
}
