// SPDX-License-Identifier: GPL-2.0
/*
 * micro_none.c - `snapbench micro` in the static build (the guest's
 * program): Google Benchmark exists only as a shared library here.
 */
#include <stdio.h>

#include "harness/micro.h"

int micro_main(int argc, char **argv)
{
	fprintf(stderr, "snapbench: micro: not in this build (static, without Google Benchmark)\n");
	return 2;
}
