/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gbshim.h - a C interface to Google Benchmark: register benchmarks from C,
 * run their loops in batches so the C/C++ boundary is crossed once per batch.
 */
#ifndef SNAP_GBSHIM_H
#define SNAP_GBSHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gb_state;	/* one benchmark thread's benchmark::State */
struct gb_bench;	/* a registered benchmark */

typedef void (*gb_fn)(struct gb_state *s, void *arg);

#define GB_COUNTER_DEFAULT	0
#define GB_COUNTER_RATE		1	/* divided by the elapsed time */
#define GB_COUNTER_AVG_THREADS	2	/* averaged over threads */

/* Register @fn under @name (copied).  Returns: the handle, for options. */
struct gb_bench *gb_register(const char *name, gb_fn fn, void *arg);
void gb_threads(struct gb_bench *b, int n);
void gb_min_time(struct gb_bench *b, double seconds);

/*
 * Inside a benchmark: how many iterations to run next; 0 when done.  The
 * iterations Google Benchmark reports are exactly those the caller ran.
 */
size_t gb_keep_running_batch(struct gb_state *s);
int gb_thread_index(struct gb_state *s);
void gb_counter(struct gb_state *s, const char *name, double value, int flags);

/*
 * Parse Google Benchmark's flags (--benchmark_format=json, ...), run the
 * registered benchmarks and shut down.  Returns: 0, or 2 for an unknown flag.
 */
int gb_main(int *argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* SNAP_GBSHIM_H */
