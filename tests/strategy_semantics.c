// SPDX-License-Identifier: GPL-2.0
/*
 * strategy_semantics.c - unit tests of seqretry and rangelock with
 * deterministic thread choreography (who blocks, who goes, in what order).
 *
 * "Blocked" is observed, not guessed: a thread has entered the call and the
 * kernel reports it sleeping (state S in /proc/self/task/TID/stat).  Every
 * wait has a generous bound, so a slow machine makes the test slower, never
 * wrong; a hang is caught by alarm().
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/clock.h"
#include "strategies/snap_ops.h"
#include "tests/tap.h"

#define NR_PAGES	4096
#define INTERVAL	64
#define PATIENCE_NS	(20 * NSEC_PER_SEC)

enum call_op { CALL_READ, CALL_INVAL };
enum call_state { CALL_IDLE, CALL_ENTERED, CALL_GRANTED, CALL_DONE };

struct call {
	pthread_t thread;
	atomic_int tid;
	atomic_int state;
	atomic_bool release;
	int ret;
	int grant_order;
	enum call_op op;
	bool blockable;
	struct snap_dom *d;
	struct snap_range r;
};

static atomic_int grant_counter;

static void *call_thread(void *arg)
{
	struct call *c = arg;
	const struct snap_ops *ops = c->d->ops;

	atomic_store(&c->tid, (int)syscall(SYS_gettid));
	atomic_store(&c->state, CALL_ENTERED);
	if (c->op == CALL_READ)
		c->ret = ops->read_begin(c->d, &c->r);
	else
		c->ret = ops->invalidate_start(c->d, &c->r, c->blockable);
	c->grant_order = atomic_fetch_add(&grant_counter, 1);
	atomic_store(&c->state, CALL_GRANTED);
	while (!atomic_load(&c->release))
		usleep(200);
	if (!c->ret) {
		if (c->op == CALL_READ)
			ops->read_end(c->d, &c->r);
		else
			ops->invalidate_end(c->d, &c->r);
	}
	atomic_store(&c->state, CALL_DONE);
	return NULL;
}

static void call_start(struct call *c, struct snap_dom *d, enum call_op op,
		       unsigned long start, unsigned long end, bool blockable)
{
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->op = op;
	c->blockable = blockable;
	c->r.start = start;
	c->r.end = end;
	if (pthread_create(&c->thread, NULL, call_thread, c))
		bail_out("pthread_create failed");
}

static char task_state(int tid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return '?';
	return p[2];
}

/* True once @c is inside its call and asleep; false if it got through. */
static bool wait_blocked(struct call *c)
{
	uint64_t end = now_ns() + PATIENCE_NS;

	while (now_ns() < end) {
		int st = atomic_load(&c->state);

		if (st >= CALL_GRANTED)
			return false;
		if (st == CALL_ENTERED && task_state(atomic_load(&c->tid)) == 'S') {
			usleep(1000);	/* still asleep a moment later? */
			if (atomic_load(&c->state) == CALL_ENTERED &&
			    task_state(atomic_load(&c->tid)) == 'S')
				return true;
		}
		usleep(500);
	}
	return false;
}

static bool wait_granted(struct call *c)
{
	uint64_t end = now_ns() + PATIENCE_NS;

	while (now_ns() < end) {
		if (atomic_load(&c->state) >= CALL_GRANTED)
			return true;
		usleep(200);
	}
	return false;
}

static void call_finish(struct call *c)
{
	atomic_store(&c->release, true);
	if (pthread_join(c->thread, NULL))
		bail_out("pthread_join failed");
}

static void dom_setup(struct snap_dom *d, const char *name)
{
	const struct snap_ops *ops = snap_strategy_find(name);

	if (!ops)
		bail_out("strategy %s is not registered", name);
	if (snap_dom_init(d, ops, NR_PAGES, INTERVAL))
		bail_out("snap_dom_init(%s) failed", name);
}

static struct snap_range range(unsigned long start, unsigned long end)
{
	return (struct snap_range){ .start = start, .end = end };
}

/* ---------------------------------------------------------------- seqretry */

