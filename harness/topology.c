// SPDX-License-Identifier: GPL-2.0
/*
 * topology.c - hwloc topology discovery and thread placement policies for
 * the runner's roles.
 */
#include <ctype.h>
#include <errno.h>
#include <hwloc.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/topology.h"
#include "workloads/scenario.h"

static hwloc_topology_t topo;

int topology_init(void)
{
	if (topo)
		return 0;
	if (hwloc_topology_init(&topo))
		return -ENOMEM;
	if (hwloc_topology_load(topo)) {
		hwloc_topology_destroy(topo);
		topo = NULL;
		return -EIO;
	}
	return 0;
}

static int count(hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(topo, type);

	return n < 0 ? 0 : n;
}

void topology_summary(char *buf, size_t len)
{
	int packages = count(HWLOC_OBJ_PACKAGE), cores = count(HWLOC_OBJ_CORE);
	int pus = count(HWLOC_OBJ_PU), nodes = count(HWLOC_OBJ_NUMANODE);

	snprintf(buf, len, "%d package%s, %d core%s, %d PU%s, %d NUMA node%s",
		 packages, packages == 1 ? "" : "s", cores, cores == 1 ? "" : "s",
		 pus, pus == 1 ? "" : "s", nodes, nodes == 1 ? "" : "s");
}

/*
 * CPUs in placement order.  spread: the first PU of every core, then the
 * second of every core, ...; compact: every PU of a core before the next.
 */
static void order_cpus(struct topo_placement *p)
{
	int cores = count(HWLOC_OBJ_CORE), pass, c;

	p->nr_order = 0;
	if (!cores) {	/* no core level: PUs in order */
		for (int i = 0; i < count(HWLOC_OBJ_PU) && p->nr_order < TOPO_MAX_CPUS; i++)
			p->order[p->nr_order++] =
				hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i)->os_index;
		return;
	}
	for (pass = 0; p->policy == TOPO_SPREAD || pass == 0; pass++) {
		int placed = 0;

		for (c = 0; c < cores; c++) {
			hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, c);
			int pus = hwloc_get_nbobjs_inside_cpuset_by_type(topo, core->cpuset,
									 HWLOC_OBJ_PU);

			for (int i = 0; i < pus && p->nr_order < TOPO_MAX_CPUS; i++) {
				if (p->policy == TOPO_SPREAD && i != pass)
					continue;
				p->order[p->nr_order++] = hwloc_get_obj_inside_cpuset_by_type(
					topo, core->cpuset, HWLOC_OBJ_PU, i)->os_index;
				placed++;
			}
		}
		if (!placed)
			break;
	}
}

static bool cpu_allowed(int cpu)
{
	hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(topo);

	return cpu >= 0 && hwloc_bitmap_isset(allowed, (unsigned int)cpu);
}

/* One CPU number at @s, digits only, at most INT_MAX; -1 if there is none. */
static long parse_cpu(const char *s, char **end)
{
	long cpu;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	cpu = strtol(s, end, 10);
	return errno || cpu > INT_MAX ? -1 : cpu;
}

/* "0,2-3" into @cpus.  Returns: how many, or -1 on a syntax error. */
static int parse_cpus(const char *s, int *cpus, int max)
{
	int n = 0;

	while (*s) {
		char *end;
		long lo = parse_cpu(s, &end), hi;

		if (lo < 0)
			return -1;
		hi = lo;
		if (*end == '-') {
			s = end + 1;
			hi = parse_cpu(s, &end);
			if (hi < lo)
				return -1;
		}
		/* Both at most INT_MAX: c cannot overflow. */
		for (long c = lo; c <= hi; c++) {
			if (n == max)
				return -1;
			cpus[n++] = (int)c;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

/* The roles the runner places (runner.c's add_thread()): mirror and each storm. */
static bool known_role(const char *name)
{
	if (!strcmp(name, "mirror"))
		return true;
	for (int k = 0; k < STORM_NR; k++)
		if (!strcmp(name, storm_kind_name[k]))
			return true;
	return false;
}

static const char *storm_roles(void)
{
	static char list[128];
	size_t used = 0;

	for (int k = 0; k < STORM_NR && used < sizeof(list); k++)
		used += snprintf(list + used, sizeof(list) - used, "%s%s", k ? ", " : "",
				 storm_kind_name[k]);
	return list;
}

int topology_parse(const char *spec, struct topo_placement *p, char *err,
		   size_t errlen)
{
	char buf[1024], *save = NULL, *item;
	int ret = topology_init();

	if (ret) {
		snprintf(err, errlen, "hwloc could not read the topology");
		return ret;
	}
	memset(p, 0, sizeof(*p));
	if (!strcmp(spec, "spread") || !strcmp(spec, "compact")) {
		p->policy = !strcmp(spec, "spread") ? TOPO_SPREAD : TOPO_COMPACT;
		order_cpus(p);
		return 0;
	}
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf)) {
		snprintf(err, errlen, "'%.40s...' is too long", spec);
		return -EINVAL;
	}
	p->policy = TOPO_LISTS;
	for (item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(item, '=');
		struct topo_role *r;

		if (!eq || eq == item || p->nr_roles == TOPO_MAX_ROLES) {
			snprintf(err, errlen, "'%s' is not ROLE=CPUS (or spread, compact, none)", item);
			return -EINVAL;
		}
		*eq = '\0';
		if (!known_role(item)) {
			snprintf(err, errlen, "'%s' is not a role (mirror or a storm: %s)", item,
				 storm_roles());
			return -EINVAL;
		}
		for (int i = 0; i < p->nr_roles; i++) {
			if (!strcmp(p->role[i].name, item)) {
				snprintf(err, errlen, "role '%s' is given twice", item);
				return -EINVAL;
			}
		}
		r = &p->role[p->nr_roles++];
		snprintf(r->name, sizeof(r->name), "%s", item);
		r->nr_cpus = parse_cpus(eq + 1, r->cpus, TOPO_MAX_CPUS);
		if (r->nr_cpus <= 0) {
			snprintf(err, errlen, "%s: '%s' is not a CPU list like 0,2-3", item, eq + 1);
			return -EINVAL;
		}
		for (int i = 0; i < r->nr_cpus; i++) {
			if (!cpu_allowed(r->cpus[i])) {
				snprintf(err, errlen, "%s: CPU %d is not available here", item,
					 r->cpus[i]);
				return -EINVAL;
			}
		}
	}
	/* Roles without a list are spread. */
	p->policy = TOPO_SPREAD;
	order_cpus(p);
	p->policy = TOPO_LISTS;
	return 0;
}

int topology_cpu_for(struct topo_placement *p, const char *role, int index)
{
	for (int i = 0; p->policy == TOPO_LISTS && i < p->nr_roles; i++)
		if (!strcmp(p->role[i].name, role))
			return p->role[i].cpus[index % p->role[i].nr_cpus];
	if (!p->nr_order)
		return -1;
	return p->order[p->next++ % p->nr_order];
}

int topology_bind_self(int cpu)
{
	hwloc_bitmap_t set;
	int ret = 0;

	if (topology_init())
		return -EIO;
	set = hwloc_bitmap_alloc();
	if (!set)
		return -ENOMEM;
	hwloc_bitmap_only(set, (unsigned int)cpu);
	if (hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD))
		ret = -errno;
	hwloc_bitmap_free(set);
	return ret;
}
