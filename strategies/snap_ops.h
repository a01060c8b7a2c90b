/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snap_ops.h - the one contract every mirroring strategy implements.
 * Generic code (the mirror pass, the invalidation path, the runner) calls
 * strategies only through struct snap_ops and never tests a strategy's name.
 *
 * A strategy keeps a device mirror coherent with the CPU page table.  The
 * device side brackets one snapshot of [start, end) with read_begin() and
 * read_end(), and asks read_retry() under the device lock, just before it
 * writes device PTEs, whether the snapshot may be committed.  The CPU side
 * brackets every change of CPU PTEs in [start, end) with invalidate_start()
 * and invalidate_end().  The generic mirror pass is:
 *
 *	again:	read_begin(r)
 *		snapshot CPU PTEs of [start, end), faulting pages in
 *		lock device page table
 *		if (read_retry(r)) { unlock; read_end(r); r.attempt++; goto again; }
 *		write device PTEs
 *		unlock device page table
 *		read_end(r)
 *
 * Ranges are in pages, half open: [start, end).
 */
#ifndef SNAP_OPS_H
#define SNAP_OPS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/**
 * struct snap_range - one snapshot or one invalidation in flight
 * @start: first page (inclusive)
 * @end: last page (exclusive)
 * @seq: sequence sampled by read_begin(), for strategies that use one
 * @attempt: set by the caller of read_begin(): 0 for the first snapshot of
 *           a pass, one more for each snapshot thrown away since (read_retry()
 *           said so, or a fault failed); 0 for an invalidation.  A policy
 *           that changes with the attempt (hybrid) reads it here, never
 *           guesses where a pass began.
 * @priv: storage the strategy owns while the range is in flight (a queue
 *        node, say); generic code never reads it
 *
 * The caller owns the memory (usually its stack) from read_begin() to
 * read_end(), or from invalidate_start() to invalidate_end().
 */
struct snap_range {
	unsigned long start;
	unsigned long end;
	unsigned long seq;
	unsigned int attempt;
	_Alignas(16) unsigned long priv[24];
};