static void test_seqretry(void)
{
	const struct snap_ops *ops;
	struct snap_range rd, inv, inv2;
	struct snap_dom d;
	struct call c;

	dom_setup(&d, "seqretry");
	ops = d.ops;

	rd = range(0, 16);
	ok(!ops->read_begin(&d, &rd) && !ops->read_retry(&d, &rd),
	   "seqretry: no invalidation, read_retry is false");
	ops->read_end(&d, &rd);

	rd = range(0, 16);
	ops->read_begin(&d, &rd);
	inv = range(8, 9);
	ok(ops->invalidate_start(&d, &inv, true) == 0,
	   "seqretry: invalidate_start does not wait for a reader");
	ok(ops->read_retry(&d, &rd),
	   "seqretry: read_retry is true once an overlapping invalidation began");
	ops->invalidate_end(&d, &inv);
	ok(ops->read_retry(&d, &rd),
	   "seqretry: read_retry stays true after that invalidation ended");
	ops->read_end(&d, &rd);

	rd = range(0, 16);
	ops->read_begin(&d, &rd);
	inv = range(INTERVAL * 3, INTERVAL * 3 + 5);
	ops->invalidate_start(&d, &inv, true);
	ops->invalidate_end(&d, &inv);
	ok(!ops->read_retry(&d, &rd),
	   "seqretry: an invalidation of another interval does not force a retry");
	ops->read_end(&d, &rd);

	inv = range(INTERVAL * 3, INTERVAL * 3 + 5);
	ops->invalidate_start(&d, &inv, true);
	rd = range(0, 16);
	ops->read_begin(&d, &rd);
	inv2 = range(0, 2);
	ok(ops->invalidate_start(&d, &inv2, false) == 0,
	   "seqretry: a non-blockable invalidation never fails");
	ok(ops->read_retry(&d, &rd), "seqretry: ... and forces the retry");
	ops->invalidate_end(&d, &inv2);
	ops->read_end(&d, &rd);
	ops->invalidate_end(&d, &inv);

	/* read_begin sleeps while an overlapping invalidation is in progress. */
	inv = range(4, 40);
	ops->invalidate_start(&d, &inv, true);
	call_start(&c, &d, CALL_READ, 0, 8, true);
	ok(wait_blocked(&c), "seqretry: read_begin waits for an invalidation in progress");
	inv2 = range(INTERVAL * 5, INTERVAL * 5 + 1);
	ops->invalidate_start(&d, &inv2, true);
	ops->invalidate_end(&d, &inv2);
	ok(atomic_load(&c.state) == CALL_ENTERED,
	   "seqretry: ... and keeps waiting when an unrelated one ends");
	ops->invalidate_end(&d, &inv);
	ok(wait_granted(&c) && c.ret == 0 && !ops->read_retry(&d, &c.r),
	   "seqretry: ... then returns a current sequence once it ended");
	call_finish(&c);

	call_start(&c, &d, CALL_READ, 0, 8, true);
	ok(wait_granted(&c), "seqretry: read_begin does not wait when nothing is in progress");
	call_finish(&c);

	snap_dom_fini(&d);
}

/* --------------------------------------------------------------- rangelock */

