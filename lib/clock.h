/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h - monotonic time in nanoseconds, and waiting for a while,
 * for the model and the harness.
 */
#ifndef SNAP_CLOCK_H
#define SNAP_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Wall-clock time, for the dates in result files. */
static inline uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Sleep until the monotonic clock reads @deadline_ns (absolute). */
static inline void sleep_until_ns(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = deadline_ns / NSEC_PER_SEC,
		.tv_nsec = deadline_ns % NSEC_PER_SEC,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
		;
}

/*
 * Spend @ns: spin for short waits (a TLB flush), sleep for long ones (a
 * fence wait, where the CPU is free while the device works).  A sleep
 * ends SPEND_SPIN_NS early and spins the rest: a thread's timer slack
 * (50 us by default) would otherwise add up to that much to every sleep,
 * and a calibrated cost (cost.*) would come out half as large again.
 */
#define SPEND_SPIN_NS	(60 * NSEC_PER_USEC)

static inline void spin_until_ns(uint64_t deadline_ns)
{
	while (now_ns() < deadline_ns)
		;
}

/* Spend @ns of CPU: spin, however long (a calibrated kernel cost, cost.*). */
static inline void spin_ns(uint64_t ns)
{
	if (ns)
		spin_until_ns(now_ns() + ns);
}

static inline void spend_ns(uint64_t ns)
{
	uint64_t end;

	if (!ns)
		return;
	end = now_ns() + ns;
	if (ns > SPEND_SPIN_NS)
		sleep_until_ns(end - SPEND_SPIN_NS);
	spin_until_ns(end);
}

#endif /* SNAP_CLOCK_H */
