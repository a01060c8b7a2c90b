// SPDX-License-Identifier: GPL-2.0
/*
 * numa.c - NUMA balancing's change_prot_numa(): invalidate a large range
 * and make its PTEs inaccessible, to catch hinting faults.  The pattern
 * behind real seqcount-retry starvation (KVM guests, fixed in Linux 6.8).
 * Kernel world, the real source: NUMA balancing (kernel.numa_balancing 1)
 * on the two-node guest, its scan made as frequent as the scenario asks
 * through the scheduler's debugfs knobs: a scan at most every 1000/rate ms
 * (scan_period_min_ms = scan_period_max_ms, at least 1; the tick bounds it
 * from below), over range_pages pages (scan_size_mb, at least 1), no scan
 * delay.  task_numa_work() then runs in the run's own threads as they
 * return to user space and change_prot_numa()s the mapping: the
 * MMU_NOTIFY_PROTECTION_VMA invalidations, under mmap_lock for read
 * (trylock).  The kernel, not the storm thread, picks when and where.
 * change_prot_numa() skips the zero page, so the mapping's pages are
 * written before the run (STORM_NEEDS_RESIDENT).  The storm thread's
 * operation is the accessor whose pages are being balanced: it writes one
 * byte of each page of a range, taking the NUMA hinting faults (and
 * migrations) on the pages it finds protected.  So
 * its operations/s and stall.numa are the rate and duration of those
 * accesses, not of invalidations; the invalidations' volume is in the
 * counters vm_numa_pte_updates (PTEs made inaccessible), vm_numa_hint_faults
 * and vm_numa_pages_migrated.  Runs without a numa storm turn balancing off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "workloads/storm.h"

static int numa_op(struct storm_ctx *c)
{
	unsigned long start, end;

	storm_pick_range(c, &start, &end);
	return mm_numa_protect(c->mm, start, end);
}

static int numa_kernel(struct storm_ctx *c)
{
	unsigned long start, end, pg;

	storm_pick_range(c, &start, &end);
	for (pg = start; pg < end; pg++)
		((volatile char *)c->base)[pg * STORM_PAGE_SIZE] = (char)c->seq;
	return 0;
}

#define NUMA_KNOBS	"/sys/kernel/debug/sched/numa_balancing/"

static int numa_before_run(const struct scenario *sc, const struct storm_params *p,
			   char *err, size_t len)
{
	unsigned long period_ms = p->rate > 0 && p->rate < 1000 ? (unsigned long)(1000 / p->rate) : 1;
	unsigned long size_mb = p->range.hi * STORM_PAGE_SIZE >> 20;
	const char *knob = "/proc/sys/kernel/numa_balancing";
	char text[32];
	int ret;

	if (!p->threads) {
		ret = storm_write_knob(knob, "0");
		if (ret && ret != -ENOENT)	/* no NUMA balancing: nothing to turn off */
			snprintf(err, len, "%s: %s", knob, strerror(-ret));
		return ret == -ENOENT ? 0 : ret;
	}
	if ((ret = storm_write_knob(NUMA_KNOBS "scan_delay_ms", "0")))
		knob = NUMA_KNOBS "scan_delay_ms";
	snprintf(text, sizeof(text), "%lu", period_ms);
	/* max first: min above the old max would be clamped by the scan */
	if (!ret && (ret = storm_write_knob(NUMA_KNOBS "scan_period_max_ms", text)))
		knob = NUMA_KNOBS "scan_period_max_ms";
	if (!ret && (ret = storm_write_knob(NUMA_KNOBS "scan_period_min_ms", text)))
		knob = NUMA_KNOBS "scan_period_min_ms";
	snprintf(text, sizeof(text), "%lu", size_mb ? size_mb : 1);
	if (!ret && (ret = storm_write_knob(NUMA_KNOBS "scan_size_mb", text)))
		knob = NUMA_KNOBS "scan_size_mb";
	if (!ret)
		ret = storm_write_knob(knob, "1");
	if (ret)
		snprintf(err, len, "the numa storm needs NUMA balancing (CONFIG_NUMA_BALANCING, debugfs): "
			 "%s: %s", knob, strerror(-ret));
	return ret;
}

static const char *const numa_vmstat[] = {
	"numa_pte_updates", "numa_hint_faults", "numa_pages_migrated", NULL
};

const struct storm_desc numa_storm = {
	.name		= "numa",
	.help		= "NUMA-balancing-like protection changes over large ranges",
	.range		= { .def = "4096", .help = "pages per operation", .in_space = true },
	.inval_kind	= MM_INVAL_NUMA,
	.model_op	= numa_op,
	.kernel		= {
		.op		= numa_kernel,
		.needs		= STORM_NEEDS_RESIDENT,
		.before_run	= numa_before_run,
		.vmstat		= numa_vmstat,
	},
};