static void test_rangelock_basic(void)
{
	struct snap_range rd, inv, mine;
	const struct snap_ops *ops;
	struct snap_dom d;
	struct call c, c2, c3;

	dom_setup(&d, "rangelock");
	ops = d.ops;

	rd = range(0, 16);
	ops->read_begin(&d, &rd);
	ok(!ops->read_retry(&d, &rd), "rangelock: read_retry is false while held");

	call_start(&c, &d, CALL_INVAL, 8, 24, true);
	ok(wait_blocked(&c), "rangelock: an overlapping invalidation blocks behind a held range");
	call_start(&c2, &d, CALL_INVAL, 16, 32, true);
	ok(wait_granted(&c2), "rangelock: a non-overlapping invalidation does not block");
	ok(atomic_load(&c.state) == CALL_ENTERED, "rangelock: ... and does not release the blocked one");

	call_start(&c3, &d, CALL_INVAL, 15, 16, false);
	ok(wait_granted(&c3) && c3.ret == -EAGAIN,
	   "rangelock: a non-blockable overlapping invalidation returns -EAGAIN");
	call_finish(&c3);
	inv = range(100, 200);
	ok(ops->invalidate_start(&d, &inv, false) == 0,
	   "rangelock: a non-blockable non-overlapping invalidation proceeds");
	ops->invalidate_end(&d, &inv);

	/* Pass-through: the holder's own fault invalidating inside its range. */
	mine = range(3, 4);
	ok(ops->invalidate_start(&d, &mine, true) == 0,
	   "rangelock: the holder's own invalidation inside its range passes through");
	ops->invalidate_end(&d, &mine);
	mine = range(3, 4);
	ok(ops->invalidate_start(&d, &mine, false) == -EAGAIN,
	   "rangelock: the holder's non-blockable invalidation (its direct reclaim) is refused");
	mine = range(12, 20);
	ok(ops->invalidate_start(&d, &mine, true) == -EDEADLK,
	   "rangelock: the holder's invalidation outside its range is refused, not deadlocked");

	ops->read_end(&d, &rd);
	ok(wait_granted(&c) && c.ret == 0,
	   "rangelock: the blocked invalidation proceeds after read_end");
	call_finish(&c);
	call_finish(&c2);

	/* Snapshots exclude each other; invalidations share. */
	rd = range(0, 16);
	ops->read_begin(&d, &rd);
	call_start(&c, &d, CALL_READ, 10, 12, true);
	ok(wait_blocked(&c), "rangelock: overlapping snapshots exclude each other");
	ops->read_end(&d, &rd);
	ok(wait_granted(&c), "rangelock: ... until the first ends");
	call_finish(&c);

	inv = range(0, 16);
	ops->invalidate_start(&d, &inv, true);
	call_start(&c, &d, CALL_INVAL, 5, 50, true);
	ok(wait_granted(&c), "rangelock: overlapping invalidations do not wait on each other");
	call_finish(&c);
	call_start(&c, &d, CALL_READ, 15, 17, true);
	ok(wait_blocked(&c), "rangelock: read_begin waits for an invalidation in progress");
	ops->invalidate_end(&d, &inv);
	ok(wait_granted(&c), "rangelock: ... and proceeds after invalidate_end");
	call_finish(&c);

	snap_dom_fini(&d);
}

/*
 * A queue of mixed waiters on one range is served in arrival order:
 * R0 held; I1, R2, I3, R4 arrive in that order.  I3 shares with I1 but
 * must not pass R2, which arrived before it.
 */
static void test_rangelock_fifo(void)
{
	static const enum call_op ops_in_order[] = {
		CALL_INVAL, CALL_READ, CALL_INVAL, CALL_READ,
	};
	const int n = sizeof(ops_in_order) / sizeof(ops_in_order[0]);
	const struct snap_ops *ops;
	struct snap_range r0;
	struct snap_dom d;
	struct call c[4];
	bool queued = true, in_order = true;
	int i, j;

	dom_setup(&d, "rangelock");
	ops = d.ops;
	atomic_store(&grant_counter, 0);

	r0 = range(0, 64);
	ops->read_begin(&d, &r0);
	for (i = 0; i < n; i++) {
		call_start(&c[i], &d, ops_in_order[i], 8 * i, 8 * i + 32, true);
		queued &= wait_blocked(&c[i]);
	}
	ok(queued, "rangelock fifo: four mixed waiters queue behind a held snapshot");
	ops->read_end(&d, &r0);

	for (i = 0; i < n; i++) {
		in_order &= wait_granted(&c[i]);
		for (j = i + 1; j < n; j++)
			in_order &= atomic_load(&c[j].state) == CALL_ENTERED;
		in_order &= c[i].grant_order == i;
		call_finish(&c[i]);
	}
	ok(in_order, "rangelock fifo: each waiter is granted only after every earlier conflicting one");
	snap_dom_fini(&d);
}

/* --------------------------------------------------------------- hybrid */

/* Optimistic attempt @attempt on [0, 16) that an invalidation forces to retry. */
static bool hybrid_failed_attempt(struct snap_dom *d, unsigned int attempt)
{
	struct snap_range rd = range(0, 16), inv = range(4, 5);
	bool retried;

	rd.attempt = attempt;

	d->ops->read_begin(d, &rd);
	d->ops->invalidate_start(d, &inv, true);
	d->ops->invalidate_end(d, &inv);
	retried = d->ops->read_retry(d, &rd);
	d->ops->read_end(d, &rd);
	return retried;
}

