/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - the fuzz targets' entry points, called by libFuzzer through
 * fuzz/libfuzzer.c and by the replay test fuzz/replay.c without it.
 */
#ifndef SNAP_FUZZ_H
#define SNAP_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A broken property aborts with a message naming it: a crash to libFuzzer,
 * a failed test to the replay.  The targets are not thread safe.
 */

/**
 * fuzz_scenario() - load @data as a scenario file, validate what loads and
 * check that what validates survives a round trip through --set
 * @data: the file's bytes
 * @size: how many
 *
 * Returns: 0 (to libFuzzer: keep the input if it is new).
 */
int fuzz_scenario(const uint8_t *data, size_t size);

/**
 * fuzz_run_args() - parse @data, one argument a line, as the options of
 * `snapbench run`, and apply what parses as cmd_run() does before a run
 * @data: the arguments, each ended by a newline (the last one need not be)
 * @size: how many bytes
 *
 * Returns: 0 (to libFuzzer: keep the input if it is new).
 */
int fuzz_run_args(const uint8_t *data, size_t size);

static inline void __attribute__((noreturn, format(printf, 3, 4)))
fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: fuzz check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define fuzz_check(cond, fmt, ...)						\
	do {									\
		if (!(cond))							\
			fuzz_fail(__FILE__, __LINE__, "%s: " fmt, #cond,	\
				  ##__VA_ARGS__);				\
	} while (0)

/* An error message is one line that says something. */
static inline void fuzz_check_error(const char *err, size_t len)
{
	size_t n = strnlen(err, len);

	fuzz_check(n > 0 && n < len, "error of %zu bytes", n);
	fuzz_check(!strchr(err, '\n'), "error of more than one line: '%s'", err);
}

#endif /* SNAP_FUZZ_H */
