/* SPDX-License-Identifier: GPL-2.0 */
/*
 * range.h - the ranges mirror passes and storms work on, drawn from the
 * scenario's distributions: one place for the runner (mirror threads) and
 * the storms.
 */
#ifndef SNAP_RANGE_H
#define SNAP_RANGE_H

#include "lib/rand.h"
#include "workloads/scenario.h"

/**
 * range_pick_mirror() - the next range of a mirror thread
 * @cursor: where the thread's sequential walk is (mirror.pattern sequential)
 *
 * A length from mirror.range_pages, inside the hot set for pattern hot,
 * inside the address space otherwise; at *@cursor for pattern sequential
 * (back to 0 at the end), at random otherwise.
 */
void range_pick_mirror(const struct scenario *sc, struct rand_state *r,
		       unsigned long *cursor, unsigned long *start,
		       unsigned long *end);

/* A range of @p's range_pages inside its target, at random. */
void range_pick_storm(const struct scenario *sc, const struct storm_params *p,
		      struct rand_state *r, unsigned long *start,
		      unsigned long *end);

#endif /* SNAP_RANGE_H */
