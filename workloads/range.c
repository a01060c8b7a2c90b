// SPDX-License-Identifier: GPL-2.0
/*
 * range.c - picking the ranges of mirror passes and storm operations.
 */
#include "workloads/range.h"

/* A length drawn from @d, at most @space. */
static unsigned long range_len(const struct dist *d, unsigned long space,
			       struct rand_state *r)
{
	unsigned long len = dist_sample(d, r);

	return len > space ? space : len;
}

void range_pick_mirror(const struct scenario *sc, struct rand_state *r,
		       unsigned long *cursor, unsigned long *start,
		       unsigned long *end)
{
	unsigned long space = sc->pattern == PATTERN_HOT ? sc->hot_pages : sc->pages;
	unsigned long len = range_len(&sc->mirror_range, space, r);

	if (sc->pattern == PATTERN_SEQUENTIAL) {
		if (*cursor + len > space)
			*cursor = 0;
		*start = *cursor;
		*cursor += len;
	} else {
		*start = rand_below(r, space - len + 1);
	}
	*end = *start + len;
}

void range_pick_storm(const struct scenario *sc, const struct storm_params *p,
		      struct rand_state *r, unsigned long *start,
		      unsigned long *end)
{
	unsigned long space = p->target == TARGET_HOT ? sc->hot_pages : sc->pages;
	unsigned long len = range_len(&p->range, space, r);

	*start = rand_below(r, space - len + 1);
	*end = *start + len;
}
