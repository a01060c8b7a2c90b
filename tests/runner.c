// SPDX-License-Identifier: GPL-2.0
/*
 * runner.c - the runner: open-loop schedule arithmetic, a short run of every
 * correct strategy with storms, the result file against its schema, and
 * the watchdog firing on a strategy that never returns.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/result.h"
#include "harness/runner.h"
#include "harness/sched.h"
#include "tests/tap.h"

static char dir[] = "/tmp/snapbench-runner-XXXXXX";

static void test_sched(void)
{
	struct sched s;
	uint64_t due = 0;
	bool exact = true;

	sched_init(&s, 1000, 3);
	exact &= sched_next(&s, 0) == 1000;
	exact &= sched_next(&s, 0) == 1000 + 333333333;
	exact &= sched_next(&s, 0) == 1000 + 666666667;
	exact &= sched_next(&s, 0) == 1000 + 1000000000;
	ok(exact, "3 ops/s: due times are base + round(k / rate)");

	sched_init(&s, 0, 7);
	for (int k = 0; k <= 7000000; k++)
		due = sched_next(&s, 0);
	ok(due == 1000000ULL * 1000000000ULL, "7 ops/s: no drift after 7e6 operations (%llu)",
	   (unsigned long long)due);

	sched_init(&s, 0, 0);
	ok(sched_next(&s, 12345) == 12345 && sched_next(&s, 99999) == 99999,
	   "rate max: each operation is due when the previous one ended");
}

static void small_scenario(struct scenario *sc)
{
	char err[SCENARIO_ERR_LEN];
	static const char *const sets[] = {
		"mm.pages=8192", "mm.memory_pages=4096", "mm.min_free=64",
		"mm.low_free=1024", "mm.interval_pages=64", "mirror.hot_pages=512",
		"run.duration_s=1", "run.warmup_s=0.05", "mm.cow_permille=100",
		"mirror.write_permille=200",
		"storm.munmap.threads=1", "storm.munmap.rate=2000",
		"storm.kswapd.threads=1", "storm.alloc.threads=1", "storm.alloc.rate=2000",
		"storm.numa.threads=1", "storm.numa.rate=200", "storm.numa.range_pages=512",
	};

	scenario_defaults(sc);
	snprintf(sc->name, sizeof(sc->name), "runner-test");
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (scenario_set(sc, sets[i], err))
			bail_out("%s", err);
	if (scenario_validate(sc, err))
		bail_out("%s", err);
}

/* harness/check-result validates a result file against harness/RESULTS.md. */
static bool schema_ok(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "harness/check-result %s >&2", path);
	return system(cmd) == 0;
}

static void test_run(const struct snap_ops *ops)
{
	struct run_result *res = malloc(sizeof(*res));
	struct run_config rc = { .ops = ops, .seed = 1 };
	struct run_context ctx = {
		.command_line = "tests/runner", .executable = "tests/runner.t",
		.scenario = "runner-test", .strategy = ops->name,
		.strategy_params = ops->params,
		.topology = "test", .placement = "none", .seed = 1, .reps = 1,
	};
	struct scenario sc;
	char path[256];
	int ret;

	small_scenario(&sc);
	rc.sc = ctx.sc = &sc;
	ret = runner_run(&rc, res);
	ok(ret == 0 && !res->hung && res->passes > 0 && res->violations == 0 &&
	   res->ops[STORM_munmap] > 0 && res->ops[STORM_numa] > 0 &&
	   hist_count(&res->ttm_ns) == res->passes &&
	   hist_count(&res->retries) == res->passes + res->misses,
	   "%s: a short run with storms: %lu passes, %lu munmaps, %lu violations",
	   ops->name, res->passes, res->ops[STORM_munmap], res->violations);
	snprintf(path, sizeof(path), "%s/%s.json", dir, ops->name);
	ok(result_write(path, &ctx, res) == 0 && schema_ok(path),
	   "%s: the result file matches the documented schema", ops->name);
	unlink(path);
	run_result_release(res);
	free(res);
}

/* A strategy whose snapshots never start. */
static pthread_mutex_t stuck_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stuck_forever = PTHREAD_COND_INITIALIZER;

static int stuck_read_begin(struct snap_dom *d, struct snap_range *r)
{
	pthread_mutex_lock(&stuck_lock);
	for (;;)
		pthread_cond_wait(&stuck_forever, &stuck_lock);
	return 0;
}

/* In a child: stuck threads cannot be joined, so the child just exits. */
static void test_watchdog(void)
{
	const struct snap_ops *seqretry = snap_strategy_find("seqretry");
	struct snap_ops stuck = *seqretry;
	char path[256], err[SCENARIO_ERR_LEN];
	int status = 0;
	pid_t pid;

	stuck.name = "stuck";
	stuck.read_begin = stuck_read_begin;
	snprintf(path, sizeof(path), "%s/stuck.hung.json", dir);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct run_result *res = malloc(sizeof(*res));
		struct run_config rc = { .ops = &stuck, .seed = 1 };
		struct run_context ctx = {
			.command_line = "tests/runner", .executable = "tests/runner.t",
			.scenario = "watchdog", .strategy = "stuck", .topology = "test",
			.placement = "none", .seed = 1, .reps = 1,
		};
		struct scenario sc;
		int ret;

		small_scenario(&sc);
		if (scenario_set(&sc, "run.watchdog_s=0.3", err) ||
		    scenario_set(&sc, "storm.munmap.threads=0", err))
			_exit(10);
		rc.sc = ctx.sc = &sc;
		ret = runner_run(&rc, res);
		if (ret != -ETIMEDOUT || !res->hung)
			_exit(11);
		for (unsigned int i = 0; i < res->nr_threads; i++)
			if (res->thread[i].stuck && !strncmp(res->thread[i].doing, "mirror pass", 11))
				ret = 0;
		if (ret)
			_exit(12);
		_exit(result_write(path, &ctx, res) ? 13 : 3);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		bail_out("fork/waitpid failed");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 3,
	   "watchdog: a stuck strategy ends the run as hung, naming the stuck mirror pass (child status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ok(schema_ok(path), "watchdog: the partial result is written and valid");
	unlink(path);
}

int main(void)
{
	int nr = 0;

	for (const struct snap_ops *const *o = snap_strategies; *o; o++)
		nr += !(*o)->known_unsafe;
	if (!mkdtemp(dir))
		bail_out("mkdtemp");
	alarm(300);
	plan(3 + 2 * nr + 2);
	test_sched();
	for (const struct snap_ops *const *o = snap_strategies; *o; o++)
		if (!(*o)->known_unsafe)
			test_run(*o);
	test_watchdog();
	rmdir(dir);
	return done();
}
