// SPDX-License-Identifier: GPL-2.0
/*
 * kswapd.c - background reclaim: while free memory is below mm.low_free,
 * scan range_pages candidates per operation through the rmap, no mmap_lock;
 * blocking, or skipping busy candidates in try mode.
 * Kernel world, a stand-in: madvise(MADV_PAGEOUT) of range_pages pages
 * reclaims them through the rmap to zram swap (try mode: the sysctl
 * vm.mmu_notifier_reclaim_try of the series).  Real kswapd, woken by
 * global pressure (a locked ballast in the parent leaving free memory just
 * above the high watermarks, vm.watermark_scale_factor raised), ran in the
 * non-debug guest (reclaim-try: 2.2k-8.5k pgscan_kswapd/s) but made the
 * debug (KASAN) guest thrash until its runs hung (make test-kernel's storm
 * and mixed boots, 2026-12-07), so it is not used: see git history
 * (commit 1121156) for that version.
 */
#include <errno.h>
#include <sys/mman.h>

#include "workloads/storm.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

static int kswapd_op(struct storm_ctx *c)
{
	unsigned long nr_scan = dist_sample(&c->p->range, &c->rand);

	if (atomic_load_explicit(&c->mm->nr_free, memory_order_relaxed) >=
	    c->sc->low_free)
		return STORM_IDLE;
	mm_reclaim(c->mm, nr_scan, MM_INVAL_RECLAIM, !c->p->try_mode);
	return 0;
}

static int kswapd_kernel(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return madvise(c->base + start * STORM_PAGE_SIZE, (end - start) * STORM_PAGE_SIZE,
		       MADV_PAGEOUT) ? -errno : 0;
}

const struct storm_desc kswapd_storm = {
	.name		= "kswapd",
	.help		= "a kswapd-like scanner reclaiming range_pages candidates per operation",
	.range		= { .def = "32", .help = "candidates scanned per operation" },
	.can_try	= true,
	.inval_kind	= MM_INVAL_RECLAIM,
	.model_op	= kswapd_op,
	.kernel		= {
		.op	= kswapd_kernel,
		.note	= "stand-in: madvise(MADV_PAGEOUT) of range_pages pages, reclaimed "
			  "through the rmap to zram swap, not kswapd's LRU scan",
		.needs	= STORM_NEEDS_RESIDENT,
	},
};
