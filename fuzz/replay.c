// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c - a TAP test: the seed corpus and every input that once broke a
 * target (fuzz/regressions/) through the fuzz targets, without libFuzzer.
 * Each input runs in a child, so one that crashes or hangs fails only its
 * own test.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "tests/tap.h"

#ifndef SNAP_SRCDIR
#define SNAP_SRCDIR "."
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_DIRS	3
#define INPUT_TIMEOUT_S	10	/* fuzz/run gives libFuzzer the same -timeout */

/*
 * Per target: the seed directory (must not be empty), other seeds, and the
 * regressions.  Keep in step with fuzz/run.
 */
static const struct {
	const char *name;
	int (*run)(const uint8_t *data, size_t size);
	const char *dirs[MAX_DIRS];
} targets[] = {
	{ "scenario", fuzz_scenario,
	  { "fuzz/corpus/scenario", "workloads/scenarios", "fuzz/regressions/scenario" } },
	{ "run_args", fuzz_run_args,
	  { "fuzz/corpus/run_args", "fuzz/regressions/run_args" } },
};

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* The inputs of a directory, sorted; none if it does not exist. */
static int list_inputs(const char *dir, struct dirent ***names)
{
	int n = scandir(dir, names, not_hidden, alphasort);

	if (n < 0 && errno == ENOENT) {
		*names = NULL;
		return 0;
	}
	if (n < 0)
		bail_out("%s: %s", dir, strerror(errno));
	return n;
}

static uint8_t *read_input(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	data = malloc(len ? len : 1);
	if (data && fread(data, 1, len, f) != (size_t)len) {
		free(data);
		data = NULL;
	}
	*size = len;
out:
	if (f)
		fclose(f);
	return data;
}

/* Runs @path through @run in a child.  Returns: NULL, or what went wrong. */
static const char *replay(int (*run)(const uint8_t *, size_t), const char *path,
			  char *why, size_t len)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		size_t size;
		uint8_t *data = read_input(path, &size);

		if (!data) {
			fprintf(stderr, "%s: cannot read\n", path);
			exit(1);
		}
		alarm(INPUT_TIMEOUT_S);
		run(data, size);
		free(data);
		exit(0);	/* exit, not _exit: LeakSanitizer looks at exit */
	}
	if (waitpid(pid, &status, 0) != pid)
		bail_out("waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return NULL;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		snprintf(why, len, "still running after %d s", INPUT_TIMEOUT_S);
	else if (WIFSIGNALED(status))
		snprintf(why, len, "killed by %s", strsignal(WTERMSIG(status)));
	else
		snprintf(why, len, "exit status %d", WEXITSTATUS(status));
	return why;
}

int main(void)
{
	struct dirent **inputs[ARRAY_SIZE(targets)][MAX_DIRS];
	int nr[ARRAY_SIZE(targets)][MAX_DIRS] = { { 0 } }, total = 0;
	char dir[512], path[1024], why[64];
	size_t t, d;

	for (t = 0; t < ARRAY_SIZE(targets); t++) {
		for (d = 0; d < MAX_DIRS && targets[t].dirs[d]; d++) {
			snprintf(dir, sizeof(dir), "%s/%s", SNAP_SRCDIR, targets[t].dirs[d]);
			nr[t][d] = list_inputs(dir, &inputs[t][d]);
			total += nr[t][d];
		}
	}
	plan(ARRAY_SIZE(targets) + total);
	for (t = 0; t < ARRAY_SIZE(targets); t++)
		ok(nr[t][0] > 0, "%s: %d seed inputs", targets[t].dirs[0], nr[t][0]);
	for (t = 0; t < ARRAY_SIZE(targets); t++) {
		for (d = 0; d < MAX_DIRS && targets[t].dirs[d]; d++) {
			for (int i = 0; i < nr[t][d]; i++) {
				const char *name = inputs[t][d][i]->d_name, *bad;

				snprintf(path, sizeof(path), "%s/%s/%s", SNAP_SRCDIR,
					 targets[t].dirs[d], name);
				bad = replay(targets[t].run, path, why, sizeof(why));
				ok(!bad, "%s %s/%s%s%s", targets[t].name, targets[t].dirs[d],
				   name, bad ? ": " : "", bad ? bad : "");
				free(inputs[t][d][i]);
			}
			free(inputs[t][d]);
		}
	}
	return done();
}
