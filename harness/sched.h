/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched.h - the open-loop schedule of a storm thread: operation k is due at
 * base + k / rate, whatever happened to operation k - 1, and its latency
 * counts from that due time, so a stall shows in every operation it delays
 * (no coordinated omission).
 */
#ifndef SNAP_SCHED_H
#define SNAP_SCHED_H

#include <stdint.h>

struct sched {
	uint64_t base_ns;	/* when operation 0 is due */
	double rate;		/* operations per second; 0: back to back */
	uint64_t k;		/* the next operation */
};

static inline void sched_init(struct sched *s, uint64_t base_ns, double rate)
{
	s->base_ns = base_ns;
	s->rate = rate;
	s->k = 0;
}

/*
 * The due time of the next operation.  Computed from k, not by adding an
 * interval, so rounding never accumulates.  Back to back, an operation is
 * due when the previous one ended (@now_ns).
 */
static inline uint64_t sched_next(struct sched *s, uint64_t now_ns)
{
	uint64_t due;

	if (s->rate <= 0) {
		s->k++;
		return now_ns;
	}
	due = s->base_ns + (uint64_t)((double)s->k * 1e9 / s->rate + 0.5);
	s->k++;
	return due;
}

#endif /* SNAP_SCHED_H */
