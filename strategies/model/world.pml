/* SPDX-License-Identifier: GPL-2.0 */
/*
 * world.pml - the tiny world every snapbench Promela model shares: CPU and
 * device PTEs of NPAGE pages, the device page-table lock, the stale-PTE check.
 *
 * A PTE holds a page *version*.  An invalidation replaces version v of a page
 * by a new page, version v+1.  dead[p] has bit v set once an invalidation
 * that replaced version v of page p has ended (invalidate_end returned): from
 * then on the old page may be freed and reused, so a device PTE that still
 * holds v is a use-after-free.  The safety property is
 *
 *	never (dev_pte[p] == v && bit v of dead[p] is set)
 *
 * and it is asserted at the only two steps that can break it: a device
 * commit (dev_commit) and the end of an invalidation (retire).
 *
 * Build-time knobs (spin -DNAME=value):
 *	NPAGE		pages in the world (1 or 2; default 1)
 *	LIVE		liveness run: processes loop forever, page versions
 *			alternate 1 -> 2 -> 1 so the state space stays finite,
 *			and dead[] is not kept (versions are reused)
 *	NO_STALE_CHECK	do not assert the stale-PTE property (for runs that
 *			target another finding)
 *	STALE_REPORTABLE(p, v)	a model may narrow which stale PTEs it reports
 */

#ifndef NPAGE
#define NPAGE	1
#endif
#define ALL_PAGES		((1 << NPAGE) - 1)
#define HAS_PAGE(mask, p)	((((mask) >> (p)) & 1) == 1)

#ifdef LIVE
#define NEXT_VERSION(v)		(3 - (v))	/* 1 <-> 2 */
#else
#define NEXT_VERSION(v)		((v) + 1)
#endif

#ifndef STALE_REPORTABLE
#define STALE_REPORTABLE(p, v)	true
#endif

#define IS_DEAD(p, v)		((((dead[p]) >> (v)) & 1) == 1)

byte cpu_pte[NPAGE] = 1;	/* version the CPU maps; every page starts at 1 */
byte dev_pte[NPAGE];		/* version the device maps; 0 = not mapped */
byte dead[NPAGE];		/* bit v: an invalidation replacing v has ended */
bool dev_locked;		/* the device page-table lock */

inline dev_lock()
{
	atomic { !dev_locked -> dev_locked = true }
}

inline dev_unlock()
{
	dev_locked = false
}

/* One page of the safety check, at commit: the device must not map a dead page. */
inline check_commit(p, v)
{
#if !defined(LIVE) && !defined(NO_STALE_CHECK)
	if
	:: IS_DEAD(p, v) && STALE_REPORTABLE(p, v) ->
		printf("FINDING stale-pte: device maps page %d v%d, whose invalidation already ended\n", p, v);
		assert(!IS_DEAD(p, v))
	:: else
	fi
#else
	skip
#endif
}

/*
 * dev_commit() - write the snapshot of the pages in @mask to the device page
 * table.  Caller holds the device lock; call it inside atomic.
 */
inline dev_commit(id, mask, i)
{
	for (i : 0 .. NPAGE - 1) {
		if
		:: HAS_PAGE(mask, i) ->
			printf("M%d: commit device PTE page %d = v%d\n", id, i, snap[i]);
			check_commit(i, snap[i]);
			dev_pte[i] = snap[i]
		:: else
		fi
	}
}

/* dev_invalidate() - the device's invalidate callback: clear device PTEs under the device lock. */
inline dev_invalidate(id, mask, i)
{
	dev_lock();
	atomic {
		for (i : 0 .. NPAGE - 1) {
			if
			:: HAS_PAGE(mask, i) -> dev_pte[i] = 0
			:: else
			fi
		}
		printf("I%d: device callback clears device PTEs (mask %d)\n", id, mask);
		dev_unlock()
	}
}

/* snapshot() - read the CPU PTEs of @mask into @snap, one PTE per step. */
inline snapshot(id, mask, i)
{
	for (i : 0 .. NPAGE - 1) {
		if
		:: HAS_PAGE(mask, i) ->
			atomic {
				snap[i] = cpu_pte[i];
				printf("M%d: snapshot CPU PTE page %d = v%d\n", id, i, snap[i])
			}
		:: else
		fi
	}
}

/* cpu_replace() - the invalidating CPU thread maps new pages; @old gets the replaced versions. */
inline cpu_replace(id, mask, i)
{
	for (i : 0 .. NPAGE - 1) {
		if
		:: HAS_PAGE(mask, i) ->
			atomic {
				old[i] = cpu_pte[i];
				cpu_pte[i] = NEXT_VERSION(old[i]);
				printf("I%d: CPU PTE page %d v%d -> v%d\n", id, i, old[i], cpu_pte[i])
			}
		:: else
		fi
	}
}

/*
 * retire() - the invalidation has ended: the replaced versions are dead, and
 * no device PTE may still hold one.  Call it inside the atomic step that ends
 * the invalidation.
 */
inline retire(mask, i)
{
#ifndef LIVE
	for (i : 0 .. NPAGE - 1) {
		if
		:: HAS_PAGE(mask, i) ->
			dead[i] = dead[i] | (1 << old[i]);
#ifndef NO_STALE_CHECK
			if
			:: dev_pte[i] == old[i] && STALE_REPORTABLE(i, old[i]) ->
				printf("FINDING stale-pte: invalidation of page %d v%d ended, device still maps v%d\n", i, old[i], old[i]);
				assert(dev_pte[i] != old[i])
			:: else
			fi
#endif
		:: else
		fi
	}
#else
	skip
#endif
}
