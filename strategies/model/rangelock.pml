/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rangelock.pml - Promela model of the corrected range-lock design: snapshots
 * and invalidations of overlapping ranges queue for each other in arrival order.
 *
 * What is modelled
 *
 * Every snapshot (READ) and invalidation (INVAL) in flight is an entry on one
 * queue, in arrival order.  A READ conflicts with every overlapping entry;
 * INVALs do not conflict with each other.  On arrival (one atomic step, the
 * queue's spinlock) an entry records as blockers the earlier entries it
 * conflicts with, granted or still waiting; it is granted when all of them
 * have released.  A release removes the entry and clears it from the blocker
 * set of every later entry.  Since blockers are fixed at arrival, each
 * process has at most one entry, and a process id stands for its entry:
 *
 *	enqueue(me):	blk[me] = { q : entry q overlaps me and (me or q is READ) }
 *	grant:		blk[me] == {}
 *	release(me):	remove me from every blk[q]
 *
 * A non-blockable ("try") invalidation with any blocker returns -EAGAIN and
 * queues nothing; the invalidator skips that candidate.  A mirror pass holds
 * its READ entry across snapshot and commit; read_retry is always false.  An
 * invalidation holds its INVAL entry across the device callback (device lock,
 * clear the device PTEs of its range) and the CPU PTE change; releasing it is
 * invalidate_end.
 *
 * NPAGE is 2 by default: mirror 0 covers both pages, mirror 1 (if any) the
 * second; each invalidation picks its range (page 0, page 1 or both) and
 * whether it is blockable nondeterministically, so READ/READ, READ/INVAL and
 * INVAL/INVAL overlaps and disjoint ranges all occur.
 *
 * What is abstracted away
 *
 * Faults under the lock and the pass-through rules of strategies/rangelock.c
 * (mirrors here do not fault), mmap_lock, the trylock of the device lock in a
 * non-blockable callback (a granted INVAL never finds the device lock held by
 * an overlapping mirror), wait queues (a wait is a blocking guard that, once
 * true, stays true until the waiter runs).
 *
 * Properties
 *
 *	safety (SAFETY build): no stale device PTE (world.pml) and no invalid
 *	end state (no deadlock), PASSES passes per mirror, ROUNDS
 *	invalidations per invalidator.
 *	liveness (LIVE, NP build, pan -l -f): progress_pass marks a completed
 *	pass; expected: no non-progress cycle under weak fairness, although the
 *	invalidators loop forever.
 */

#ifndef NPAGE
#define NPAGE	2
#endif

#include "world.pml"

#ifndef NMIRROR
#define NMIRROR	1
#endif
#ifndef NINV
#define NINV	2
#endif
#ifndef PASSES
#define PASSES	1
#endif
#ifndef ROUNDS
#define ROUNDS	1
#endif

#define NPROC		(NMIRROR + NINV)
#define MIRROR_MASK(m)	((m) == 0 -> ALL_PAGES : (1 << (NPAGE - 1)))

byte entry_mask[NPROC];	/* pages of process p's queued entry; 0: none */
bool entry_read[NPROC];	/* that entry is a READ */
byte blk[NPROC];	/* processes whose earlier entries p waits for */

/*
 * rl_blockers() - the entries already queued that a new entry of @me
 * (pages @mask, READ if @read) must wait for.  Call inside atomic.
 */
inline rl_blockers(me, mask, read, q)
{
	blk[me] = 0;
	for (q : 0 .. NPROC - 1) {
		if
		:: q != me && (entry_mask[q] & (mask)) != 0 && ((read) || entry_read[q]) ->
			blk[me] = blk[me] | (1 << q)
		:: else
		fi
	}
}

inline rl_queue(me, mask, read)
{
	entry_mask[me] = mask;
	entry_read[me] = read
}

/* rl_release() - drop @me's entry and wake every later entry it blocked. */
inline rl_release(me, q)
{
	entry_mask[me] = 0;
	entry_read[me] = false;
	for (q : 0 .. NPROC - 1) {
		blk[q] = blk[q] & ~(1 << me)
	}
}

active [NMIRROR] proctype mirror()
{
	byte id = _pid;
	byte mask = MIRROR_MASK(_pid);
	byte i, q, pass;
	byte snap[NPAGE];

	do
#ifndef LIVE
	:: pass == PASSES -> break
#endif
	:: pass < PASSES ->
		/* read_begin(): queue a READ entry and wait for its blockers. */
		atomic {
			rl_blockers(id, mask, true, q);
			rl_queue(id, mask, true);
			printf("M%d: read_begin pages %d, waits for %d\n", id, mask, blk[id])
		}
		atomic { blk[id] == 0 -> printf("M%d: READ granted\n", id) }
		snapshot(id, mask, i);
		dev_lock();
		/* read_retry() is always false. */
		atomic { dev_commit(id, mask, i) }
		dev_unlock();
		/* read_end() */
		atomic {
			rl_release(id, q);
			printf("M%d: read_end\n", id)
		}
progress_pass:
		printf("M%d: pass done\n", id);
#ifndef LIVE
		pass++
#endif
	od
}

active [NINV] proctype invalidator()
{
	byte me = _pid;			/* index of this process's entry */
	byte id = _pid - NMIRROR;
	byte mask, i, q, round;
	bool blockable;
	byte old[NPAGE];

	do
#ifndef LIVE
	:: round == ROUNDS -> break
#endif
	:: round < ROUNDS ->
		if
		:: mask = 1
#if NPAGE > 1
		:: mask = 2
		:: mask = 3
#endif
		fi;
		if
		:: blockable = true
		:: blockable = false
		fi;
		/* invalidate_start() */
		atomic {
			rl_blockers(me, mask, false, q);
			if
			:: blockable || blk[me] == 0 ->
				rl_queue(me, mask, false);
				printf("I%d: invalidate_start pages %d, waits for %d\n", id, mask, blk[me])
			:: else ->
				printf("I%d: try-invalidate pages %d: -EAGAIN, skip\n", id, mask);
				blk[me] = 0;
				goto next
			fi
		}
		atomic { blk[me] == 0 -> printf("I%d: INVAL granted\n", id) }
		dev_invalidate(id, mask, i);
		cpu_replace(id, mask, i);
		/* invalidate_end() */
		atomic {
			rl_release(me, q);
			printf("I%d: invalidate_end\n", id);
			retire(mask, i)
		}
next:
#ifndef LIVE
		round++
#else
		skip
#endif
	od
}
