// SPDX-License-Identifier: GPL-2.0
/*
 * storm.c - the table of storms, made from storm-list.h (every file of
 * workloads/storms/), and what they share: picking a range inside the
 * storm's target (the whole space, or the mirror's hot set).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "workloads/range.h"
#include "workloads/storm.h"

#define STORM(name) extern const struct storm_desc name##_storm;
#include "storm-list.h"
#undef STORM

const struct storm_desc *const storms[STORM_NR] = {
#define STORM(name) [STORM_##name] = &name##_storm,
#include "storm-list.h"
#undef STORM
};

const char *const storm_kind_name[STORM_NR] = {
#define STORM(name) [STORM_##name] = #name,
#include "storm-list.h"
#undef STORM
};

void storm_pick_range(struct storm_ctx *c, unsigned long *start,
		      unsigned long *end)
{
	range_pick_storm(c->sc, c->p, &c->rand, start, end);
}

int storm_write_knob(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}
