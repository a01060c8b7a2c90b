// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - page migration (compaction, NUMA placement): move
 * range_pages candidates to new pages through the rmap, no mmap_lock.
 * Kernel world: move_pages() of range_pages pages to the next NUMA node.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workloads/storm.h"

#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE	(1 << 1)
#endif

static int migrate_op(struct storm_ctx *c)
{
	return mm_migrate(c->mm, dist_sample(&c->p->range, &c->rand)) ? 0 : STORM_IDLE;
}

static int migrate_kernel(struct storm_ctx *c)
{
	unsigned long start, end, done, i, k;
	int node = (int)(c->seq % (unsigned long)c->nr_nodes);
	int nodes[512], status[512];
	void *pages[512];

	storm_pick_range(c, &start, &end);
	for (done = start; done < end; done += k) {
		k = end - done < 512 ? end - done : 512;
		for (i = 0; i < k; i++) {
			pages[i] = c->base + (done + i) * STORM_PAGE_SIZE;
			nodes[i] = node;
		}
		if (syscall(SYS_move_pages, 0, k, pages, nodes, status, MPOL_MF_MOVE))
			return -errno;
	}
	return 0;
}

const struct storm_desc migrate_storm = {
	.name		= "migrate",
	.help		= "page migration of range_pages candidates per operation",
	.range		= { .def = "8", .help = "candidates migrated per operation" },
	.inval_kind	= MM_INVAL_MIGRATE,
	.model_op	= migrate_op,
	.kernel		= { .op = migrate_kernel, .needs = STORM_NEEDS_NODES },
};
