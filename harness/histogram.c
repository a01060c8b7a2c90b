// SPDX-License-Identifier: GPL-2.0
/*
 * histogram.c - log-linear histograms: setup, merge, bucket bounds and
 * percentiles (recording is inline in histogram.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/histogram.h"

int hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->bucket = calloc(HIST_BUCKETS, sizeof(*h->bucket));
	return h->bucket ? 0 : -ENOMEM;
}

void hist_destroy(struct hist *h)
{
	free(h->bucket);
	h->bucket = NULL;
}

void hist_reset(struct hist *h)
{
	uint64_t *bucket = h->bucket;

	memset(bucket, 0, HIST_BUCKETS * sizeof(*bucket));
	memset(h, 0, sizeof(*h));
	h->bucket = bucket;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->overflow += src->overflow;
	dst->sum += src->sum;
}

void hist_bucket_bounds(unsigned int i, uint64_t *lo, uint64_t *hi)
{
	unsigned int k, log2, shift;

	if (i < HIST_EXACT) {
		*lo = *hi = i;
		return;
	}
	k = i - HIST_EXACT;
	log2 = HIST_BITS + k / HIST_SUB;
	shift = log2 - (HIST_BITS - 1);
	*lo = (uint64_t)(HIST_SUB + k % HIST_SUB) << shift;
	*hi = *lo + (1ULL << shift) - 1;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, lo, hi;

	if (!h->count)
		return 0;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	if (rank > h->count - h->overflow)
		return h->max;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			hist_bucket_bounds(i, &lo, &hi);
			return hi < h->max ? hi : h->max;
		}
	}
	return h->max;
}

void hist_for_each(const struct hist *h,
		   void (*fn)(uint64_t lo, uint64_t hi, uint64_t count, void *arg),
		   void *arg)
{
	uint64_t lo, hi;

	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		hist_bucket_bounds(i, &lo, &hi);
		fn(lo, hi, h->bucket[i], arg);
	}
}
