/* SPDX-License-Identifier: GPL-2.0 */
/*
 * micro.h - `snapbench micro`: Google Benchmark microbenchmarks of the
 * strategies' ops and of the floors they are compared with.
 */
#ifndef SNAP_MICRO_H
#define SNAP_MICRO_H

/* Google Benchmark's flags pass through; returns the exit status. */
int micro_main(int argc, char **argv);

#endif /* SNAP_MICRO_H */