static void test_hybrid(void)
{
	struct snap_range rd, inv;
	const struct snap_ops *ops;
	bool all_retried = true;
	struct snap_dom d;
	struct call c;
	int i;

	dom_setup(&d, "hybrid");
	ops = d.ops;

	rd = range(0, 16);
	ops->read_begin(&d, &rd);
	inv = range(4, 5);
	ok(ops->invalidate_start(&d, &inv, false) == 0,
	   "hybrid: while optimistic, even a non-blockable invalidation never waits");
	ops->invalidate_end(&d, &inv);
	ok(ops->read_retry(&d, &rd), "hybrid: ... and forces the optimistic pass to retry");
	ops->read_end(&d, &rd);

	for (i = 1; i < 3; i++)
		all_retried &= hybrid_failed_attempt(&d, i);
	rd = range(0, 16);
	rd.attempt = 3;
	ops->read_begin(&d, &rd);	/* the fourth attempt: locked */
	call_start(&c, &d, CALL_INVAL, 8, 9, true);
	ok(all_retried && wait_blocked(&c),
	   "hybrid: after three failed attempts the pass holds the range lock");
	inv = range(4, 5);
	ok(ops->invalidate_start(&d, &inv, false) == -EAGAIN,
	   "hybrid: ... a non-blockable invalidation of it is refused");
	ok(!ops->read_retry(&d, &rd), "hybrid: ... and the locked pass commits without retry");
	ops->read_end(&d, &rd);
	ok(wait_granted(&c) && c.ret == 0,
	   "hybrid: the queued invalidation proceeds when the locked pass ends");
	call_finish(&c);

	rd = range(0, 16);
	ops->read_begin(&d, &rd);
	inv = range(4, 5);
	ok(ops->invalidate_start(&d, &inv, false) == 0,
	   "hybrid: the next pass is optimistic again");
	ops->invalidate_end(&d, &inv);
	ops->read_end(&d, &rd);
	snap_dom_fini(&d);

	/* Only the attempt number decides, not what this thread did before. */
	dom_setup(&d, "hybrid");
	rd = range(100, 116);
	rd.attempt = 3;
	ops->read_begin(&d, &rd);
	inv = range(104, 105);
	ok(ops->invalidate_start(&d, &inv, false) == -EAGAIN,
	   "hybrid: attempt 3 of a pass is locked, with no failed attempt before it");
	ok(!ops->read_retry(&d, &rd), "hybrid: ... and commits without retry");
	ops->read_end(&d, &rd);
	snap_dom_fini(&d);
}

static void test_registry(void)
{
	bool params_ok = true;
	int n = 0;

	for (const struct snap_ops *const *o = snap_strategies; *o; o++) {
		const struct snap_ops *s = *o;

		n++;
		ok(s->name && s->summary && s->init && s->fini && s->read_begin &&
		   s->read_retry && s->read_end && s->invalidate_start &&
		   s->invalidate_end && snap_strategy_find(s->name) == s,
		   "registry: %s fills every op and is found by name", s->name);
	}
	ok(n >= 2 && !snap_strategy_find("no-such-strategy"),
	   "registry: %d strategies, unknown names are not found", n);
	for (const struct snap_ops *const *o = snap_strategies; *o; o++) {
		for (const struct snap_param *p = (*o)->params; p && p->name; p++)
			params_ok &= *p->name && strspn(p->name, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
				     strlen(p->name) && p->help && *p->help;
	}
	ok(params_ok, "registry: every strategy parameter has a JSON key name and a help line");
}

int main(void)
{
	int nr_strategies = 0;

	for (const struct snap_ops *const *o = snap_strategies; *o; o++)
		nr_strategies++;
	alarm(300);
	plan(11 + 15 + 2 + 9 + nr_strategies + 2);
	test_seqretry();
	test_rangelock_basic();
	test_rangelock_fifo();
	test_hybrid();
	test_registry();
	return done();
}
