/* SPDX-License-Identifier: GPL-2.0 */
/*
 * topology.h - the machine's topology (hwloc) and where each role's threads
 * run: spread over cores, packed onto cores, or explicit CPU lists per role.
 */
#ifndef SNAP_TOPOLOGY_H
#define SNAP_TOPOLOGY_H

#include <stddef.h>

#define TOPO_MAX_CPUS	256
#define TOPO_MAX_ROLES	16

enum topo_policy { TOPO_SPREAD, TOPO_COMPACT, TOPO_LISTS };

struct topo_role {
	char name[32];
	int nr_cpus;
	int cpus[TOPO_MAX_CPUS];
};

struct topo_placement {
	enum topo_policy policy;
	int nr_order;			/* CPUs in placement order */
	int order[TOPO_MAX_CPUS];
	int next;			/* threads placed so far (spread/compact) */
	int nr_roles;			/* TOPO_LISTS */
	struct topo_role role[TOPO_MAX_ROLES];
};

/* Load the topology once.  Returns: 0 or -errno. */
int topology_init(void);

/* One line, e.g. "1 package, 2 cores, 2 PUs, 1 NUMA node". */
void topology_summary(char *buf, size_t len);

/**
 * topology_parse() - read a placement: "spread", "compact", or per-role
 * CPU lists "mirror=0-1;kswapd=1" (roles not listed are spread)
 * Returns: 0, or -EINVAL with a one-line reason in @err.
 */
int topology_parse(const char *spec, struct topo_placement *p, char *err,
		   size_t errlen);

/* The OS CPU for thread @index of @role.  Not thread safe: call at setup. */
int topology_cpu_for(struct topo_placement *p, const char *role, int index);

/* Pin the calling thread to @cpu.  Returns: 0 or -errno. */
int topology_bind_self(int cpu);

#endif /* SNAP_TOPOLOGY_H */
