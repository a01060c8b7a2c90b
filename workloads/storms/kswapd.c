// SPDX-License-Identifier: GPL-2.0
/*
 * kswapd.c - background reclaim: while free memory is below mm.low_free,
 * scan range_pages candidates per operation through the rmap, no mmap_lock;
 * blocking, or skipping busy candidates in try mode.
 * Kernel world, the real source: kswapd, woken by global memory pressure.
 * Before the run, the parent (outside any memcg) raises
 * vm.watermark_scale_factor to KSWAPD_WSF (kswapd then reclaims 1% of a
 * node at each wake-up instead of 0.1%) and holds a ballast: locked,
 * unevictable memory (not inherited by the run's process) that leaves free
 * mm.memory_pages / 2 pages above the zones' high watermarks.  So once the
 * run has its pages resident, free memory sits below the low watermark
 * and every allocation in the guest wakes kswapd, which reclaims the
 * evictable pages (the run's: the mirrored mapping's, to zram swap) through
 * the rmap, blocking or in try mode (the sysctl vm.mmu_notifier_reclaim_try
 * of the series), until the high watermark.  The storm thread's operation
 * is the allocation that keeps the pressure on: write range_pages pages of
 * its own buffer (new pages, each one a wake-up below the low watermark),
 * then drop them; its operations/s and stall.reclaim are that allocation's,
 * not kswapd's scans, whose volume is in the counters vm_pgscan_kswapd and
 * vm_pgsteal_kswapd.  Runs without a kswapd storm release the ballast and
 * put the factor back (10, the kernel's default).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "workloads/storm.h"

static int kswapd_op(struct storm_ctx *c)
{
	unsigned long nr_scan = dist_sample(&c->p->range, &c->rand);

	if (atomic_load_explicit(&c->mm->nr_free, memory_order_relaxed) >=
	    c->sc->low_free)
		return 0;
	mm_reclaim(c->mm, nr_scan, MM_INVAL_RECLAIM, !c->p->try_mode);
	return 0;
}

static int kswapd_kernel(struct storm_ctx *c)
{
	unsigned long start, end, i;

	storm_pick_range(c, &start, &end);
	for (i = 0; i < end - start; i++)
		c->scratch[i * STORM_PAGE_SIZE] = (char)(c->seq | 1);
	return madvise(c->scratch, (end - start) * STORM_PAGE_SIZE, MADV_DONTNEED) ?
	       -errno : 0;
}

#define KSWAPD_WSF_KNOB	"/proc/sys/vm/watermark_scale_factor"
#define KSWAPD_WSF	"100"
#define KSWAPD_WSF_DEF	"10"

/* The ballast: the parent's, from one run with a kswapd storm to the next. */
static char *ballast;
static size_t ballast_len;

/* The sum over every zone of /proc/zoneinfo's @what watermark, in pages. */
static unsigned long zone_watermarks(const char *what)
{
	unsigned long v, sum = 0;
	char line[256], key[32];
	FILE *f = fopen("/proc/zoneinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %31s %lu", key, &v) == 2 && !strcmp(key, what))
			sum += v;
	if (f)
		fclose(f);
	return sum;
}

/* MemFree of /proc/meminfo, in pages; 0 when unreadable. */
static unsigned long free_pages(void)
{
	unsigned long kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024 / STORM_PAGE_SIZE;
}

static int kswapd_before_run(const struct scenario *sc, const struct storm_params *p,
			     char *err, size_t len)
{
	unsigned long free, high, keep;
	int ret;

	if (!p->threads) {
		if (ballast)
			munmap(ballast, ballast_len);
		ballast = NULL;
		ret = storm_write_knob(KSWAPD_WSF_KNOB, KSWAPD_WSF_DEF);
		if (ret && ret != -ENOENT)
			snprintf(err, len, "%s: %s", KSWAPD_WSF_KNOB, strerror(-ret));
		return ret == -ENOENT ? 0 : ret;
	}
	if ((ret = storm_write_knob(KSWAPD_WSF_KNOB, KSWAPD_WSF))) {
		snprintf(err, len, "the kswapd storm raises %s: %s", KSWAPD_WSF_KNOB, strerror(-ret));
		return ret;
	}
	if (ballast)
		return 0;
	free = free_pages();
	high = zone_watermarks("high");
	keep = high + sc->memory_pages / 2;
	if (!free || !high) {
		snprintf(err, len, "the kswapd storm needs /proc/meminfo's MemFree and /proc/zoneinfo's "
			 "watermarks");
		return -EINVAL;
	}
	if (free <= keep) {
		fprintf(stderr, "snapbench: kswapd storm: no ballast, %lu pages free "
			"(high watermarks %lu)\n", free, high);
		return 0;	/* already under pressure */
	}
	ballast_len = (free - keep) * STORM_PAGE_SIZE;
	ballast = mmap(NULL, ballast_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED, -1, 0);
	if (ballast == MAP_FAILED) {
		ret = -errno;
		ballast = NULL;
		snprintf(err, len, "the kswapd storm's ballast of %zu MiB: %s", ballast_len >> 20,
			 strerror(-ret));
		return ret;
	}
	/* Not the run's: the child of fork() does not get it */
	madvise(ballast, ballast_len, MADV_DONTFORK);
	fprintf(stderr, "snapbench: kswapd storm: a ballast of %zu MiB leaves %lu pages free "
		"(%lu free, high watermarks %lu, now %lu free)\n", ballast_len >> 20, keep, free,
		high, free_pages());
	return 0;
}

static const char *const kswapd_vmstat[] = { "pgscan_kswapd", "pgsteal_kswapd", NULL };

const struct storm_desc kswapd_storm = {
	.name		= "kswapd",
	.help		= "a kswapd-like scanner reclaiming range_pages candidates per operation",
	.range		= { .def = "32", .help = "candidates scanned per operation" },
	.can_try	= true,
	.inval_kind	= MM_INVAL_RECLAIM,
	.model_op	= kswapd_op,
	.kernel		= {
		.op		= kswapd_kernel,
		.needs		= STORM_NEEDS_RESIDENT | STORM_NEEDS_SCRATCH,
		.before_run	= kswapd_before_run,
		.vmstat		= kswapd_vmstat,
	},
};
