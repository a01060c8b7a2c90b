/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario.h - a scenario: the address space, the mirror workload and the
 * storms, read from an INI-style file and overridden with --set key=value.
 * Every key is declared once, in scenario.c's table, with its documentation.
 */
#ifndef SNAP_SCENARIO_H
#define SNAP_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/rand.h"

/* A distribution of range sizes, in pages. */
enum dist_kind { DIST_FIXED, DIST_UNIFORM, DIST_LOG2 };

struct dist {
	enum dist_kind kind;
	unsigned long lo, hi;		/* inclusive; lo == hi for DIST_FIXED */
};

/* Sample one value of @d. */
unsigned long dist_sample(const struct dist *d, struct rand_state *r);

/* Where a storm's ranges fall. */
enum target { TARGET_ALL, TARGET_HOT };

/*
 * The storms: one file each in workloads/storms/, collected by the build
 * into storm-list.h (STORM(name) per file, by name): STORM_<name>.
 */
enum storm_kind {
#define STORM(name) STORM_##name,
#include "storm-list.h"
#undef STORM
	STORM_NR,
};

struct storm_params {
	unsigned int threads;		/* 0: off */
	double rate;			/* operations/s per thread; 0: as fast as possible */
	struct dist range;		/* pages per operation */
	enum target target;
	bool try_mode;			/* non-blockable: skip busy candidates */
};

enum mirror_pattern { PATTERN_SEQUENTIAL, PATTERN_RANDOM, PATTERN_HOT };

struct scenario {
	char name[64];
	char description[160];
	double duration_s;
	double warmup_s;
	double watchdog_s;

	unsigned long pages;		/* virtual address space */
	unsigned long memory_pages;	/* physical memory */
	unsigned long interval_pages;
	unsigned long min_free, low_free;
	unsigned long direct_reclaim_batch;
	unsigned long cow_permille;
	double invalidate_cost_us;
	struct {			/* cost.*: the model's calibration */
		double pass_ns, page_ns, sleep_ns, inval_ns, mmap_ns;
	} cost;

	unsigned int mirror_threads;
	struct dist mirror_range;
	enum mirror_pattern pattern;
	unsigned long hot_pages;	/* the hot set: the first hot_pages pages */
	unsigned long write_permille;
	double device_work_ns;		/* per page, snapshot held */
	double deadline_ms;		/* 0: none */
	bool deadline_on_fault_only;	/* RDMA ODP style */

	struct storm_params storm[STORM_NR];

	char inject[128];		/* debug.inject: strategies/inject.h */
};

/* storms[k]->name, by kind */
extern const char *const storm_kind_name[STORM_NR];

/* Errors carry one line naming the problem, file and line where known. */
#define SCENARIO_ERR_LEN	256
/* The longest line of a scenario file, without its newline. */
#define SCENARIO_MAX_LINE	510

/* Fill @s with every key's default. */
void scenario_defaults(struct scenario *s);

/**
 * scenario_load() - read a scenario file over the defaults
 * @path: the file
 * Returns: 0, or -errno with @err set: -ENOENT/-EACCES for an unreadable
 * file, -EINVAL for an unknown key, a duplicate key, a bad value or a
 * malformed line.
 */
int scenario_load(struct scenario *s, const char *path, char *err);

/**
 * scenario_load_calibration() - read a calibration over @s: a scenario
 * file whose keys are all cost.* (snapbench kernel calibrate writes one)
 * Returns: as scenario_load(); any other key is -EINVAL.
 */
int scenario_load_calibration(struct scenario *s, const char *path, char *err);

/* Whether any cost.* key of @s is set (the model's calibration). */
bool scenario_calibrated(const struct scenario *s);

/**
 * scenario_set() - apply one "key=value" override
 * Returns: 0 or -EINVAL with @err set.
 */
int scenario_set(struct scenario *s, const char *assignment, char *err);

/**
 * scenario_validate() - check the values together (ranges fit the address
 * space, at least one mirror thread, ...)
 * Returns: 0 or -EINVAL with @err set.
 */
int scenario_validate(const struct scenario *s, char *err);

/*
 * The size of the device's notifier subscriptions: mm.interval_pages, or
 * for 0 the smallest power of two that covers mm.pages (one subscription
 * over the whole mapping).
 */
static inline unsigned long scenario_interval_pages(const struct scenario *s)
{
	unsigned long n = 1;

	if (s->interval_pages)
		return s->interval_pages;
	while (n < s->pages)
		n <<= 1;
	return n;
}

/* Write each key and its effective value: fn(key, value-as-text, arg). */
void scenario_for_each(const struct scenario *s,
		       void (*fn)(const char *key, const char *value, void *arg),
		       void *arg);

/* Print the documentation of every key (for `snapbench list --keys`). */
void scenario_print_keys(FILE *out);

#endif /* SNAP_SCENARIO_H */
