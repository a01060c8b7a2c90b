// SPDX-License-Identifier: GPL-2.0
/*
 * harness/probe.c - how fast a cache line goes between two CPUs just now
 * (harness/probe.h).
 *
 * Measured on the 2-core VMs this suite runs on: for stretches of 5 to 20
 * s the whole machine runs the model two to three times faster than the
 * rest of the time (every strategy, both CPUs alike), while a loop that
 * only reads the clock speeds up by 5%: what changes is how far apart the
 * host runs the two vCPUs, which sets the cost of every lock and shared
 * counter.  The guest sees nothing of it otherwise (steal time is 0 in
 * /proc/stat).  The strategies do not speed up alike, so the share of a
 * report's runs that fall in such a stretch moves its verdicts (README,
 * "The noise floor of the userspace verdicts").  A run carries this probe
 * from just before and just after it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "harness/histogram.h"
#include "harness/probe.h"
#include "lib/clock.h"

struct pingpong {
	atomic_bool go;			/* both threads started: spin from now */
	uint64_t window_ns;
	atomic_ulong ball;		/* odd: the ponger's turn */
	atomic_bool stop;
	double trip_ns;			/* the answer, -1 until the pinger sets it */
};

static void pin(pthread_attr_t *attr, int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	pthread_attr_setaffinity_np(attr, sizeof(one), &one);
}

static void *ponger(void *arg)
{
	struct pingpong *p = arg;
	unsigned long b;

	while (!atomic_load(&p->go))
		;
	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		b = atomic_load_explicit(&p->ball, memory_order_acquire);
		if (b & 1)
			atomic_store_explicit(&p->ball, b + 1, memory_order_release);
	}
	return NULL;
}

/* Round trips are timed in batches and the median batch is the answer
 * (harness/histogram.h), so a probe thread preempted for a while (a busy
 * guest) spoils a few batches, not the measurement. */
#define PROBE_BATCH	32

static void *pinger(void *arg)
{
	struct pingpong *p = arg;
	uint64_t t, end;
	unsigned long b = 0;
	struct hist batch;

	while (!atomic_load(&p->go))
		;
	if (hist_init(&batch))
		goto out;
	end = now_ns() + p->window_ns;
	for (t = now_ns(); t < end; ) {
		uint64_t now;

		for (int i = 0; i < PROBE_BATCH; i++) {
			unsigned long spins = 0;

			atomic_store_explicit(&p->ball, b + 1, memory_order_release);
			/* The ponger's CPU may never run it: give up at the end. */
			while ((b = atomic_load_explicit(&p->ball, memory_order_acquire)) & 1)
				if (!(++spins & 0xfff) && now_ns() >= end)
					goto done;
		}
		now = now_ns();
		hist_record(&batch, now - t);
		t = now;
	}
done:
	if (hist_count(&batch))
		p->trip_ns = (double)hist_percentile(&batch, 50) / PROBE_BATCH;
	hist_destroy(&batch);
out:
	atomic_store(&p->stop, true);
	return NULL;
}

double host_probe(uint64_t window_ns)
{
	struct pingpong p = { .window_ns = window_ns, .trip_ns = -1 };
	void *(*role[2])(void *) = { ponger, pinger };
	pthread_t thread[2];
	int cpu[2], n = 0, started = 0;
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -1;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &allowed))
			cpu[n++] = c;
	if (n < 2)
		return -1;
	for (; started < 2; started++) {
		pthread_attr_t attr;
		int ret;

		if (pthread_attr_init(&attr))
			break;
		pin(&attr, cpu[started]);
		ret = pthread_create(&thread[started], &attr, role[started], &p);
		pthread_attr_destroy(&attr);
		if (ret)
			break;
	}
	if (started < 2)		/* the ponger alone: let it go and stop it */
		atomic_store(&p.stop, true);
	atomic_store(&p.go, true);
	for (int i = 0; i < started; i++)
		pthread_join(thread[i], NULL);
	return started < 2 ? -1 : p.trip_ns;
}
