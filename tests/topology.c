// SPDX-License-Identifier: GPL-2.0
/*
 * topology.c - hwloc discovery and placement policies on this machine's
 * real topology, and the errors of a bad placement.
 */
#include <errno.h>
#include <hwloc.h>
#include <string.h>
#include <unistd.h>

#include "harness/topology.h"
#include "tests/tap.h"

int main(void)
{
	struct topo_placement p;
	char err[256], summary[128], spec[64];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool distinct = true;
	int first, second;

	plan(7);
	ok(topology_init() == 0, "hwloc loads the topology");
	topology_summary(summary, sizeof(summary));
	ok(strstr(summary, "core") && strstr(summary, "PU"), "summary: %s", summary);

	ok(topology_parse("spread", &p, err, sizeof(err)) == 0 && p.nr_order == ncpu,
	   "spread orders all %ld online CPUs", ncpu);
	first = topology_cpu_for(&p, "mirror", 0);
	second = topology_cpu_for(&p, "munmap", 0);
	distinct = ncpu < 2 || first != second;
	ok(distinct && topology_bind_self(first) == 0 && sched_getcpu() == first,
	   "spread puts the first two threads on different CPUs (%d, %d); binding works",
	   first, second);

	snprintf(spec, sizeof(spec), "mirror=%ld;kswapd=0", ncpu - 1);
	ok(topology_parse(spec, &p, err, sizeof(err)) == 0 &&
	   topology_cpu_for(&p, "mirror", 0) == ncpu - 1 &&
	   topology_cpu_for(&p, "mirror", 1) == ncpu - 1 &&
	   topology_cpu_for(&p, "kswapd", 0) == 0,
	   "per-role lists place each role on its CPUs (%s)", spec);
	ok(topology_parse("mirror=0-", &p, err, sizeof(err)) == -EINVAL &&
	   strstr(err, "not a CPU list"), "a malformed list is refused: %s", err);
	ok(topology_parse("mirror=4096", &p, err, sizeof(err)) == -EINVAL &&
	   strstr(err, "CPU 4096 is not available"), "an absent CPU is refused: %s", err);
	return done();
}
