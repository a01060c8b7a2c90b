/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rangelock2015.pml - Promela model of the 2015 HMM range-lock patch exactly
 * as published (shared/seed/), defects included, to let spin find them.
 *
 * What is modelled
 *
 * The patch's data structures, at one page / one range granularity:
 *
 *  - hmm->ranges, a real doubly linked list: node 0 is the head, the other
 *    nodes are struct hmm_range objects, with next/prev indices.  list_add()
 *    inserts after the head; list_del() unlinks and poisons, with the
 *    checks CONFIG_DEBUG_LIST makes (double add, next->prev / prev->next
 *    mismatch, deleting a poisoned entry), and a walk that does not come
 *    back to the head within NNODE steps is a hard lockup under hmm->lock.
 *  - range->waiting (a node index, 0 = NULL) and range->wakeup;
 *  - hmm->notifier_count, a signed counter (atomic_t).
 *
 * Every hmm->lock critical section is one atomic step (all list, waiting
 * and wakeup writes happen under that lock).  wait_event(wq, cond) is a
 * blocking guard on cond: in the patch every write that can make a
 * condition true is followed by wake_up(&hmm->wait_queue), so the queue
 * itself loses no wake-up; the lost wake-ups below are logical ones.
 *
 * Mirror pass (the patch's design pattern):
 *	hmm_vma_range_lock(): range->waiting = NULL; lock; list_add; unlock;
 *			      wait_event(!notifier_count)
 *	snapshot the CPU PTE; device lock; commit device PTE; unlock
 *	hmm_vma_range_unlock(): lock; list_del; if (range->waiting)
 *			      range->waiting->wakeup = true; unlock; wake_up
 *
 * Invalidation (the invalidate_range_start / _end path):
 *	hmm_invalidate_range(), with `range` on the invalidating thread's
 *	stack: walk hmm->ranges; on the first overlapping entry tmp:
 *	    while (tmp->waiting) tmp = tmp->waiting;
 *	    list_add(&range); tmp->waiting = &range; range.wakeup = false;
 *	    unlock; wait_event(range.wakeup); return;     <- early return
 *	else list_add(&range); unlock; notifier_count++; (sequence++);
 *	    mirror->ops->update() (device lock, clear device PTE);
 *	    hmm_vma_range_unlock(&range)
 *	then the CPU PTE changes (old page -> new page), then
 *	hmm_invalidate_range_end(): notifier_count--; wake_up (inferred from
 *	hmm_invalidate_page(), as the seed notes).
 *
 * The early return skips notifier_count++, the sequence, the device update
 * and the unlock of its own entry, which stays on the list after the stack
 * frame is gone.  Each invalidation gets a fresh node by default; with
 * -DSTACK_REUSE an invalidator thread reuses one node for all its calls, as
 * a stack frame at the same call depth does.
 *
 * What is abstracted away
 *
 * hmm->sequence (nothing in the patch reads it), the mirrors list (one
 * mirror whose update clears the device PTE), hmm_invalidate_page, mmap_sem,
 * vma checks, error paths.  Addresses: one page, every range is [0, 1).
 *
 * Properties (each check enables one, the others would hide it)
 *
 *	stale PTE (default): world.pml's safety property.  STALE_KIND=1 reports
 *	only a stale PTE left by an invalidation that returned early (skipped
 *	update), STALE_KIND=2 only one left by an invalidation that did run
 *	the update.  NO_STALE_CHECK turns it off.
 *	list integrity: the DEBUG_LIST assertions, always on.
 *	stuck waiters: -DWATCH=W_COUNT or -DWATCH=W_WAKEUP adds a watchdog that,
 *	when no process can move (timeout), asserts that no process sleeps
 *	in wait_event(!notifier_count) / wait_event(range.wakeup).  Run with
 *	pan -E so that only the watchdog judges end states.
 */

#ifndef NMIRROR
#define NMIRROR	1
#endif
#ifndef NINV
#define NINV	1
#endif
#ifndef PASSES
#define PASSES	1
#endif
#ifndef ROUNDS
#define ROUNDS	1
#endif
#ifndef STALE_KIND
#define STALE_KIND	0
#endif

/* Which stale PTEs the world reports (see STALE_KIND above). */
#define SKIPPED(p, v)		((((skipped[p]) >> (v)) & 1) == 1)
#define STALE_REPORTABLE(p, v)	(STALE_KIND == 0 || (STALE_KIND == 1 && SKIPPED(p, v)) || (STALE_KIND == 2 && !SKIPPED(p, v)))

#include "world.pml"

#define NPROC		(NMIRROR + NINV)
#define HEAD		0
#define NIL		0	/* range->waiting == NULL: the head is no range */
#define POISON1		250	/* LIST_POISON1 */
#define POISON2		251	/* LIST_POISON2 */
#ifdef STACK_REUSE
#define NINVNODE	NINV
#define INV_NODE(id, round)	(1 + NMIRROR + (id))
#else
#define NINVNODE	(NINV * ROUNDS)
#define INV_NODE(id, round)	(1 + NMIRROR + (id) * ROUNDS + (round))
#endif
#define NNODE		(1 + NMIRROR + NINVNODE)
#define MIRROR_NODE(id)	(1 + (id))
#define RANGE_MASK	1	/* [0, 1): every range overlaps every other */

/* Where a process is, for the watchdog. */
#define W_RUN		0
#define W_COUNT		1	/* hmm_vma_range_lock: wait_event(!notifier_count) */
#define W_WAKEUP	2	/* hmm_invalidate_range: wait_event(range.wakeup) */

byte next[NNODE];		/* list_head.next; the head starts empty (0 -> 0) */
byte prev[NNODE];		/* list_head.prev */
byte rmask[NNODE];		/* [start, end) as a page mask */
byte waiting[NNODE];		/* range->waiting */
bool wakeup[NNODE];		/* range->wakeup */
short notifier_count;		/* hmm->notifier_count */
byte where[NPROC];		/* W_* per process */
byte skipped[NPAGE];		/* bit v: version v was replaced by an early-returned invalidation */

/* A check CONFIG_DEBUG_LIST makes; failing it is a corrupted hmm->ranges. */
#define LIST_CHECK(cond, what) \
	if \
	:: !(cond) -> printf(what); assert(cond) \
	:: else \
	fi

/* list_add(&node->list, &hmm->ranges).  Call under hmm->lock (atomic). */
inline list_add(node, nx)
{
	nx = next[HEAD];
	LIST_CHECK(nx < NNODE && prev[nx] == HEAD, "FINDING list-corruption: list_add: next->prev should be prev\n");
	LIST_CHECK(node != nx && node != HEAD, "FINDING list-corruption: list_add double add\n");
	prev[nx] = node;
	next[node] = nx;
	prev[node] = HEAD;
	next[HEAD] = node
}

/* list_del(&node->list).  Call under hmm->lock (atomic). */
inline list_del(node)
{
	LIST_CHECK(next[node] != POISON1 && prev[node] != POISON2, "FINDING list-corruption: list_del of a poisoned (already deleted) entry\n");
	LIST_CHECK(next[prev[node]] == node && prev[next[node]] == node, "FINDING list-corruption: list_del: neighbours do not point back\n");
	next[prev[node]] = next[node];
	prev[next[node]] = prev[node];
	next[node] = POISON1;
	prev[node] = POISON2
}

/*
 * hmm_vma_range_unlock().  The lock section is atomic; wake_up() is implicit
 * (the woken range's guard turns true).
 */
inline hmm_vma_range_unlock(who, id, node)
{
	atomic {
		list_del(node);
		if
		:: waiting[node] != NIL ->
			wakeup[waiting[node]] = true;
			printf("%c%d: range_unlock: list_del, wakes range %d (only range->waiting)\n", who, id, waiting[node])
		:: else ->
			printf("%c%d: range_unlock: list_del, nobody waiting\n", who, id)
		fi
	}
}

active [NMIRROR] proctype mirror()
{
	byte id = _pid;
	byte node = MIRROR_NODE(_pid);
	byte i, nx, pass;
	byte snap[NPAGE];

	do
	:: pass == PASSES -> break
	:: pass < PASSES ->
		/* hmm_vma_range_lock() */
		atomic {
			waiting[node] = NIL;
			rmask[node] = RANGE_MASK;
			list_add(node, nx);
			where[id] = W_COUNT;
			printf("M%d: range_lock: list_add range %d, wait for notifier_count == 0 (now %d)\n", id, node, notifier_count)
		}
		atomic {
			notifier_count == 0 -> where[id] = W_RUN;
			printf("M%d: range_lock returns\n", id)
		}
		snapshot(id, ALL_PAGES, i);
		dev_lock();
		atomic { dev_commit(id, ALL_PAGES, i) }
		dev_unlock();
		hmm_vma_range_unlock('M', id, node);
		pass++
	od
}

active [NINV] proctype invalidator()
{
	byte me = _pid;
	byte id = _pid - NMIRROR;
	byte node, tmp, steps, nx, i, round;
	bool early;
	byte old[NPAGE];

	do
	:: round == ROUNDS -> break
	:: round < ROUNDS ->
		node = INV_NODE(id, round);
		/* hmm_invalidate_range_start() -> hmm_invalidate_range() */
		atomic {
			/* range.waiting = NULL; range.start/end = ...; spin_lock */
			waiting[node] = NIL;
			rmask[node] = RANGE_MASK;
			early = false;
			printf("I%d: invalidate_range_start, stack range %d\n", id, node);
			/* list_for_each_entry(tmp, &hmm->ranges, list) */
			tmp = next[HEAD];
			steps = 0;
			do
			:: tmp == HEAD -> break
			:: else ->
				steps++;
				LIST_CHECK(tmp < NNODE, "FINDING list-corruption: list walk reached a poisoned pointer\n");
				LIST_CHECK(steps <= NNODE, "FINDING list-corruption: list walk never returns to the head (hard lockup under hmm->lock)\n");
				if
				:: (rmask[tmp] & RANGE_MASK) == 0 -> tmp = next[tmp]
				:: else ->
					printf("I%d: overlaps range %d\n", id, tmp);
					/* while (tmp->waiting) tmp = tmp->waiting; */
					steps = 0;
					do
					:: waiting[tmp] != NIL ->
						tmp = waiting[tmp];
						steps++;
						LIST_CHECK(steps <= NNODE, "FINDING list-corruption: range->waiting chain has a cycle (hard lockup)\n")
					:: else -> break
					od;
					list_add(node, nx);
					waiting[tmp] = node;
					wakeup[node] = false;
					early = true;
					where[me] = W_WAKEUP;
					printf("I%d: list_add range %d; range %d->waiting = %d; sleep until woken\n", id, node, tmp, node);
					break
				fi
			od;
			if
			:: !early ->
				list_add(node, nx);
				printf("I%d: no overlap: list_add range %d\n", id, node)
			:: else
			fi
		}
		if
		:: early ->
			atomic {
				wakeup[node] -> where[me] = W_RUN;
				printf("I%d: woken: returns early (no notifier_count++, no update, range %d stays listed)\n", id, node)
			}
		:: else ->
			atomic {
				notifier_count++;
				printf("I%d: notifier_count++ -> %d\n", id, notifier_count)
			}
			/* mirror->ops->update() */
			dev_invalidate(id, ALL_PAGES, i);
			hmm_vma_range_unlock('I', id, node)
		fi;
		cpu_replace(id, ALL_PAGES, i);
		/* hmm_invalidate_range_end() */
		atomic {
			if
			:: early ->
				for (i : 0 .. NPAGE - 1) {
					skipped[i] = skipped[i] | (1 << old[i])
				}
			:: else
			fi;
			notifier_count--;
			printf("I%d: invalidate_range_end: notifier_count-- -> %d\n", id, notifier_count);
			retire(ALL_PAGES, i)
		}
		round++
	od
}

#ifdef WATCH
/* When nothing can move, nobody may still sleep in the watched wait_event. */
active proctype watchdog()
{
	byte p;

end_idle:
	timeout ->
	atomic {
		for (p : 0 .. NPROC - 1) {
			if
			:: where[p] == W_COUNT && WATCH == W_COUNT ->
				printf("FINDING stuck-waiter: M%d sleeps forever in wait_event(!notifier_count), notifier_count = %d\n", p, notifier_count);
				assert(where[p] != WATCH)
			:: where[p] == W_WAKEUP && WATCH == W_WAKEUP ->
				printf("FINDING stuck-waiter: I%d sleeps forever in wait_event(range.wakeup), notifier_count = %d\n", p - NMIRROR, notifier_count);
				assert(where[p] != WATCH)
			:: else
			fi
		}
	}
}
#endif
