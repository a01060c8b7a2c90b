/* SPDX-License-Identifier: GPL-2.0 */
/*
 * storm.h - invalidation sources.  A storm is one file in workloads/storms/:
 * one struct storm_desc named <file>_storm, declaring its name, its keys'
 * defaults and help, whether it can try-invalidate, what its range means,
 * the invalidations it makes, and its operation in each world.  The build
 * collects the files by wildcard into storm-list.h; the scenario keys
 * (storm.<name>.*), their validation, `snapbench list` and the runner's
 * threads all come from the table below.  The harness owns a storm's
 * threads, its open-loop schedule and its timing.
 */
#ifndef SNAP_STORM_H
#define SNAP_STORM_H

#include <stdbool.h>

#include "lib/rand.h"
#include "workloads/mm.h"
#include "workloads/scenario.h"

/* What a storm's operation sees, in either world. */
struct storm_ctx {
	const struct scenario *sc;
	const struct storm_params *p;
	struct rand_state rand;
	unsigned long seq;		/* operations started so far */
	/* the model world */
	struct mm *mm;
	/* the kernel world */
	char *base;			/* the mirrored mapping: mm.pages pages */
	char *scratch;			/* STORM_NEEDS_SCRATCH: range_pages.hi pages */
	int nr_nodes;			/* NUMA nodes of the machine */
};

#define STORM_PAGE_SIZE		4096UL	/* the kernel world's pages */

/* What a kernel-world operation needs of the run (storm_kernel.needs). */
enum {
	STORM_NEEDS_RESIDENT	= 1 << 0,	/* real pages, not the zero page,
						 * written before the run */
	STORM_NEEDS_MEMCG	= 1 << 1,	/* the run's process in a memcg
						 * at memory.max (mm.memory_pages) */
	STORM_NEEDS_NODES	= 1 << 2,	/* two NUMA nodes */
	STORM_NEEDS_SCRATCH	= 1 << 3,	/* a private buffer per thread */
	STORM_READ_ONLY_MIRROR	= 1 << 4,	/* it write-protects pages: mirror
						 * passes fault read-only */
};

/* A storm in the kernel world (harness/world_kernel.c). */
/*
 * A model operation that found nothing to do this time (kswapd above its
 * watermark, a migration pass that isolated nothing): counted as an
 * operation, not timed as a stall (it invalidated nothing).
 */
#define STORM_IDLE	1

struct storm_kernel {
	/*
	 * One operation, real system calls on c->base.  Returns 0, -EAGAIN
	 * when it was skipped (the kernel said busy or no memory), or -errno,
	 * which fails the run.  NULL: not available in the kernel world; the
	 * storm is dropped from the run (threads 0), with @note in the result.
	 */
	int (*op)(struct storm_ctx *c);
	/* NULL: the real invalidation source; else how it stands in, or why none */
	const char *note;
	unsigned int needs;		/* STORM_NEEDS_*, STORM_READ_ONLY_MIRROR */
	/*
	 * (parent) Before each run of @sc, whether this storm runs in it or
	 * not (@p->threads 0): set the kernel's knobs its real source needs,
	 * or put them back.  Returns 0, or -errno with @err.  NULL: none.
	 */
	int (*before_run)(const struct scenario *sc, const struct storm_params *p,
			  char *err, size_t len);
	/*
	 * /proc/vmstat counters of the real source (NULL-terminated): their
	 * growth over the measured phase is reported as counters vm_<name>.
	 */
	const char *const *vmstat;
};

struct storm_desc {
	const char *name;		/* storm.<name>.* keys, thread role */
	const char *help;		/* "threads running <help>" */
	struct {
		const char *def;	/* storm.<name>.range_pages default */
		const char *help;	/* what a range is */
		bool in_space;		/* pages of the target (checked to fit),
					 * not a count of candidates */
	} range;
	bool can_try;			/* honours storm.<name>.try */
	enum mm_inval_kind inval_kind;	/* the invalidations it makes */
	/* The model world: one operation.  Returns 0, or -EAGAIN when skipped. */
	int (*model_op)(struct storm_ctx *c);
	struct storm_kernel kernel;
};

/* Indexed by enum storm_kind (storm-list.h's order: by file name). */
extern const struct storm_desc *const storms[STORM_NR];

/* Write @value to the file @path (a sysctl, a debugfs knob, a cgroup file): 0 or -errno. */
int storm_write_knob(const char *path, const char *value);

/* A range of range_pages pages inside the storm's target. */
void storm_pick_range(struct storm_ctx *c, unsigned long *start,
		      unsigned long *end);

#endif /* SNAP_STORM_H */
