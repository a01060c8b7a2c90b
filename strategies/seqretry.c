// SPDX-License-Identifier: GPL-2.0
/*
 * seqretry.c - upstream's choice: snapshot optimistically, then check an
 * interval sequence under the device lock and retry if an invalidation ran.
 *
 * Theory of operation
 *
 * The driver subscribes to the address space in fixed intervals of
 * d->interval_pages pages (one mmu_interval_notifier each).  Every interval
 * has a sequence that is odd while at least one invalidation covering it is
 * in progress, and even otherwise; it only ever grows:
 *
 *	invalidate_start:	active++; if it was 0, seq++ (now odd)
 *	invalidate_end:		active--; if it is now 0, seq++ (even again)
 *	read_begin:		wait until no interval of r is odd; r->seq = sum of seqs
 *	read_retry:		sum of seqs != r->seq
 *
 * Because every sequence is monotonic, the sum over the intervals of a range
 * changes if and only if one of them changed, so read_retry() is exactly
 * "an invalidation overlapping one of r's intervals began since read_begin"
 * (or one that was in progress ended, which read_begin already excluded).
 * The fast path is one load per interval in read_begin and one in
 * read_retry; invalidations never wait for readers.
 *
 * The race it prevents (one interval, device lock = DL):
 *
 *	mirror				invalidation
 *	read_begin: seq = 2
 *	snapshot PTE -> page A
 *					invalidate_start: seq = 3
 *					callback: DL, zap device PTEs, unlock
 *					CPU PTE: A -> none, free A
 *	DL; read_retry: 3 != 2 -> retry	(committing A would map a freed page)
 *
 * The invalidation bumps the sequence before its device callback takes DL,
 * and the mirror reads it under DL, so either the mirror sees the bump or
 * the callback runs after the commit and zaps what was committed.
 *
 * No forward progress is promised to the mirror: an invalidation storm that
 * keeps hitting the range makes it retry without bound.
 */
#include <errno.h>

#include "strategies/seqcount.h"

static int seqretry_init(struct snap_dom *d)
{
	d->priv = seqcount_alloc(d);
	return d->priv ? 0 : -ENOMEM;
}

static void seqretry_fini(struct snap_dom *d)
{
	seqcount_free(d->priv);
}

static int seqretry_read_begin(struct snap_dom *d, struct snap_range *r)
{
	r->seq = seqcount_wait_idle(d->priv, r->start, r->end);
	return 0;
}

static bool seqretry_read_retry(struct snap_dom *d, struct snap_range *r)
{
	return seqcount_sample(d->priv, r->start, r->end) != r->seq;
}

static void seqretry_read_end(struct snap_dom *d, struct snap_range *r)
{
}

/*
 * seq_cst inside: the bump is visible before the device callback takes the
 * device lock and before any CPU PTE changes.  Pairs with read_retry().
 */
static int seqretry_invalidate_start(struct snap_dom *d, struct snap_range *r,
				     bool blockable)
{
	seqcount_invalidate_begin(d->priv, r->start, r->end);
	return 0;
}

static void seqretry_invalidate_end(struct snap_dom *d, struct snap_range *r)
{
	seqcount_invalidate_end(d->priv, r->start, r->end);
}

const struct snap_ops seqretry_ops = {
	.name			= "seqretry",
	.summary		= "interval sequence checked under the device lock; retry on change (upstream)",
	.init			= seqretry_init,
	.fini			= seqretry_fini,
	.read_begin		= seqretry_read_begin,
	.read_retry		= seqretry_read_retry,
	.read_end		= seqretry_read_end,
	.invalidate_start	= seqretry_invalidate_start,
	.invalidate_end		= seqretry_invalidate_end,
};
