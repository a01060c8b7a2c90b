// SPDX-License-Identifier: GPL-2.0
/*
 * histogram.c - the log-linear histogram against exact percentiles of known
 * samples, overflow, merge and the bucket layout.
 */
#include <math.h>
#include <stdlib.h>

#include "harness/histogram.h"
#include "lib/rand.h"
#include "tests/tap.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The exact percentile under the same rank rule as hist_percentile(). */
static uint64_t exact(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * n);

	return sorted[(rank ? rank : 1) - 1];
}

/* Upper bound, at most 1/128 above the exact value. */
static bool close_enough(uint64_t got, uint64_t want)
{
	return got >= want && (double)(got - want) <= want / 128.0 + 0.5;
}

static bool check_against_exact(uint64_t *v, size_t n, const char *what)
{
	static const double ps[] = { 1, 25, 50, 90, 99, 99.9, 99.99, 100 };
	bool good = true;
	struct hist h;

	if (hist_init(&h))
		bail_out("hist_init");
	for (size_t i = 0; i < n; i++)
		hist_record(&h, v[i]);
	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		uint64_t got = hist_percentile(&h, ps[i]), want = exact(v, n, ps[i]);

		if (!close_enough(got, want)) {
			diag("%s: p%g = %llu, exact %llu", what, ps[i],
			     (unsigned long long)got, (unsigned long long)want);
			good = false;
		}
	}
	good &= h.count == n && h.min == v[0] && h.max == v[n - 1];
	hist_destroy(&h);
	return good;
}

int main(void)
{
	uint64_t *v = malloc(200000 * sizeof(*v)), lo, hi, prev_hi = 0;
	struct hist a, b, all;
	struct rand_state r;
	bool layout = true, same = true;
	size_t i;

	plan(7);
	if (!v || hist_init(&a) || hist_init(&b) || hist_init(&all))
		bail_out("out of memory");

	ok(hist_percentile(&a, 50) == 0 && hist_count(&a) == 0,
	   "an empty histogram reports 0");

	for (i = 0; i < 10000; i++)
		v[i] = i + 1;
	ok(check_against_exact(v, 10000, "1..10000"),
	   "1..10000: every percentile within 1/128 above the exact value");

	rand_seed(&r, 7);
	for (i = 0; i < 200000; i++)
		v[i] = (uint64_t)exp2(rand_unit(&r) * 34);	/* log-uniform to ~17 s */
	ok(check_against_exact(v, 200000, "log-uniform"),
	   "200000 log-uniform samples: percentiles within 1/128 of exact");

	hist_record(&a, 3);
	hist_record(&a, 1ULL << 41);
	ok(a.overflow == 1 && hist_percentile(&a, 50) == 3 &&
	   hist_percentile(&a, 100) == 1ULL << 41 && a.max == 1ULL << 41,
	   "a value past the range counts as overflow; p100 is its exact max");

	hist_reset(&a);
	for (i = 0; i < 50000; i++) {
		uint64_t x = rand_below(&r, 1ULL << 30);

		hist_record(i % 3 ? &a : &b, x);
		hist_record(&all, x);
	}
	hist_merge(&a, &b);
	for (i = 0; i < HIST_BUCKETS; i++)
		same &= a.bucket[i] == all.bucket[i];
	ok(same && a.count == all.count && a.sum == all.sum && a.min == all.min &&
	   a.max == all.max, "merging two histograms equals recording into one");

	for (i = 0; i < HIST_BUCKETS; i++) {
		hist_bucket_bounds(i, &lo, &hi);
		layout &= (i == 0 || lo == prev_hi + 1) && lo <= hi &&
			  hist_index(lo) == i && hist_index(hi) == i;
		prev_hi = hi;
	}
	ok(layout, "buckets tile [0, 2^%d) without gaps or overlaps", HIST_MAX_LOG2);
	ok(prev_hi == (1ULL << HIST_MAX_LOG2) - 1, "the last bucket ends at 2^%d - 1",
	   HIST_MAX_LOG2);

	hist_destroy(&a);
	hist_destroy(&b);
	hist_destroy(&all);
	free(v);
	return done();
}
