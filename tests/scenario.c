// SPDX-License-Identifier: GPL-2.0
/*
 * scenario.c - the scenario parser: defaults, every shipped scenario, --set,
 * and one clear error for each kind of bad input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "workloads/scenario.h"

static char tmpdir[] = "/tmp/snapbench-scenario-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f))
		bail_out("cannot write %s", path);
	return path;
}

/* Loads @text; true if it fails with an error containing @needle. */
static bool rejects(const char *text, const char *needle, char *err)
{
	struct scenario s;
	int ret;

	scenario_defaults(&s);
	ret = scenario_load(&s, write_file("bad.ini", text), err);
	if (!ret)
		ret = scenario_validate(&s, err);
	return ret == -EINVAL && strstr(err, needle) && !strchr(err, '\n');
}

static void test_bad_files(void)
{
	static const struct { const char *text, *needle, *what; } bad[] = {
		{ "[mirror]\nthreadz = 2\n", "bad.ini:2: unknown key 'mirror.threadz'", "unknown key" },
		{ "[mirror]\nthreads = 2\nthreads = 3\n", "bad.ini:3: duplicate key 'mirror.threads'", "duplicate key" },
		{ "[mirror]\nthreads = two\n", "mirror.threads: 'two' is not a whole number", "bad value" },
		{ "[mirror]\nthreads = 0\n", "mirror.threads: 0 is out of range", "zero mirror threads" },
		{ "[storm.munmap]\nrate = -5\n", "storm.munmap.rate: rate -5 must be positive", "negative rate" },
		{ "[mirror]\ndeadline_ms = 0\n", "mirror.deadline_ms: 0 is out of range", "deadline 0" },
		{ "[mirror]\nrange_pages = 100000\n", "larger than the address space", "range larger than the space" },
		{ "[storm.madvise]\nthreads = 1\nrange_pages = uniform:9-3\n", "has A > B", "reversed range" },
		{ "[mirror]\npattern = zigzag\n", "'zigzag' is not one of sequential, random, hot", "bad choice" },
		{ "[mirror\nthreads = 1\n", "bad.ini:1: malformed section header", "malformed section" },
		{ "[mirror]\nthreads 2\n", "bad.ini:2: expected 'key = value'", "line without =" },
		{ "[storm.munmap]\ntry = yes\n", "storm.munmap.try: only the alloc and kswapd storms have a try mode", "try on a blocking-only storm" },
		{ "[mm]\ninterval_pages = 100\n", "mm.interval_pages (100) must be a power of two", "interval not a power of two" },
		{ "[mm]\nmin_free = 200000\n", "mm.min_free (200000) must be below mm.memory_pages", "min_free above memory" },
	};
	char err[SCENARIO_ERR_LEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ok(rejects(bad[i].text, bad[i].needle, err), "rejects %s: %s",
		   bad[i].what, err);
	}
}

static void test_shipped(void)
{
	char path[512], line[128], err[SCENARIO_ERR_LEN];
	int loaded = 0, listed = 0;
	struct scenario s;
	FILE *list = fopen("workloads/scenarios/default.list", "r");

	if (!list)
		bail_out("workloads/scenarios/default.list: %s", strerror(errno));
	while (fgets(line, sizeof(line), list)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		listed++;
		snprintf(path, sizeof(path), "workloads/scenarios/%s.ini", line);
		scenario_defaults(&s);
		if (!scenario_load(&s, path, err) && !scenario_validate(&s, err))
			loaded++;
		else
			diag("%s", err);
	}
	fclose(list);
	ok(listed >= 8 && loaded == listed,
	   "every default scenario loads and validates (%d of %d)", loaded, listed);
}

static void test_set_and_defaults(void)
{
	char err[SCENARIO_ERR_LEN];
	struct scenario s;
	int ret;

	scenario_defaults(&s);
	ok(!scenario_validate(&s, err), "the defaults validate");
	ret = scenario_set(&s, "storm.munmap.range_pages=uniform:4-8", err);
	ok(!ret && s.storm[STORM_munmap].range.kind == DIST_UNIFORM &&
	   s.storm[STORM_munmap].range.lo == 4 && s.storm[STORM_munmap].range.hi == 8,
	   "--set parses a distribution");
	ok(!scenario_set(&s, "storm.kswapd.rate=max", err) &&
	   s.storm[STORM_kswapd].rate == 0, "--set rate=max means back to back");
	ok(scenario_set(&s, "nosuchkey=1", err) == -EINVAL &&
	   strstr(err, "unknown key 'nosuchkey'"), "--set rejects an unknown key: %s", err);
	ok(scenario_set(&s, "mirror.threads", err) == -EINVAL &&
	   strstr(err, "expected key=value"), "--set rejects a missing '=': %s", err);
	ret = scenario_load(&s, "/nonexistent/x.ini", err);
	ok(ret == -ENOENT && strstr(err, "/nonexistent/x.ini: No such file"),
	   "a missing file is an error naming it: %s", err);
}

static void test_dist(void)
{
	struct dist d = { .kind = DIST_LOG2, .lo = 1, .hi = 64 };
	struct rand_state r;
	unsigned long v, small = 0, in_range = 0;

	rand_seed(&r, 42);
	for (int i = 0; i < 100000; i++) {
		v = dist_sample(&d, &r);
		in_range += v >= 1 && v <= 64;
		small += v < 8;
	}
	/* log2:1-64: [1,8) is half the octaves, so about half the samples. */
	ok(in_range == 100000 && small > 40000 && small < 60000,
	   "log2 distribution stays in range and is log-uniform (%lu below 8)", small);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		bail_out("mkdtemp failed");
	plan(14 + 1 + 6 + 1);
	test_bad_files();
	test_shipped();
	test_set_and_defaults();
	test_dist();
	unlink(write_file("bad.ini", ""));
	rmdir(tmpdir);
	return done();
}
