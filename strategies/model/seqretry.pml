/* SPDX-License-Identifier: GPL-2.0 */
/*
 * seqretry.pml - Promela model of the seqretry mirror protocol (upstream
 * mmu_interval_notifier): snapshot, then retry if an invalidation ran.
 *
 * What is modelled
 *
 * The protocol as mm/mmu_notifier.c has it, for one interval covering the
 * whole world (NPAGE pages).  Two sequence words: inv_seq, the mm's
 * invalidate_seq, odd while at least one invalidation is in progress
 * (inv_active counts them, as they may overlap), and ival_seq, the
 * interval's sequence, which the device callback sets to the current odd
 * inv_seq under the device lock (mmu_interval_set_seq):
 *
 *	invalidate_start:	if inv_active == 0: inv_seq++ (odd); inv_active++
 *	callback:		device lock; ival_seq = inv_seq; clear device PTEs
 *	CPU PTE change:		old page -> new page
 *	invalidate_end:		inv_active--; if it is 0: inv_seq++ (even); wake
 *
 *	read_begin:	s = ival_seq; if s == inv_seq (this interval is being
 *			invalidated) sleep until inv_seq != s; return s
 *	read_retry:	ival_seq != s		(under the device lock)
 *
 * read_begin waits for at most the one invalidation it saw, as upstream does
 * (no loop there, so that the caller can bound its retries by a deadline).
 * With -DREAD_BEGIN_LOOPS it instead sleeps while any invalidation is in
 * progress and then samples, as strategies/seqretry.c does.
 *
 * A mirror pass is the generic one from DESIGN.md: read_begin, snapshot the
 * CPU PTEs, device lock, read_retry: drop the snapshot and start again, or
 * commit it.  Invalidations never wait for readers.
 *
 * What is abstracted away
 *
 * mmap_lock, faults, other intervals, the wait queue (a sleep is a blocking
 * guard: every change of inv_seq to even is followed by a wake-up), the
 * retry deadline.  The two sequence words only ever grow, so the model keeps
 * the comparisons the protocol makes instead of the numbers, which is exact
 * and keeps the state space finite when invalidations loop forever:
 *
 *	invalidating		inv_seq is odd
 *	ival_current		ival_seq == inv_seq
 *	ival_moved[m]		ival_seq != the sample mirror m took
 *	epoch_over[m]		inv_seq != the value mirror m saw when it slept
 *
 * Properties
 *
 *	safety (SAFETY build): no stale device PTE (world.pml) and no invalid
 *	end state, with PASSES passes per mirror and ROUNDS invalidations per
 *	invalidator.
 *	liveness (LIVE, NP build, pan -l -f): progress_pass marks a completed
 *	pass.  Expected: a non-progress cycle exists even under weak fairness;
 *	one invalidator looping forever starves the mirror, which retries
 *	forever (or, with READ_BEGIN_LOOPS, sleeps forever in read_begin).
 */

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
bool invalidating;		/* inv_seq is odd */
bool ival_current;		/* ival_seq == inv_seq */
bool ival_moved[NMIRROR];	/* ival_seq != mirror m's sample */
bool epoch_over[NMIRROR];	/* inv_seq != the odd value mirror m slept on */
byte inv_active;		/* invalidations between invalidate_start and _end */

active [NMIRROR] proctype mirror()
{
	byte id = _pid;
	byte i, pass;
	bool busy;
	byte snap[NPAGE];

	do
#ifndef LIVE
	:: pass == PASSES -> break
#endif
	:: pass < PASSES ->
again:
#ifndef READ_BEGIN_LOOPS
		/*
		 * read_begin(): sample ival_seq; if this interval is being
		 * invalidated, sleep until that invalidation ends, once.
		 */
		atomic {
			busy = ival_current;
			ival_moved[id] = false;
			epoch_over[id] = false;
			printf("M%d: read_begin\n", id)
		}
		if
		:: busy ->
			printf("M%d: interval is being invalidated: sleep\n", id);
			atomic { epoch_over[id] -> printf("M%d: woken, returns the old sample\n", id) }
		:: else
		fi;
#else
		/* read_begin(): sleep while any invalidation runs, then sample. */
		printf("M%d: read_begin: sleep while invalidating\n", id);
		atomic {
			!invalidating -> ival_moved[id] = false;
			printf("M%d: read_begin: sampled\n", id)
		}
#endif
		snapshot(id, ALL_PAGES, i);
		dev_lock();
		if
		:: ival_moved[id] ->
			/* read_retry() is true: drop the snapshot, start again. */
			printf("M%d: read_retry: interval seq moved, retry\n", id);
			dev_unlock();
			goto again
		:: else ->
			atomic { dev_commit(id, ALL_PAGES, i) }
			dev_unlock()
		fi;
progress_pass:
		printf("M%d: pass done\n", id);
#ifndef LIVE
		pass++
#endif
	od
}

active [NINV] proctype invalidator()
{
	byte id = _pid - NMIRROR;
	byte i, m, round;
	byte old[NPAGE];

	do
#ifndef LIVE
	:: round == ROUNDS -> break
#endif
	:: round < ROUNDS ->
		/* invalidate_start: the first one makes inv_seq odd. */
		atomic {
			if
			:: inv_active == 0 ->
				invalidating = true;
				ival_current = false
			:: else
			fi;
			inv_active++;
			printf("I%d: invalidate_start\n", id)
		}
		/* The callback, under the device lock: mmu_interval_set_seq(), clear. */
		dev_lock();
		atomic {
			if
			:: !ival_current ->
				ival_current = true;
				for (m : 0 .. NMIRROR - 1) {
					ival_moved[m] = true
				}
			:: else
			fi;
			for (i : 0 .. NPAGE - 1) {
				dev_pte[i] = 0
			}
			printf("I%d: callback: interval seq bumped, device PTEs cleared\n", id);
			dev_unlock()
		}
		cpu_replace(id, ALL_PAGES, i);
		/* invalidate_end: the last one makes inv_seq even and wakes sleepers. */
		atomic {
			inv_active--;
			if
			:: inv_active == 0 ->
				invalidating = false;
				ival_current = false;
				for (m : 0 .. NMIRROR - 1) {
					epoch_over[m] = true
				}
			:: else
			fi;
			printf("I%d: invalidate_end\n", id);
			retire(ALL_PAGES, i)
		}
#ifndef LIVE
		round++
#endif
	od
}
