/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - Test Anything Protocol output for the C tests, read by prove(1).
 * A test calls plan(), then ok()/skip() per check, then returns done().
 */
#ifndef SNAP_TAP_H
#define SNAP_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void plan(int nr_tests);
/* Prints "ok N - ..." or "not ok N - ..."; returns @pass. */
bool ok(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends the test: exit status 0 only if every planned test ran and passed. */
int done(void);
/* Stops the test at once: "Bail out!" and exit status 255. */
void bail_out(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

struct run_result;

/**
 * run_in_child() - one run of @strategy with @seed, in a forked child
 * @base, @sets: NULL-terminated "key=value" settings (scenario_set), applied
 *	over the defaults in that order; either may be NULL
 * @pick: called in the child with the run's result, to copy what the test
 *	needs into @out (zeroed first)
 * @out, @size: the test's outcome, shared with the child and copied back
 *
 * A run that hangs leaves threads that cannot be joined: the child exits
 * without exit handlers.  Bails out when the child cannot be run, or fails
 * before @pick has run (a setting refused, an unknown strategy).
 *
 * Returns: runner_run()'s return in the child.
 */
int run_in_child(const char *strategy, uint64_t seed, const char *const *base,
		 const char *const *sets,
		 void (*pick)(const struct run_result *res, void *out),
		 void *out, size_t size);
/* A strategy counter of @res (snap_ops.report); 0 when it reports none. */
unsigned long run_counter(const struct run_result *res, const char *name);

#endif /* SNAP_TAP_H */
