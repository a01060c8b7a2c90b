// SPDX-License-Identifier: GPL-2.0
/*
 * tap.c - Test Anything Protocol output for the C tests.
 * Not thread safe: only the test's main thread reports.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
