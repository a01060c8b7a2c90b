/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm.h - the userspace model of the kernel pieces a mirroring strategy
 * touches: CPU page table, page allocator, mmap_lock, notifiers, devices.
 *
 * What the model keeps from Linux 6.x, because it is what makes strategies
 * differ:
 *  - PTEs are atomic words holding pfn, page generation and flags; pages are
 *    reference counted and freed pfns are reused, so a stale device PTE is a
 *    use-after-free (the page's generation moves on at every free);
 *  - the mmap_lock is a sleeping rwsem: mirror passes hold it for read as
 *    hmm_range_fault() requires, munmap takes it for write, detaches, then
 *    downgrades and zaps under read, madvise zaps under read, reclaim and
 *    migration take none;
 *  - devices subscribe on an RCU list (liburcu); every invalidation calls
 *    each device's strategy and then its callback, which takes the device
 *    page-table lock (trylock when not blockable, as dmirror does) and may
 *    cost time (a TLB flush, a fence wait);
 *  - mirror passes fault pages in (HMM_PFN_REQ_FAULT): a write fault on a
 *    COW page invalidates the page being mirrored, and the fault's
 *    allocation can enter direct reclaim.
 *
 * The invariant, checked online: once an invalidation of a page has ended,
 * no device PTE maps the old page.  Every page that loses its mapping is
 * freed after its invalidation ends, so the checker looks at the two places
 * a violation must show: a commit of a page that was already freed, and a
 * free of a page that a device still maps.
 *
 * Page numbers: vpn (virtual page), pfn (physical page).  Ranges [start, end).
 *
 * The code is split as mm/ is (workloads/mm_init.c lists the files); what
 * they share and nobody else uses is in workloads/mm_internal.h.
 */
#ifndef SNAP_MM_H
#define SNAP_MM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

#include "strategies/snap_ops.h"
#include "workloads/rwsem.h"
#include "workloads/task.h"

/* PTE (CPU and device) encoding. */
#define PTE_PRESENT	(1ULL << 0)
#define PTE_WRITE	(1ULL << 1)
#define PTE_COW		(1ULL << 2)	/* write-protected shared page */
#define PTE_SWAP	(1ULL << 3)	/* not present: contents in swap */
#define PTE_PROTNONE	(1ULL << 4)	/* NUMA hinting: present, no access */
#define PTE_PFN_SHIFT	8
#define PTE_PFN_BITS	24
#define PTE_GEN_SHIFT	32
#define MM_MAX_PFNS	(1UL << PTE_PFN_BITS)

static inline uint64_t pte_make(unsigned long pfn, uint32_t gen, uint64_t flags)
{
	return (uint64_t)gen << PTE_GEN_SHIFT | (uint64_t)pfn << PTE_PFN_SHIFT |
	       flags | PTE_PRESENT;
}

static inline bool pte_present(uint64_t pte)
{
	return pte & PTE_PRESENT;
}

static inline unsigned long pte_pfn(uint64_t pte)
{
	return (pte >> PTE_PFN_SHIFT) & (MM_MAX_PFNS - 1);
}

static inline uint32_t pte_gen(uint64_t pte)
{
	return pte >> PTE_GEN_SHIFT;
}

/* Same page (pfn and generation), whatever the flags. */
static inline bool pte_same_page(uint64_t a, uint64_t b)
{
	return pte_present(a) && pte_present(b) &&
	       (a >> PTE_PFN_SHIFT) == (b >> PTE_PFN_SHIFT);
}

/* Where invalidations come from (the kernel's callers, see DESIGN.md). */
enum mm_inval_kind {
	MM_INVAL_MUNMAP,
	MM_INVAL_MADVISE,
	MM_INVAL_RECLAIM,		/* kswapd-like scanner */
	MM_INVAL_DIRECT_RECLAIM,	/* allocating threads */
	MM_INVAL_NUMA,			/* change_prot_numa() */
	MM_INVAL_OOM_REAP,		/* the one non-blockable caller */
	MM_INVAL_MIGRATE,
	MM_INVAL_FAULT,			/* the mirror's own faults: COW break */
	MM_INVAL_NR,
};

extern const char *const mm_inval_kind_name[MM_INVAL_NR];

struct mm_page {
	atomic_uint refcount;		/* 0: free; each mapping and isolation holds one */
	atomic_uint gen;		/* bumped at every free */
	atomic_ulong vpn;		/* reverse map: where it is mapped */
	atomic_uint reported_gen;	/* the checker reports a stale page once */
};

/*
 * lib/test_snapbench sleeps (fsleep) for device work or an invalidate
 * callback of at least this long and spins (ndelay) below it; a
 * calibrated model adds the sleep's measured extra (cost.sleep_ns) there.
 */
#define MM_DRIVER_SLEEP_NS	10000

struct mm_config {
	unsigned long nr_pages;		/* virtual pages */
	unsigned long nr_pfns;		/* physical pages (< nr_pages: pressure) */
	unsigned long interval_pages;	/* device notifier subscription size */
	unsigned long min_free;		/* below this, allocations reclaim directly */
	unsigned int direct_reclaim_batch; /* candidates scanned per attempt */
	unsigned int cow_permille;	/* faulted pages mapped COW, per 1000 */
	uint64_t invalidate_cost_ns;	/* in each device callback */
	uint64_t inval_extra_ns;	/* cost.inval_ns: inside each invalidation */
	uint64_t sleep_extra_ns;	/* cost.sleep_ns: see MM_DRIVER_SLEEP_NS */
	uint64_t mmap_extra_ns;		/* cost.mmap_ns: munmap, mmap_lock held for write */
	uint64_t seed;
};

/* Per-thread counters, summed by the harness after the threads end. */
struct mm_task_counters {
	unsigned long inval[MM_INVAL_NR];	/* invalidations completed */
	unsigned long inval_skipped[MM_INVAL_NR]; /* -EAGAIN: skipped */
	unsigned long reclaimed;		/* pages freed by reclaim */
	unsigned long reclaim_skipped;		/* busy candidates skipped */
	unsigned long faults;
	unsigned long alloc_failures;
};

struct mm_violation {
	const char *what;
	unsigned long vpn, pfn;
	uint32_t device_gen, page_gen;
	const char *strategy;
	char committer[24];		/* thread that mapped it on the device */
	char invalidator[24];		/* thread that freed it */
};

#define MM_VIOLATIONS_KEPT	8

struct mm_checker {
	atomic_ulong violations;
	pthread_mutex_t lock;		/* protects first[] */
	unsigned int nr_kept;
	struct mm_violation first[MM_VIOLATIONS_KEPT];
};

struct mm {
	struct mm_config cfg;
	_Atomic uint64_t *pte;		/* CPU page table */
	atomic_uchar *mapped;		/* per page: inside a VMA */
	struct mm_page *page;		/* per pfn */
	pthread_mutex_t free_lock;	/* protects free_stack */
	unsigned long *free_stack;
	unsigned long nr_free_stack;
	atomic_ulong nr_free;		/* lock-free read of nr_free_stack */
	atomic_ulong reclaim_hand;	/* next pfn the scanners look at */
	struct mm_rwsem mmap_lock;
	pthread_mutex_t mirrors_lock;	/* serialises list updates */
	struct cds_list_head mirrors;	/* RCU list of struct mm_mirror */
	struct mm_checker check;
};

/* A device that mirrors the mm: its page table, lock and strategy domain. */
struct mm_mirror {
	struct cds_list_head node;	/* on mm->mirrors */
	struct mm *mm;
	struct snap_dom dom;
	pthread_mutex_t lock;		/* device page-table lock */
	_Atomic uint64_t *dpte;		/* device PTEs, same encoding */
	/* Violation attribution: who last wrote each device PTE. */
	_Atomic(const char *) *dpte_role;
};

#define MM_MAX_MIRRORS	4

/* One invalidation in flight across every subscribed device. */
struct mm_inval {
	unsigned long start, end;
	enum mm_inval_kind kind;
	unsigned int nr;
	struct mm_mirror *mir[MM_MAX_MIRRORS];
	struct snap_range r[MM_MAX_MIRRORS];
};

struct mm_pass_opts {
	bool write;			/* write access: breaks COW */
	uint64_t deadline_ns;		/* 0: none */
	bool deadline_on_fault_only;	/* RDMA ODP: checked when a fault fails */
	uint64_t device_work_ns_per_page; /* between snapshot and commit */
	uint64_t attempt_extra_ns;	/* cost.pass_ns: each snapshot attempt */
	uint64_t page_extra_ns;		/* cost.page_ns: per page walked */
	/*
	 * Tests only: called after each snapshot and its device work, before
	 * the device lock is taken, so a test can run an invalidation exactly
	 * between snapshot and commit.  NULL in every benchmark.
	 */
	void (*after_snapshot)(void *arg);
	void *after_snapshot_arg;
};

struct mm_pass_result {
	unsigned int retries;		/* snapshots read_retry() threw away */
	unsigned int fault_retries;	/* snapshots given up: a fault failed */
	uint64_t time_to_mirror_ns;	/* first read_begin to commit */
	bool deadline_miss;		/* gave up: -EBUSY */
	unsigned long holes;		/* unmapped pages left unmirrored */
};

/*
 * Threads: every thread that touches an mm must call mm_thread_online()
 * first (RCU registration) and mm_thread_offline() before it exits.
 */
void mm_thread_online(const char *role, int index);
void mm_thread_offline(void);

/**
 * mm_init() - set up an address space; every page mapped, none present
 * Returns: 0, -EINVAL for a bad configuration, -ENOMEM.
 */
int mm_init(struct mm *mm, const struct mm_config *cfg);
/* No thread may use @mm any more; every mirror must be unregistered. */
void mm_destroy(struct mm *mm);

/**
 * mm_mirror_register() - subscribe a device using strategy @ops
 * Call before the threads that invalidate start (like mmu_interval_notifier_insert
 * it does not catch invalidations already in flight).
 * Returns: 0 or -errno.
 */
int mm_mirror_register(struct mm *mm, struct mm_mirror *mir,
		       const struct snap_ops *ops);
void mm_mirror_unregister(struct mm_mirror *mir);

/**
 * mm_invalidate_start() - begin invalidating [start, end) on every device
 * Calls each device's strategy, then its callback.  Sleeps only when
 * @blockable.  Returns 0, or -EAGAIN (nothing left in flight) when a
 * strategy or callback would have to wait and !@blockable.
 */
int mm_invalidate_start(struct mm *mm, struct mm_inval *inv,
			unsigned long start, unsigned long end,
			enum mm_inval_kind kind, bool blockable);
void mm_invalidate_end(struct mm *mm, struct mm_inval *inv);

/* Page references: a page is freed (and checked) when the last one goes. */
void mm_page_put(struct mm *mm, unsigned long pfn);

/**
 * mm_alloc_page() - take a free page, reclaiming directly when short
 * Direct reclaim is non-blockable inside a mirror's fault or when the
 * calling task asked for try-mode reclaim (mm_current.reclaim_try).
 * Returns: a pfn with one reference, or -1UL when none could be had.
 */
unsigned long mm_alloc_page(struct mm *mm);

/**
 * mm_fault() - make @vpn present (and writable for @write), as a page fault
 * Caller holds mmap_lock for read.  A write to a COW page invalidates it.
 * Returns: 0, -EFAULT outside any VMA, -ENOMEM, or -EAGAIN/-EDEADLK from
 * the invalidation.
 */
int mm_fault(struct mm *mm, unsigned long vpn, bool write);

/**
 * mm_reclaim() - scan up to @nr_scan pages and reclaim those mapped
 * Takes no mmap_lock.  Non-blockable scans skip busy candidates (try-to-
 * invalidate).  Returns: pages reclaimed.
 */
unsigned long mm_reclaim(struct mm *mm, unsigned long nr_scan,
			 enum mm_inval_kind kind, bool blockable);

/* Storm operations (see workloads/storms/): each returns 0 or -errno. */
int mm_munmap(struct mm *mm, unsigned long start, unsigned long end);
int mm_remap(struct mm *mm, unsigned long start, unsigned long end);
int mm_madvise_dontneed(struct mm *mm, unsigned long start, unsigned long end);
int mm_numa_protect(struct mm *mm, unsigned long start, unsigned long end);
int mm_oom_reap(struct mm *mm, unsigned long start, unsigned long end);
unsigned long mm_migrate(struct mm *mm, unsigned long nr_scan);

/**
 * mm_mirror_pass() - mirror [start, end) into the device: the generic pass
 * Takes mmap_lock for read.  @snap holds end - start entries.
 * Returns: 0, -EBUSY at the deadline, or -errno from read_begin.
 */
int mm_mirror_pass(struct mm_mirror *mir, unsigned long start,
		   unsigned long end, const struct mm_pass_opts *o,
		   uint64_t *snap, struct mm_pass_result *res);

extern _Thread_local struct mm_task_counters mm_counters;

#endif /* SNAP_MM_H */
