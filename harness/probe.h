/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SNAPBENCH_HARNESS_PROBE_H
#define SNAPBENCH_HARNESS_PROBE_H

#include <stdint.h>

/*
 * How fast a cache line goes between two CPUs of this machine just now:
 * two threads, pinned to the first two CPUs this process may use, pass a
 * counter back and forth for @window_ns.  Returns the median round trip
 * in ns (over batches of round trips), or -1 when there are not two CPUs
 * to pin to.
 */
double host_probe(uint64_t window_ns);

#endif
