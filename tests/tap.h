/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - Test Anything Protocol output for the C tests, read by prove(1).
 * A test calls plan(), then ok()/skip() per check, then returns done().
 */
#ifndef SNAP_TAP_H
#define SNAP_TAP_H

#include <stdbool.h>

void plan(int nr_tests);
/* Prints "ok N - ..." or "not ok N - ..."; returns @pass. */
bool ok(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends the test: exit status 0 only if every planned test ran and passed. */
int done(void);
/* Stops the test at once: "Bail out!" and exit status 255. */
void bail_out(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* SNAP_TAP_H */
