// SPDX-License-Identifier: GPL-2.0
/*
 * tap.c - Test Anything Protocol output for the C tests.
 * Not thread safe: only the test's main thread reports.
 * Also the runs in a child process of the tests that run a strategy.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/runner.h"
#include "tests/tap.h"

static int planned, ran, failed;

void plan(int nr_tests)
{
	planned = nr_tests;
	printf("1..%d\n", nr_tests);
	fflush(stdout);
}

static void report(const char *status, const char *directive,
		   const char *fmt, va_list ap)
{
	printf("%s %d - ", status, ++ran);
	vprintf(fmt, ap);
	if (directive)
		printf(" # %s", directive);
	printf("\n");
	fflush(stdout);
}

bool ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(pass ? "ok" : "not ok", NULL, fmt, ap);
	va_end(ap);
	if (!pass)
		failed++;
	return pass;
}

void skip(const char *why, const char *fmt, ...)
{
	char directive[256];
	va_list ap;

	snprintf(directive, sizeof(directive), "SKIP %s", why);
	va_start(ap, fmt);
	report("ok", directive, fmt, ap);
	va_end(ap);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int done(void)
{
	if (ran != planned)
		diag("planned %d tests but ran %d", planned, ran);
	return failed || ran != planned ? 1 : 0;
}

void bail_out(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(255);
}

/* What a child shares with the parent: runner_run()'s return, the outcome. */
struct child_run {
	int ret;
	max_align_t out[];	/* the caller's struct: aligned for any type */
};

static bool settings_apply(struct scenario *sc, const char *const *sets, char *err)
{
	for (int i = 0; sets && sets[i]; i++)
		if (scenario_set(sc, sets[i], err))
			return false;
	return true;
}

int run_in_child(const char *strategy, uint64_t seed, const char *const *base,
		 const char *const *sets,
		 void (*pick)(const struct run_result *res, void *out),
		 void *out, size_t size)
{
	size_t len = sizeof(struct child_run) + size;
	struct child_run *shared = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, ret;
	pid_t pid;

	if (shared == MAP_FAILED)
		bail_out("mmap");
	memset(shared, 0, len);
	shared->ret = -ECHILD;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct run_result *res = malloc(sizeof(*res));
		struct run_config rc = { .ops = snap_strategy_find(strategy), .seed = seed };
		char err[SCENARIO_ERR_LEN];
		struct scenario sc;

		if (!res || !rc.ops)
			_exit(9);
		scenario_defaults(&sc);
		if (!settings_apply(&sc, base, err) || !settings_apply(&sc, sets, err) ||
		    scenario_validate(&sc, err))
			_exit(9);
		rc.sc = &sc;
		ret = runner_run(&rc, res);
		pick(res, shared->out);
		shared->ret = ret;
		_exit(0);	/* stuck threads may remain: no exit handlers */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		bail_out("fork/waitpid");
	ret = shared->ret;
	memcpy(out, shared->out, size);
	munmap(shared, len);
	if (ret == -ECHILD)
		bail_out("%s: the child failed (status %d)", strategy, status);
	return ret;
}

unsigned long run_counter(const struct run_result *res, const char *name)
{
	for (unsigned int i = 0; i < res->nr_strategy_counters; i++)
		if (!strcmp(res->strategy_counter[i].name, name))
			return res->strategy_counter[i].value;
	return 0;
}
