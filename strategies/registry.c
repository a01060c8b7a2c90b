// SPDX-License-Identifier: GPL-2.0
/*
 * registry.c - the one list of strategies; adding a strategy is one file
 * plus one line here.  Also the strategy-independent domain setup.
 */
#include <errno.h>
#include <string.h>

#include "strategies/snap_ops.h"

extern const struct snap_ops seqretry_ops;
extern const struct snap_ops rangelock_ops;
extern const struct snap_ops hybrid_ops;
extern const struct snap_ops rangelock2015_ops;
extern const struct snap_ops validflag_ops;

const struct snap_ops *const snap_strategies[] = {
	&seqretry_ops,
	&rangelock_ops,
	&hybrid_ops,
	&rangelock2015_ops,
	&validflag_ops,
	NULL,
};

const struct snap_ops *snap_strategy_find(const char *name)
{
	for (const struct snap_ops *const *o = snap_strategies; *o; o++)
		if (!strcmp((*o)->name, name))
			return *o;
	return NULL;
}

int snap_dom_init(struct snap_dom *d, const struct snap_ops *ops,
		  unsigned long nr_pages, unsigned long interval_pages)
{
	if (!nr_pages || !interval_pages || (interval_pages & (interval_pages - 1)))
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->nr_pages = nr_pages;
	d->interval_pages = interval_pages;
	return ops->init(d);
}

void snap_dom_fini(struct snap_dom *d)
{
	d->ops->fini(d);
	d->priv = NULL;
}

bool snap_locks_always(const struct snap_dom *d, unsigned int attempt)
{
	return true;
}
