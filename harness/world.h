/* SPDX-License-Identifier: GPL-2.0 */
/*
 * world.h - what the runner drives.  A world is an address space with
 * mirrors and invalidation sources behind one ops table: the userspace
 * model of the mm (world_model.c, workloads/) or the kernel (world_kernel.c:
 * real system calls on an anonymous mapping and lib/test_snapbench's
 * ioctls).  The runner (threads, placement, gate, warm-up, open-loop
 * schedules, watchdog, merge), the CLI (scenarios, --set, --sweep, child
 * per run, result files, SUMMARY lines) and the storm table are the same
 * in both; `snapbench run --world NAME` picks one (default: model).
 *
 * Where it runs: world ops marked (parent) run in `snapbench run` itself,
 * around a run's child process; the others in the child, the run.
 */
#ifndef SNAP_WORLD_H
#define SNAP_WORLD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness/histogram.h"
#include "workloads/mm.h"
#include "workloads/scenario.h"

struct world;			/* one run's state, the world's own */
struct run_config;
struct run_context;
struct run_result;
struct storm_ctx;

/* What a world sees of one runner thread. */
struct world_thread {
	const char *role;
	int index;
	int storm;			/* enum storm_kind, or -1: a mirror */
	bool measuring;			/* set by the runner as measuring begins */
	struct hist *stall_ns;		/* [MM_INVAL_NR]: invalidation stalls */
	/*
	 * A storm's: its operations' durations are its source's stalls (the
	 * runner records them).  The world clears it where an operation only
	 * provokes the kernel's own source, whose invalidations it cannot time.
	 */
	bool op_is_stall;
	struct mm_task_counters counters; /* measured phase only */
	void *priv;			/* the world's */
};

/* One mirror pass, as the world saw it. */
struct world_pass {
	unsigned int retries;		/* snapshots thrown away */
	unsigned int fault_retries;	/* snapshots given up: a fault failed */
	uint64_t ttm_ns;		/* time to mirror */
	bool failed;			/* neither a pass nor a miss; the world
					 * counts it (the kernel's failed ioctls) */
};

struct world_ops {
	const char *name;		/* --world NAME */
	const char *environment;	/* context.environment; NULL: userspace */
	const char *mirror_doing;	/* a mirror pass, in hang reports */

	/*
	 * Before anything runs: can @sc run here?  A storm the world does not
	 * have is turned off (threads 0), and it and each storm the world
	 * stands in for get a note (@notes[kind], context.storm_notes).
	 * Returns: 0 or -EINVAL with @err.  NULL: all can, as they are.
	 */
	int (*check)(struct scenario *sc, const char **notes, char *err, size_t len);
	/* Whether @name is a strategy of this world.  NULL: the registry's. */
	bool (*has_strategy)(const char *name);
	/* context.accelerator when --accel is not given (kvm, tcg), or NULL */
	const char *(*accelerator)(void);

	/* (parent) Before each run's child: sysctls, a memcg.  0 or -errno. */
	int (*before_run)(const struct scenario *sc, char *err, size_t len);
	/* In the child, first: join the memcg. */
	void (*enter_run)(const struct scenario *sc);
	/*
	 * (parent) The child outlived its watchdog: report it.  Returns true
	 * when it then ended (reaped into *@status), false to have it killed.
	 * NULL: killed.
	 */
	bool (*overdue)(pid_t pid, const struct run_context *ctx, int *status);
	/* (parent) The child died of @sig: the SUMMARY status, or NULL for none. */
	const char *(*killed)(const struct run_context *ctx, int sig);
	/* The child wrote its hung result at @path and cannot exit.  NULL: exits. */
	void (*park)(const char *path);

	/* A run: set up, tear down (not after a hang). */
	int (*setup)(struct world **w, const struct run_config *rc);
	void (*teardown)(struct world *w);
	/* Each thread, in itself: first (@c: a storm's context, else NULL), last. */
	int (*thread_start)(struct world *w, struct world_thread *t, struct storm_ctx *c);
	void (*thread_measure)(struct world *w, struct world_thread *t);	/* optional */
	void (*thread_stop)(struct world *w, struct world_thread *t);
	/*
	 * One mirror pass of [start, end).  Returns: 0, -EBUSY when it gave up
	 * at its deadline (a miss), or -errno with p->failed set (counted by
	 * the world); with errors_fail, any other -errno stops the thread and
	 * fails the run.
	 */
	int (*mirror_pass)(struct world *w, struct world_thread *t, unsigned long start,
			   unsigned long end, bool write, struct world_pass *p);
	/* One storm operation: 0, -EAGAIN (skipped) or -errno (as above). */
	int (*storm_op)(struct world *w, struct world_thread *t, struct storm_ctx *c);
	bool errors_fail;		/* other -errno of either op fail the run */
	/* The main thread, as measuring begins and after the threads joined. */
	void (*measure)(struct world *w, bool begin);			/* optional */
	/* Violations, reclaim and the strategy's counters, into @res. */
	void (*counters)(struct world *w, struct run_result *res);
	/* The watchdog fired: report at once (before the runner allocates). */
	void (*hang)(struct world *w);					/* optional */
	/* A stuck thread: add what the world knows to @doing. */
	void (*stuck)(struct world *w, struct world_thread *t, pthread_t thread,
		      char *doing, size_t len);				/* optional */
};

extern const struct world_ops world_model;
extern const struct world_ops world_kernel;

/* The world named @name, or NULL. */
const struct world_ops *world_find(const char *name);

#endif /* SNAP_WORLD_H */