/* Checked at build time by each strategy that keeps state in ->priv. */
#define SNAP_RANGE_PRIV_FITS(type) \
	_Static_assert(sizeof(type) <= sizeof(((struct snap_range *)0)->priv) && \
		       _Alignof(type) <= 16, #type " does not fit snap_range.priv")

/**
 * struct snap_dom - one device's notifier registration on one address space
 * @ops: the strategy
 * @nr_pages: size of the address space in pages
 * @interval_pages: the driver subscribes in intervals of this many pages
 *                  (mmu_interval_notifier granularity), a power of two;
 *                  invalidations are noticed per interval by strategies
 *                  that track intervals
 * @priv: the strategy's state, from init() to fini()
 */
struct snap_dom {
	const struct snap_ops *ops;
	unsigned long nr_pages;
	unsigned long interval_pages;
	void *priv;
};

/**
 * struct snap_param - one fixed parameter of a strategy
 * @name: a JSON key: lower case, digits and '_'
 * @value: its value
 * @help: what it bounds or sets, one line
 */
struct snap_param {
	const char *name;
	unsigned long value;
	const char *help;
};

/**
 * struct snap_ops - a strategy for taking a coherent snapshot
 * @name: short name, used on the command line and in result files
 * @summary: one line for `snapbench list`
 * @init: allocate ->priv for @d; returns 0 or -errno
 * @fini: free ->priv; no range is in flight
 * @read_begin: start a snapshot of @r.  May sleep (waiting for an
 *	invalidation in progress, or for a range lock).  Called with no
 *	device lock, and with the mmap_lock held for read when locks() says
 *	so for this attempt, else without it, as mmu_interval_read_begin()
 *	is.  Returns 0, or -errno
 *	when the snapshot cannot start (the pass fails).
 * @locks: optional; whether attempt @attempt holds mmap_lock from before
 *	read_begin() to after read_end(): its read_begin() takes a range lock,
 *	which nests inside mmap_lock, or (Linux 5.2's valid flag) its driver
 *	held mmap_sem over the whole pass.  Any other pass holds it around
 *	the fault only, as test_hmm and lib/test_snapbench do.  NULL: never.
 * @read_retry: called with the device lock held, after the snapshot and
 *	before device PTEs are written.  Must not sleep.  Returns true when
 *	the snapshot may be stale and must be thrown away; the caller then
 *	calls read_end() and starts again.
 * @read_end: end the snapshot started by read_begin(); called once per
 *	read_begin(), without the device lock.  Must not sleep for long.
 * @invalidate_start: the CPU is about to change PTEs in @r.  Called before
 *	the device's invalidate callback and before any CPU PTE changes, with
 *	whatever the source holds (mmap_lock for munmap, madvise; nothing for
 *	reclaim).  May sleep only when @blockable.  Returns 0, or -EAGAIN
 *	when it would have to wait and !@blockable (try-to-invalidate: the
 *	caller skips the range and does not call invalidate_end()), or
 *	SNAP_INVALIDATE_NO_CALLBACK (see below).
 * @invalidate_end: the CPU PTEs in @r have changed; called once per
 *	successful invalidate_start(), after the device's callback.  Must not
 *	sleep for long.
 * @report: optional; reports strategy-specific counters (findings of a
 *	historical design, say) as fn(name, value) once the run is over.
 *	Strategies that make entries wait for each other report their order
 *	and wake-up figures here (waitstats.h: order.*, wakeup.*).
 * @lost_wakeup: optional; whether @thread sleeps in the strategy although
 *	nothing it waits for has been held for a while (a lost wake-up); if
 *	so, writes one line about it to @buf.  For the watchdog's hang report.
 * @known_unsafe: a historical design kept to show how it fails.  Tests that
 *	require correctness assert its findings instead of expecting none.
 * @params: optional; the strategy's fixed parameters (hybrid's attempt
 *	bound), ended by an entry with a NULL name.  The result file records
 *	them as context.strategy_params.
 */
struct snap_ops {
	const char *name;
	const char *summary;
	int (*init)(struct snap_dom *d);
	void (*fini)(struct snap_dom *d);
	int (*read_begin)(struct snap_dom *d, struct snap_range *r);
	bool (*locks)(const struct snap_dom *d, unsigned int attempt);
	bool (*read_retry)(struct snap_dom *d, struct snap_range *r);
	void (*read_end)(struct snap_dom *d, struct snap_range *r);
	int (*invalidate_start)(struct snap_dom *d, struct snap_range *r,
				bool blockable);
	void (*invalidate_end)(struct snap_dom *d, struct snap_range *r);
	void (*report)(struct snap_dom *d,
		       void (*fn)(const char *name, unsigned long value, void *arg),
		       void *arg);
	bool (*lost_wakeup)(struct snap_dom *d, pthread_t thread, char *buf, size_t len);
	bool known_unsafe;
	const struct snap_param *params;
};

/*
 * Returned by invalidate_start() of a design that lets the invalidation go
 * ahead without notifying the devices (invalidate_end() is still called).
 * Only the seed as published does this: its woken invalidations return
 * early.  A correct strategy never does.
 */
#define SNAP_INVALIDATE_NO_CALLBACK	1

static inline bool snap_range_overlaps(unsigned long s1, unsigned long e1,
				       unsigned long s2, unsigned long e2)
{
	return s1 < e2 && s2 < e1;
}

/* registry.c: the only list of strategies, NULL-terminated. */
extern const struct snap_ops *const snap_strategies[];

/**
 * snap_strategy_find() - look a strategy up by name
 * Returns: the strategy, or NULL when no strategy has that name.
 */
const struct snap_ops *snap_strategy_find(const char *name);

/**
 * snap_dom_init() - set up @d for @ops over @nr_pages pages
 * Returns: 0 or -errno (-EINVAL for a zero size, or an interval that is
 * not a power of two).
 */
int snap_dom_init(struct snap_dom *d, const struct snap_ops *ops,
		  unsigned long nr_pages, unsigned long interval_pages);
void snap_dom_fini(struct snap_dom *d);

/* snap_ops.locks of a strategy whose every snapshot holds mmap_lock throughout. */
bool snap_locks_always(const struct snap_dom *d, unsigned int attempt);

/* Whether attempt @attempt of a pass holds mmap_lock throughout (snap_ops.locks). */
static inline bool snap_locks(const struct snap_dom *d, unsigned int attempt)
{
	return d->ops->locks && d->ops->locks(d, attempt);
}

#endif /* SNAP_OPS_H */
