// SPDX-License-Identifier: GPL-2.0
/*
 * mm_init.c - setting up and tearing down the model address space, and the
 * per-thread state of the threads that use it (the model's `current`).
 *
 * Where the rest of the model lives, along kernel lines:
 *	mmu_notifier.c	devices, their notifiers, the invalidation path
 *	memory.c	page faults and zaps
 *	mmap.c		munmap, madvise, NUMA protection, the OOM reaper
 *	vmscan.c	reclaim: the rmap walk without the mmap_lock
 *	migrate.c	migration
 *	page_alloc.c	pages and the pfn allocator
 *	mirror.c	the generic mirror pass
 *	checker.c	the invariant checker
 */
#include <errno.h>
#include <string.h>

#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <urcu/rculist.h>

#include "workloads/mm_internal.h"

_Thread_local struct mm_task mm_current;
_Thread_local struct mm_task_counters mm_counters;
_Thread_local struct rand_state mm_rand;

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
