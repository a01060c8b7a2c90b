/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rand.h - a small, fast, seedable per-thread PRNG (splitmix64) for
 * workloads and storms; runs are reproducible from the seed.
 */
#ifndef SNAP_RAND_H
#define SNAP_RAND_H

#include <stdint.h>

struct rand_state {
	uint64_t s;
};

static inline void rand_seed(struct rand_state *r, uint64_t seed)
{
	r->s = seed;
}

static inline uint64_t rand_next(struct rand_state *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift, bias < 2^-32 here). */
static inline uint64_t rand_below(struct rand_state *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rand_next(r) * n) >> 64);
}

/* Uniform in [0, 1). */
static inline double rand_unit(struct rand_state *r)
{
	return (rand_next(r) >> 11) * 0x1.0p-53;
}

#endif /* SNAP_RAND_H */
