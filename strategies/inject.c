// SPDX-License-Identifier: GPL-2.0
/*
 * inject.c - the table of injection points (inject.h) and the parser of
 * debug.inject.  Each point names the window it widens.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "strategies/inject.h"

static const char *const inject_points[INJECT_NR] = {
	/* rangelock-2015: a mirror between passes, its range not listed */
	[INJECT_RL2015_BEFORE_LIST]	= "rl2015_before_list",
	/* rangelock-2015: a range lock held, so invalidations chain behind it */
	[INJECT_RL2015_LOCKED]		= "rl2015_locked",
	/* rangelock-2015: an invalidation past its list walk, not yet counted */
	[INJECT_RL2015_BEFORE_COUNT]	= "rl2015_before_count",
	/* rangelock-2015: a range off the list, its waiter not yet woken */
	[INJECT_RL2015_AFTER_UNLOCK]	= "rl2015_after_unlock",
	/* rangequeue (rangelock, hybrid): an entry queued, about to sleep */
	[INJECT_RQ_QUEUED]		= "rq_queued",
	/* rangequeue (rangelock, hybrid): an entry released, waiters signalled */
	[INJECT_RQ_RELEASED]		= "rq_released",
};

atomic_bool inject_on;
static struct inject_spec inject_armed;

void inject_fire(enum inject_point p)
{
	const struct inject_action *a = &inject_armed.point[p];

	if (!a->armed)
		return;
	if (a->sleep_ns)
		sleep_until_ns(now_ns() + a->sleep_ns);
	else
		sched_yield();
}

static int inject_action(const char *act, struct inject_action *a, char *err, size_t len)
{
	unsigned long n;
	char *end;

	a->armed = true;
	a->sleep_ns = 0;
	if (!strcmp(act, "yield"))
		return 0;
	if (strncmp(act, "sleep=", 6) || act[6] < '0' || act[6] > '9')
		goto bad;
	errno = 0;
	n = strtoul(act + 6, &end, 10);
	if (errno || !n || n > 1000000)
		goto bad;
	if (!strcmp(end, "us"))
		a->sleep_ns = n * NSEC_PER_USEC;
	else if (!strcmp(end, "ms") && n <= 1000)
		a->sleep_ns = n * NSEC_PER_MSEC;
	else
		goto bad;
	return 0;
bad:
	snprintf(err, len, "'%s' is not yield or sleep=N with N us (1 to 1000000) or ms (1 to 1000)", act);
	return -EINVAL;
}

int inject_parse(const char *text, struct inject_spec *spec, char *err, size_t len)
{
	struct inject_spec parsed = { 0 };
	char buf[256], *item, *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf)) {
		snprintf(err, len, "too long");
		return -EINVAL;
	}
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(item, ':');
		int p;

		if (colon)
			*colon = '\0';
		for (p = 0; p < INJECT_NR; p++)
			if (!strcmp(item, inject_points[p]))
				break;
		if (p == INJECT_NR) {
			snprintf(err, len, "unknown injection point '%s' (snapbench list --keys)", item);
			return -EINVAL;
		}
		if (!colon) {
			snprintf(err, len, "'%s' needs :yield or :sleep=N(us|ms)", item);
			return -EINVAL;
		}
		if (inject_action(colon + 1, &parsed.point[p], err, len))
			return -EINVAL;
	}
	if (spec)
		*spec = parsed;
	return 0;
}

void inject_arm(const struct inject_spec *spec)
{
	bool any = false;

	atomic_store(&inject_on, false);
	inject_armed = *spec;
	for (int p = 0; p < INJECT_NR; p++)
		any |= spec->point[p].armed;
	atomic_store(&inject_on, any);
}
