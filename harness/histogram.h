/* SPDX-License-Identifier: GPL-2.0 */
/*
 * histogram.h - log-linear (HDR-style) histograms of u64 values: one
 * writer each, mergeable, percentiles with a stated error and overflow.
 *
 * Values below 2^HIST_BITS are kept exactly; above, every power of two is
 * split into 2^(HIST_BITS-1) equal buckets, so a bucket's width is at most
 * 1/128 of its lower bound.  Values of 2^HIST_MAX_LOG2 and more count as
 * overflow; min, max and sum still see them.
 */
#ifndef SNAP_HISTOGRAM_H
#define SNAP_HISTOGRAM_H

#include <stdint.h>

#define HIST_BITS	8
#define HIST_MAX_LOG2	40	/* about 1100 s in nanoseconds */
#define HIST_EXACT	(1U << HIST_BITS)
#define HIST_SUB	(1U << (HIST_BITS - 1))
#define HIST_BUCKETS	(HIST_EXACT + (HIST_MAX_LOG2 - HIST_BITS) * HIST_SUB)

struct hist {
	uint64_t *bucket;	/* HIST_BUCKETS counts */
	uint64_t count;		/* every sample, overflow included */
	uint64_t overflow;
	uint64_t min, max;
	uint64_t sum;
};

/* Returns: 0 or -ENOMEM. */
int hist_init(struct hist *h);
void hist_destroy(struct hist *h);
void hist_reset(struct hist *h);

static inline unsigned int hist_index(uint64_t v)
{
	unsigned int log2, shift;

	if (v < HIST_EXACT)
		return (unsigned int)v;
	log2 = 63 - __builtin_clzll(v);
	shift = log2 - (HIST_BITS - 1);
	return HIST_EXACT + (log2 - HIST_BITS) * HIST_SUB +
	       (unsigned int)(v >> shift) - HIST_SUB;
}

/**
 * hist_record() - count one sample
 * Only the histogram's owner may call it; no locks, no atomics.
 */
static inline void hist_record(struct hist *h, uint64_t v)
{
	if (v >> HIST_MAX_LOG2)
		h->overflow++;
	else
		h->bucket[hist_index(v)]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

/* Add @src's samples to @dst.  Neither may be written meanwhile. */
void hist_merge(struct hist *dst, const struct hist *src);

/**
 * hist_percentile() - the value below which @p percent of samples fall
 * The upper bound of the first bucket whose cumulative count reaches
 * ceil(p/100 * count), clamped to max; max when that rank falls among
 * overflowed samples.
 * Returns: the percentile, or 0 for an empty histogram.
 */
uint64_t hist_percentile(const struct hist *h, double p);

static inline uint64_t hist_count(const struct hist *h)
{
	return h->count;
}

static inline double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / h->count : 0;
}

/* Bounds [lo, hi] of bucket @i. */
void hist_bucket_bounds(unsigned int i, uint64_t *lo, uint64_t *hi);

/* Call @fn for every non-empty bucket, in increasing order. */
void hist_for_each(const struct hist *h,
		   void (*fn)(uint64_t lo, uint64_t hi, uint64_t count, void *arg),
		   void *arg);

#endif /* SNAP_HISTOGRAM_H */
