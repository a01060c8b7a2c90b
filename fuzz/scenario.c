// SPDX-License-Identifier: GPL-2.0
/*
 * scenario.c - fuzz target: the scenario-file parser (workloads/scenario.c).
 * Every input either is rejected with one line naming the file and the
 * problem, or is a scenario the runner can use that --set reproduces.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "workloads/mm.h"
#include "workloads/scenario.h"

/* The input as a file scenario_load() can open: one memfd, rewritten. */
static const char *input_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	size_t done = 0;
	ssize_t n;

	if (fd < 0) {
		fd = memfd_create("fuzz-scenario.ini", 0);
		fuzz_check(fd >= 0, "memfd_create: %s", strerror(errno));
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	fuzz_check(!ftruncate(fd, 0), "ftruncate: %s", strerror(errno));
	while (done < size) {
		n = pwrite(fd, data + done, size - done, done);
		fuzz_check(n > 0, "pwrite: %s", strerror(errno));
		done += n;
	}
	return path;
}

/* A range the runner draws from @d fits in @space pages and is not empty. */
static void check_dist(const char *key, const struct dist *d, unsigned long space)
{
	struct rand_state r;
	unsigned long len;

	fuzz_check(d->lo >= 1 && d->lo <= d->hi && d->hi <= space,
		   "%s: %lu-%lu in %lu pages", key, d->lo, d->hi, space);
	rand_seed(&r, d->lo * 31 + d->hi);
	for (int i = 0; i < 16; i++) {
		len = dist_sample(d, &r);
		fuzz_check(len >= d->lo && len <= d->hi, "%s: sampled %lu outside %lu-%lu",
			   key, len, d->lo, d->hi);
	}
}

/* What the runner and the storms rely on once a scenario validates. */
static void check_usable(const struct scenario *s)
{
	unsigned long space = s->pattern == PATTERN_HOT ? s->hot_pages : s->pages, iv;

	fuzz_check(s->mirror_threads >= 1, "no mirror thread");
	fuzz_check(s->hot_pages >= 1 && s->hot_pages <= s->pages, "hot set of %lu pages",
		   s->hot_pages);
	/* 0: one subscription over the mapping, rounded up to a power of two */
	iv = scenario_interval_pages(s);
	fuzz_check(iv && !(iv & (iv - 1)) && (!s->interval_pages || iv <= s->pages) &&
		   iv / 2 < s->pages, "interval of %lu pages (mm.interval_pages %lu)", iv,
		   s->interval_pages);
	fuzz_check(s->memory_pages <= MM_MAX_PFNS && s->min_free < s->memory_pages &&
		   s->min_free <= s->low_free, "memory %lu, min_free %lu, low_free %lu",
		   s->memory_pages, s->min_free, s->low_free);
	fuzz_check(s->duration_s > 0 && s->deadline_ms > 0 && s->watchdog_s > 0,
		   "duration %g s, deadline %g ms, watchdog %g s", s->duration_s,
		   s->deadline_ms, s->watchdog_s);
	check_dist("mirror.range_pages", &s->mirror_range, space);
	for (int i = 0; i < STORM_NR; i++) {
		const struct storm_params *p = &s->storm[i];

		fuzz_check(p->rate >= 0, "storm.%s.rate %g", storm_kind_name[i], p->rate);
		/* storm_pick_range() clamps to the space; kswapd and migrate count pages. */
		check_dist(storm_kind_name[i], &p->range, ~0UL);
	}
}

struct text {
	char buf[8192];
	size_t len;
};

static void append_key(const char *key, const char *value, void *arg)
{
	struct text *t = arg;
	int n = snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s=%s\n", key, value);

	fuzz_check(n > 0 && (size_t)n < sizeof(t->buf) - t->len, "%zu bytes of keys", t->len);
	t->len += n;
}

static void set_key(const char *key, const char *value, void *arg)
{
	char assignment[512], err[SCENARIO_ERR_LEN];

	snprintf(assignment, sizeof(assignment), "%s=%s", key, value);
	fuzz_check(!scenario_set(arg, assignment, err), "--set %s: %s", assignment, err);
}

/*
 * Every key's effective value, as result files and SUMMARY lines record it,
 * given back with --set, is the same scenario: the same text and the same
 * values (both start from scenario_defaults(), so padding is zero in both).
 */
static void check_round_trip(const struct scenario *s)
{
	static struct text before, after;
	char err[SCENARIO_ERR_LEN];
	struct scenario copy;

	before.len = after.len = 0;
	scenario_for_each(s, append_key, &before);
	scenario_defaults(&copy);
	scenario_for_each(s, set_key, &copy);
	fuzz_check(!scenario_validate(&copy, err), "the --set copy does not validate: %s", err);
	scenario_for_each(&copy, append_key, &after);
	fuzz_check(before.len == after.len && !memcmp(before.buf, after.buf, before.len),
		   "--set changes the scenario:\n%.*s---\n%.*s", (int)before.len, before.buf,
		   (int)after.len, after.buf);
	fuzz_check(!memcmp(s, &copy, sizeof(copy)),
		   "the recorded values are not the values:\n%.*s", (int)before.len, before.buf);
}

/* The longest line of @data, without its newline. */
static size_t longest_line(const uint8_t *data, size_t size)
{
	size_t longest = 0, start = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			if (i - start > longest)
				longest = i - start;
			start = i + 1;
		}
	}
	return longest;
}

int fuzz_scenario(const uint8_t *data, size_t size)
{
	const char *path = input_file(data, size), *problem;
	char err[SCENARIO_ERR_LEN];
	struct scenario s;
	int ret;

	scenario_defaults(&s);
	ret = scenario_load(&s, path, err);
	if (ret) {
		fuzz_check(ret == -EINVAL, "scenario_load() returned %d: %s", ret, err);
		fuzz_check_error(err, sizeof(err));
		fuzz_check(!strncmp(err, path, strlen(path)) && err[strlen(path)] == ':',
			   "error does not name the file: '%s'", err);
		/* "FILE:LINE: PROBLEM": a PROBLEM may quote the input. */
		problem = err + strlen(path) + 1;
		problem += strspn(problem, "0123456789");
		fuzz_check(strncmp(problem, ": line longer than ", 19) ||
			   longest_line(data, size) > SCENARIO_MAX_LINE,
			   "'%s' for lines of at most %zu bytes", err, longest_line(data, size));
		return 0;
	}
	/* A NUL cannot be in a text file; the line must not just end there. */
	fuzz_check(!memchr(data, '\0', size), "a file with a NUL byte loads");
	ret = scenario_validate(&s, err);
	if (ret) {
		fuzz_check(ret == -EINVAL, "scenario_validate() returned %d: %s", ret, err);
		fuzz_check_error(err, sizeof(err));
		return 0;
	}
	check_usable(&s);
	check_round_trip(&s);
	return 0;
}
