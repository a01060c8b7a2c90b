// SPDX-License-Identifier: GPL-2.0
/*
 * snapbench.c - the command line: list what can run, run scenarios against
 * strategies with repetitions and write one result file per run.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/micro.h"
#include "harness/result.h"
#include "harness/runargs.h"
#include "harness/runner.h"
#include "harness/world.h"
#include "lib/clock.h"
#include "lib/number.h"
#include "lib/rand.h"
#include "workloads/storm.h"

/* Exit statuses of `snapbench run` (README, run --help). */
#define EXIT_BAD_INPUT	2
#define EXIT_HUNG	3	/* a run hung or failed */
#define EXIT_VIOLATIONS	4	/* a run reported invariant violations */
#define EXIT_INTERRUPTED 130
/* Between a run (the child) and the parent only. */
#define CHILD_HUNG_VIOLATIONS	5	/* hung, and violations before that */
#define CHILD_OUTPUT	6	/* its result file could not be written */

#ifndef SNAP_SRCDIR
#define SNAP_SRCDIR "."
#endif

static const char *prog = "snapbench";

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* snprintf into an array, failing loudly instead of truncating a path. */
#define path_printf(buf, ...)							\
	do {									\
		if (snprintf(buf, sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf))	\
			die(EXIT_BAD_INPUT, "path too long: %.80s...", buf);	\
	} while (0)

static const char *scenario_dir(void)
{
	const char *dir = getenv("SNAPBENCH_SCENARIOS");

	return dir && *dir ? dir : SNAP_SRCDIR "/workloads/scenarios";
}

/* ------------------------------------------------------------------ list */

static void usage_list(FILE *out)
{
	fprintf(out,
		"usage: snapbench list [--keys]\n"
		"  Lists strategies, storms and scenarios; --keys documents every scenario key.\n");
}

static int cmd_list(int argc, char **argv)
{
	char path[PATH_MAX], line[256];
	struct scenario s;
	FILE *f;

	if (argc == 2 && !strcmp(argv[1], "--keys")) {
		printf("%-32s %-10s %-16s  %s\n", "key", "unit", "default", "meaning");
		scenario_print_keys(stdout);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage_list(stdout);
		return 0;
	}
	if (argc > 1)
		die(EXIT_BAD_INPUT, "list: unexpected argument '%s' (snapbench list --help)", argv[1]);

	printf("strategies:\n");
	for (const struct snap_ops *const *o = snap_strategies; *o; o++)
		printf("  %-16s %s%s\n", (*o)->name, (*o)->summary,
		       (*o)->known_unsafe ? " [known unsafe: runs only when named]" : "");
	printf("storms:\n");
	for (int k = 0; k < STORM_NR; k++)
		printf("  %-16s invalidations of kind %s%s; kernel world: %s\n", storm_kind_name[k],
		       mm_inval_kind_name[storms[k]->inval_kind],
		       storms[k]->can_try ? ", blocking or try" : "",
		       !storms[k]->kernel.op ? "not available" :
		       storms[k]->kernel.note ? "stand-in" : "real system calls");
	printf("scenarios (default set from %s/default.list):\n", scenario_dir());
	snprintf(path, sizeof(path), "%s/default.list", scenario_dir());
	f = fopen(path, "r");
	if (!f)
		die(EXIT_BAD_INPUT, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char err[SCENARIO_ERR_LEN];

		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		snprintf(path, sizeof(path), "%s/%s.ini", scenario_dir(), line);
		scenario_defaults(&s);
		if (scenario_load(&s, path, err))
			printf("  %-16s (%s)\n", line, err);
		else
			printf("  %-16s %s\n", line, s.description);
	}
	fclose(f);
	return 0;
}

/* ------------------------------------------------------------------- run */

static void usage_run(FILE *out)
{
	fprintf(out,
		"usage: snapbench run --scenario NAME|FILE|default [options]\n"
		"  -s, --scenario LIST     scenario names (workloads/scenarios/NAME.ini), files,\n"
		"                          or 'default' for the default set; comma separated\n"
		"  -S, --strategy LIST     strategies, comma separated, or 'all': every strategy\n"
		"                          not marked known unsafe in 'snapbench list' (default all)\n"
		"  -r, --reps N            repetitions of each scenario x strategy     (default 3)\n"
		"  -d, --duration S        measured seconds per repetition, overrides\n"
		"                          run.duration_s                            (default: scenario's)\n"
		"      --seed N            PRNG seed of repetition 0; rep i uses N+i   (default 1)\n"
		"      --order ORDER       shuffled: in rounds, rep k of every scenario, sweep\n"
		"                          point and strategy in an order shuffled from --seed,\n"
		"                          before rep k+1 of any; sequential: one directory's\n"
		"                          repetitions after the other's       (default shuffled)\n"
		"      --set KEY=VALUE     override a scenario key (repeatable; snapbench list --keys)\n"
		"  -o, --out DIR           result directory             (default results/<UTC time>)\n"
		"  -p, --placement SPEC    spread, compact, none, or ROLE=CPUS;...     (default spread)\n"
		"      --sweep KEY=V1,V2   run each scenario once per value of KEY; results go to\n"
		"                          DIR/<scenario>@KEY=V/...\n"
		"      --append            DIR already holds results of these runs: add the\n"
		"                          repetitions after them (rep-<N> numbering goes on)\n"
		"      --replace           DIR already holds results of these runs: remove\n"
		"                          them (each directory just before its first run)\n"
		"      --check             check every input and print the plan; run nothing,\n"
		"                          create nothing\n"
		"  -q, --quiet             no plan and no progress line on stderr\n"
		"      --world NAME        model: the userspace model of the mm (default);\n"
		"                          kernel: this machine's kernel, real system calls and\n"
		"                          lib/test_snapbench (a kernel with kernel-patches/)\n"
		"      --first-rep N       number the repetitions from N (seeds too)  (default 0)\n"
		"      --accel NAME        kvm or tcg: recorded as context.accelerator\n"
		"                          (kernel world default: snapbench.accel= of /proc/cmdline)\n"
		"      --kernel-label TEXT recorded as context.kernel_label\n"
		"      --calibration FILE  the model's costs (cost.* keys) measured in a kernel\n"
		"                          (snapbench kernel calibrate), applied before --set;\n"
		"                          recorded as context.calibration\n"
		"      --boot N            recorded as context.boot (which boot of a build)\n"
		"Numbers are decimal: whole numbers are digits only; others [-]D[.D][eD].\n"
		"Writes DIR/<scenario>/<strategy>/rep-<N>.json (harness/RESULTS.md) and one\n"
		"SUMMARY line per run on stdout.  Each run is a child process.  Before any\n"
		"run it prints the plan (runs, their measured time); on a terminal, a\n"
		"progress line.  Results already in DIR are never overwritten: without\n"
		"--append or --replace, such a run is refused.  Exit status:\n"
		"  0    every run completed, no violations\n"
		"  2    bad input (nothing ran), or a result file could not be written\n"
		"  3    a run hung or failed (the others still ran)\n"
		"  4    a run reported invariant violations (a stale device PTE); wins over 3\n"
		"  130, 143  interrupted by SIGINT, SIGTERM\n");
}

/* A scenario argument: a name under the scenario directory, or a file. */
static void resolve_scenario(const char *arg, char *path, size_t len, char *name,
			     size_t name_len)
{
	const char *base, *dot;

	if (strchr(arg, '/') || strstr(arg, ".ini")) {
		snprintf(path, len, "%s", arg);
	} else {
		snprintf(path, len, "%s/%s.ini", scenario_dir(), arg);
		if (access(path, F_OK))
			die(EXIT_BAD_INPUT, "unknown scenario '%s' (snapbench list)", arg);
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strstr(base, ".ini");
	snprintf(name, name_len, "%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
}

static void load_scenario(const struct run_args *a, const char *arg,
			  const char *sweep_value, struct scenario *s)
{
	char path[PATH_MAX], err[RUN_ERR_LEN];
	int ret;

	scenario_defaults(s);
	resolve_scenario(arg, path, sizeof(path), s->name, sizeof(s->name));
	if (scenario_load(s, path, err))
		die(EXIT_BAD_INPUT, "%s", err);
	ret = run_args_apply(a, s, sweep_value, err);
	if (ret)
		die(ret == -EINVAL ? EXIT_BAD_INPUT : 1, "%s", err);
	if (scenario_validate(s, err))
		die(EXIT_BAD_INPUT, "%s: %s", path, err);
}

/* mkdir -p; returns 0 or -errno. */
static int make_dirs(const char *dir)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);
	struct stat st;

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0777) && errno != EEXIST)
		return -errno;
	if (stat(buf, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(buf, W_OK | X_OK) ? -errno : 0;
}

/*
 * Interrupts.  The first SIGINT or SIGTERM sets runner_stop: the parent
 * starts no further run and tells the run in progress (the child) to stop,
 * which then writes nothing; every completed file is already in place, as
 * files are written whole and renamed.  A second signal ends the parent at
 * once (and the child with it, see on_signal()).  A child that does not end
 * within stop_grace_ns of being told is killed and its temporary file, if
 * any, removed.  Exit status 128 + the signal: 130 for SIGINT, 143 SIGTERM.
 */
static uint64_t stop_grace_ns = 750 * NSEC_PER_MSEC;	/* SNAPBENCH_STOP_GRACE_S */

static volatile sig_atomic_t interrupts;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t in_child;		/* this process is a run */
static volatile sig_atomic_t child_pid;		/* the parent's run in progress */
static volatile sig_atomic_t writing;		/* the child writes its result */
static char again_msg[PATH_MAX + 96];		/* written by the handler */
static size_t again_len;

static void on_signal(int sig)
{
	if (interrupts++) {
		if (in_child && writing)
			return;		/* a complete file, then a quick exit */
		if (in_child)
			_exit(EXIT_INTERRUPTED);
		if (child_pid > 0)
			kill(child_pid, SIGTERM);	/* its second signal: it exits */
		if (write(STDERR_FILENO, again_msg, again_len) < 0)
			_exit(128 + sig);
		_exit(128 + sig);
	}
	stop_signal = sig;
	runner_stop = 1;
}

static void install_signals(const char *out)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int n;

	n = snprintf(again_msg, sizeof(again_msg),
		     "%s%s: interrupted again, exiting now; completed results are in %s\n",
		     isatty(STDERR_FILENO) ? "\n" : "", prog, out);
	again_len = n > 0 && (size_t)n < sizeof(again_msg) ? (size_t)n : 0;
	sigemptyset(&sa.sa_mask);	/* one handler at a time */
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Remove what a child that failed may have left: DIR/rep-REP*.json.tmp.* */
static void remove_partial(const char *dir, int rep)
{
	char prefix[32], path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), "rep-%d.", rep);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) || !strstr(e->d_name, ".tmp."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
}

struct summary_buf {
	char *p;
	size_t left;
};

static void summary_param(const char *key, const char *value, void *arg)
{
	struct summary_buf *b = arg;
	int n;

	if (strchr(value, ' ') || !*value)
		n = snprintf(b->p, b->left, " %s=\"%s\"", key, value);
	else
		n = snprintf(b->p, b->left, " %s=%s", key, value);
	if (n > 0 && (size_t)n < b->left) {
		b->p += n;
		b->left -= n;
	}
}

/* A metric of the SUMMARY line: a number, or n/a when it has no sample. */
static const char *summary_num(char *buf, size_t len, const char *fmt, bool valid, double v)
{
	if (!valid)
		return "n/a";
	snprintf(buf, len, fmt, v);
	return buf;
}

/* environment, accelerator and failed_passes (the mirror_failed_* counters) */
static void summary_world(const struct run_context *ctx, const struct run_result *res,
			  struct summary_buf *b)
{
	unsigned long failed = 0;
	char n[24];

	for (unsigned int i = 0; i < res->nr_strategy_counters; i++)
		if (!strncmp(res->strategy_counter[i].name, "mirror_failed_", 14))
			failed += res->strategy_counter[i].value;
	snprintf(n, sizeof(n), "%lu", failed);
	summary_param("environment", ctx->environment, b);
	summary_param("accelerator", ctx->accelerator ?: "unknown", b);
	summary_param("failed_passes", n, b);
}

/* A run that left no result (its child failed, or was killed): status only. */
static void print_summary_status(const struct run_context *ctx, const char *status)
{
	printf("SUMMARY scenario=%s strategy=%s rep=%d seed=%llu status=%s passes=0 "
	       "violations=0 hung=%d file=none\n", ctx->scenario, ctx->strategy, ctx->rep,
	       (unsigned long long)ctx->seed, status, !strcmp(status, "hung"));
	fflush(stdout);
}

static void print_summary(const struct run_context *ctx, const struct run_result *res,
			  const char *file)
{
	char params[8192], rate[32], retries[32], ttm[32];
	struct summary_buf b = { params, sizeof(params) };
	uint64_t n = hist_count(&res->retries);

	params[0] = '\0';
	if (ctx->environment)	/* another world: where, and its failed passes */
		summary_world(ctx, res, &b);
	scenario_for_each(ctx->sc, summary_param, &b);
	printf("SUMMARY scenario=%s strategy=%s rep=%d seed=%llu status=%s duration_s=%.3f"
	       " passes=%lu passes_per_s=%s deadline_misses=%lu retries_per_pass_mean=%s"
	       " retries_max=%lu fault_retries_max=%lu ttm_p99_ns=%s violations=%lu hung=%d file=%s%s\n",
	       ctx->scenario, ctx->strategy, ctx->rep, (unsigned long long)ctx->seed,
	       run_result_status(res), res->duration_s, res->passes,
	       summary_num(rate, sizeof(rate), "%.0f", res->duration_s > 0,
			   res->duration_s > 0 ? res->passes / res->duration_s : 0),
	       res->misses,
	       summary_num(retries, sizeof(retries), "%.3f", n, n ? hist_mean(&res->retries) : 0),
	       res->retries_max, res->fault_retries_max,
	       summary_num(ttm, sizeof(ttm), "%.0f", hist_count(&res->ttm_ns),
			   (double)hist_percentile(&res->ttm_ns, 99)),
	       res->violations, res->hung, file, params);
	fflush(stdout);
}

/*
 * The progress line: on a terminal (stderr) and without --quiet only, one
 * line rewritten in place once a second and at each run's start: runs done
 * of the total, the run in progress, elapsed time and an ETA (from the
 * runs done so far, or from the plan's estimate before the first ends).
 */
static struct {
	bool on;
	int done, total;
	uint64_t t0, last;
	double planned_s;		/* the plan's estimate of the whole */
	char what[192];
} prog_line;

static void format_seconds(char *buf, size_t len, double s)
{
	if (s < 10)
		snprintf(buf, len, "%.1f s", s);
	else if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 3 * 86400)
		snprintf(buf, len, "%.1f h", s / 3600);
	else if (s < 730 * 86400)
		snprintf(buf, len, "%.1f days", s / 86400);
	else
		snprintf(buf, len, "%.1f years", s / (365.25 * 86400));
}

static void progress_tick(void)
{
	double elapsed, eta;
	char e[32], left[32];

	if (!prog_line.on || now_ns() - prog_line.last < NSEC_PER_SEC)
		return;
	prog_line.last = now_ns();
	elapsed = (prog_line.last - prog_line.t0) / 1e9;
	eta = prog_line.done ? elapsed / prog_line.done * (prog_line.total - prog_line.done)
			     : prog_line.planned_s - elapsed;
	format_seconds(e, sizeof(e), elapsed);
	format_seconds(left, sizeof(left), eta > 0 ? eta : 0);
	fprintf(stderr, "\r\033[K[%d/%d done] %s  elapsed %s  ETA %s", prog_line.done,
		prog_line.total, prog_line.what, e, left);
}

static void progress(int done, const char *scenario, const char *strategy, int rep)
{
	prog_line.done = done;
	snprintf(prog_line.what, sizeof(prog_line.what), "%s / %s rep %d", scenario,
		 strategy, rep);
	prog_line.last = 0;
	progress_tick();
}

enum run_status { RUN_OK, RUN_HUNG, RUN_FAILED, RUN_INTERRUPTED, RUN_OUTPUT, RUN_VIOLATIONS,
		  RUN_HUNG_VIOLATIONS };

/* The child: run once, write the result file, print the SUMMARY line. */
static void __attribute__((noreturn))
run_child(const struct run_config *rc, const struct run_context *ctx,
	  struct run_result *res, const char *dir, bool tty)
{
	char file[PATH_MAX];
	int ret;

	if (rc->world->enter_run)
		rc->world->enter_run(ctx->sc);
	ret = runner_run(rc, res);
	if (ret && ret != -ETIMEDOUT) {
		fprintf(stderr, "%s: %s/%s: cannot run: %s\n", prog, ctx->scenario,
			ctx->strategy, strerror(-ret));
		print_summary_status(ctx, "failed");
		_exit(1);
	}
	/*
	 * From here on a signal no longer ends this process before its file
	 * is whole; an interrupted run (hung or not) writes nothing.
	 */
	writing = 1;
	if (runner_stop)
		_exit(EXIT_INTERRUPTED);
	path_printf(file, "%s/rep-%d%s.json", dir, ctx->rep, res->hung ? ".hung" : "");
	ret = result_write(file, ctx, res);
	if (ret) {
		/* The temporary is gone and an older file of that name untouched. */
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, file, strerror(-ret));
		_exit(CHILD_OUTPUT);
	}
	if (tty && isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	print_summary(ctx, res, file);
	if (res->violations)
		fprintf(stderr, "%s: %s/%s rep %d: %lu invariant violations\n", prog,
			ctx->scenario, ctx->strategy, ctx->rep, res->violations);
	for (int k = 0; k < STORM_NR; k++)
		if (ctx->sc->storm[k].threads && !res->ops[k])
			fprintf(stderr, "%s: %s/%s rep %d: the %s storm completed no operation; "
				"its latencies are n/a\n", prog, ctx->scenario, ctx->strategy,
				ctx->rep, storm_kind_name[k]);
	if (!res->hung && !res->passes)
		fprintf(stderr, "%s: %s/%s rep %d made no progress: no mirror pass completed "
			"in %.3f s (status no-progress); result in %s\n", prog, ctx->scenario,
			ctx->strategy, ctx->rep, res->duration_s, file);
	if (res->hung) {
		for (unsigned int t = 0; t < res->nr_threads; t++)
			if (res->thread[t].stuck)
				fprintf(stderr, "%s: hung: %s-%d: %s\n", prog,
					res->thread[t].role, res->thread[t].index,
					res->thread[t].doing);
		fprintf(stderr, "%s: %s/%s rep %d hung (run.watchdog_s = %g s); partial result in %s\n",
			prog, ctx->scenario, ctx->strategy, ctx->rep, ctx->sc->watchdog_s, file);
	}
	fflush(stdout);
	fflush(stderr);
	if (res->hung && rc->world->park)
		rc->world->park(file);	/* threads stuck in the kernel: no exit */
	/* Stuck threads cannot be joined: leave without running exit handlers. */
	if (run_result_failed(res))
		_exit(res->violations ? CHILD_HUNG_VIOLATIONS : EXIT_HUNG);
	_exit(res->violations ? EXIT_VIOLATIONS : 0);
}

/*
 * Each run is a child process, so a run that hangs past its own watchdog or
 * crashes costs that run only.  The parent gives the child its planned time
 * plus the watchdog twice over before killing it; once interrupted, it tells
 * the child to stop and gives it stop_grace_ns.
 */
static enum run_status run_isolated(const struct run_config *rc,
				    const struct run_context *ctx,
				    struct run_result *res, const char *dir, bool tty)
{
	const struct scenario *sc = ctx->sc;
	uint64_t limit = now_ns() + (uint64_t)((sc->warmup_s + sc->duration_s +
						2 * sc->watchdog_s + 30) * 1e9);
	bool killed = false, stopping = false;
	char err[RUN_ERR_LEN];
	sigset_t mask, old;
	int status;
	pid_t pid;

	if (rc->world->before_run && rc->world->before_run(sc, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		print_summary_status(ctx, "failed");
		return RUN_FAILED;
	}
	fflush(stdout);
	fflush(stderr);
	/* A signal must find child_pid (or in_child) set. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	pid = fork();
	if (pid < 0)
		die(1, "fork: %s", strerror(errno));
	if (pid == 0) {
		in_child = 1;
		sigprocmask(SIG_SETMASK, &old, NULL);
		run_child(rc, ctx, res, dir, tty);
	}
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			die(1, "waitpid: %s", strerror(errno));
		if (runner_stop && !stopping) {
			/* It may have the signal already (a terminal's ^C): no matter. */
			kill(pid, SIGTERM);
			stopping = true;
			limit = now_ns() + stop_grace_ns;
		} else if (now_ns() > limit && !killed && !stopping && rc->world->overdue &&
			   rc->world->overdue(pid, ctx, &status)) {
			print_summary_status(ctx, "hung");
			child_pid = 0;
			return RUN_HUNG;
		} else if (now_ns() > limit && !killed) {
			kill(pid, SIGKILL);
			killed = true;
			if (!stopping)
				fprintf(stderr, "%s: %s/%s rep %d: no end past its watchdog; killed\n",
					prog, ctx->scenario, ctx->strategy, ctx->rep);
		}
		progress_tick();
		sleep_until_ns(now_ns() + 10 * NSEC_PER_MSEC);
	}
	child_pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return RUN_OK;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_VIOLATIONS)
		return RUN_VIOLATIONS;
	/* Any other end (killed, crashed ...) may leave a temporary; whole files stay. */
	remove_partial(dir, ctx->rep);
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_HUNG)
		return RUN_HUNG;
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_HUNG_VIOLATIONS)
		return RUN_HUNG_VIOLATIONS;
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_OUTPUT)
		return RUN_OUTPUT;
	if (stopping || (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_INTERRUPTED))
		return RUN_INTERRUPTED;
	if (WIFSIGNALED(status) && rc->world->killed && !runner_stop)
		print_summary_status(ctx, rc->world->killed(ctx, WTERMSIG(status)));
	if (WIFSIGNALED(status))
		fprintf(stderr, "%s: %s/%s rep %d: crashed: %s\n", prog, ctx->scenario,
			ctx->strategy, ctx->rep, strsignal(WTERMSIG(status)));
	return runner_stop ? RUN_INTERRUPTED : RUN_FAILED;
}

static void command_line(int argc, char **argv, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);
}

/*
 * Why @c cannot be one component of a path under --out, or NULL.  A name
 * from a scenario file ("...ini" is "..", ".ini" is "") or a sweep value
 * ("../../x") would otherwise write outside --out, or over another run.
 */
static const char *path_component_error(const char *c)
{
	if (!*c)
		return "it is empty";
	if (*c == '.')
		return "it starts with a dot ('.', '..' and hidden names are not allowed)";
	if (strchr(c, '/'))
		return "it contains '/'";
	for (const char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "it contains a control character";
	return NULL;
}

/* One directory of results: a scenario (or sweep point) x a strategy. */
struct plan_cell {
	int sc;				/* index into the scenarios */
	const struct snap_ops *ops;
	char dir[PATH_MAX];
	int first_rep;			/* > 0 with --append */
	int existing;			/* result files already there */
	bool ready;			/* its directory made (and --replace done) */
};

/* One run of the plan: a cell and its repetition, counted from first_rep. */
struct plan_run {
	int cell, k;
};

/*
 * The order the runs go in.  Sequential: cell by cell (scenario, sweep
 * point, strategy), each cell's repetitions one after the other.  Shuffled
 * (the default): in rounds, round k holding repetition k of every cell, in
 * an order shuffled afresh each round by a PRNG seeded from --seed (and
 * never the same cell twice in a row across rounds); so
 * whatever the machine does over the invocation (a build starting beside
 * it, a CPU heating up) falls on every cell alike, not on one strategy or
 * sweep point's batch.  The same --seed gives the same order.
 */
static void order_runs(const struct run_args *a, int nr_cells, struct plan_run *run)
{
	struct rand_state r;
	int n = 0;

	if (a->sequential) {
		for (int c = 0; c < nr_cells; c++)
			for (int k = 0; k < a->reps; k++)
				run[n++] = (struct plan_run){ .cell = c, .k = k };
		return;
	}
	rand_seed(&r, a->seed);
	for (int k = 0; k < a->reps; k++) {
		struct plan_run *round = run + n;

		for (int c = 0; c < nr_cells; c++)
			run[n++] = (struct plan_run){ .cell = c, .k = k };
		for (int i = nr_cells - 1; i > 0; i--) {	/* Fisher-Yates */
			int j = (int)rand_below(&r, (uint64_t)i + 1);
			struct plan_run t = round[i];

			round[i] = round[j];
			round[j] = t;
		}
		/* Nor the same cell twice in a row across rounds. */
		if (k && nr_cells > 1 && round[0].cell == round[-1].cell) {
			struct plan_run t = round[0];

			round[0] = round[1];
			round[1] = t;
		}
	}
}

/* Result files in @dir: how many, and the highest rep-<N> (-1: none). */
static int count_results(const char *dir, int *max_rep)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(dir);

	*max_rep = -1;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char tail[16];
		int rep;

		if (sscanf(e->d_name, "rep-%d%15s", &rep, tail) != 2 || rep < 0 ||
		    (strcmp(tail, ".json") && strcmp(tail, ".hung.json")))
			continue;
		n++;
		if (rep > *max_rep)
			*max_rep = rep;
	}
	closedir(d);
	return n;
}

/* --out must be a directory we can write, or one we can create. */
static void check_out(const char *out, bool create)
{
	char buf[PATH_MAX], probe[PATH_MAX], *slash;
	struct stat st;
	int ret;

	if (create) {
		ret = make_dirs(out);
		if (ret)
			die(EXIT_BAD_INPUT, "--out %s: %s", out, strerror(-ret));
		return;
	}
	/*
	 * Before the plan is checked nothing is created: the nearest existing
	 * ancestor decides (a directory made and removed at once tells).
	 */
	path_printf(buf, "%s", out);
	while (stat(buf, &st)) {
		if (errno != ENOENT)
			die(EXIT_BAD_INPUT, "--out %s: %s", out, strerror(errno));
		slash = strrchr(buf, '/');
		if (!slash)
			path_printf(buf, ".");
		else if (slash == buf)
			buf[1] = '\0';
		else
			*slash = '\0';
	}
	if (!S_ISDIR(st.st_mode))
		die(EXIT_BAD_INPUT, "--out %s: %s", out, strerror(ENOTDIR));
	/* access() says yes to root everywhere, /proc included: try it. */
	path_printf(probe, "%s/.snapbench-check-XXXXXX", buf);
	if (!mkdtemp(probe))
		die(EXIT_BAD_INPUT, "--out %s: %s", out, strerror(errno));
	rmdir(probe);
}

/*
 * Plan the runs: every directory (scenario or sweep point x strategy) and
 * the first repetition in it, before anything runs.  Refuses a name that
 * is not a safe path component, two runs that would share a directory,
 * and results already in a directory unless --append or --replace says
 * what to do with them.  Returns the number of cells, all in @cell.
 */
static int plan_runs(const struct run_args *a, const char *out, struct scenario *sc,
		     const char *const *sweep_value, const char *const *sc_arg, int nr_sc,
		     struct plan_cell *cell)
{
	char comp[PATH_MAX];
	const char *why;
	int n = 0;

	for (int i = 0; i < nr_sc; i++) {
		why = path_component_error(sc[i].name);
		if (why)
			die(EXIT_BAD_INPUT, "--scenario %s: scenario name '%s' cannot name a directory in --out: %s",
			    sc_arg[i], sc[i].name, why);
		if (sweep_value[i]) {
			path_printf(comp, "%s@%s=%s", sc[i].name, a->sweep_key, sweep_value[i]);
			why = strchr(sweep_value[i], '/') ? "it contains '/'" :
			      path_component_error(comp);
			if (why)
				die(EXIT_BAD_INPUT, "--sweep: value '%s' cannot name a directory in --out: %s",
				    sweep_value[i], why);
		} else {
			path_printf(comp, "%s", sc[i].name);
		}
		for (int j = 0; j < a->nr_strategies; j++, n++) {
			struct plan_cell *c = &cell[n];
			int max_rep;

			c->sc = i;
			c->ops = a->strategies[j];
			path_printf(c->dir, "%s/%s/%s", out, comp, c->ops->name);
			for (int k = 0; k < n; k++)
				if (!strcmp(cell[k].dir, c->dir))
					die(EXIT_BAD_INPUT, "%s: two runs of this invocation would write there "
					    "(--scenario %s and %s, --strategy %s%s%s); give each once",
					    c->dir, sc_arg[cell[k].sc], sc_arg[i], c->ops->name,
					    sweep_value[i] ? ", --sweep value " : "",
					    sweep_value[i] ? sweep_value[i] : "");
			c->existing = count_results(c->dir, &max_rep);
			c->first_rep = a->append ? max_rep + 1 : a->first_rep > 0 ? a->first_rep : 0;
			if (c->existing && !a->append && !a->replace)
				die(EXIT_BAD_INPUT, "%s already holds %d result file%s: --append adds "
				    "repetitions after them, --replace replaces them",
				    c->dir, c->existing, c->existing == 1 ? "" : "s");
			if (c->first_rep + a->reps > 1000000)
				die(EXIT_BAD_INPUT, "%s: --append: rep-%d is the last repetition numbered",
				    c->dir, 1000000 - 1);
		}
	}
	return n;
}

/* Remove the result files of @c before its first run (--replace). */
static void replace_results(const struct plan_cell *c)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (!c->existing || !(d = opendir(c->dir)))
		return;
	while ((e = readdir(d))) {
		char tail[16];
		int rep;

		if (sscanf(e->d_name, "rep-%d%15s", &rep, tail) != 2 ||
		    (strcmp(tail, ".json") && strcmp(tail, ".hung.json")))
			continue;
		path_printf(path, "%s/%s", c->dir, e->d_name);
		if (unlink(path))
			die(1, "--replace: %s: %s", path, strerror(errno));
	}
	closedir(d);
	fprintf(stderr, "%s: --replace: removed %d earlier result file%s in %s\n", prog,
		c->existing, c->existing == 1 ? "" : "s", c->dir);
}

static int cmd_run(int argc, char **argv, const char *cmdline)
{
	struct scenario *sc = calloc(RUN_MAX_ITEMS, sizeof(*sc));
	struct plan_cell *cell = calloc(RUN_MAX_ITEMS * RUN_MAX_ITEMS, sizeof(*cell));
	struct run_result *res = malloc(sizeof(*res));
	const char *(*notes)[STORM_NR] = calloc(RUN_MAX_ITEMS, sizeof(*notes));
	struct plan_run *run = NULL;
	char out[PATH_MAX], topology[128], planned[48];
	struct topo_placement placement, *pl = NULL;
	int done = 0, failed = 0, violated = 0, total, i, ret, status, nr_sc, nr_cells;
	const char *sweep_value[RUN_MAX_ITEMS], *sc_arg[RUN_MAX_ITEMS];
	double planned_s = 0;
	char err[RUN_ERR_LEN];
	struct run_args a;
	const char *grace, *accel;
	uint64_t t0;

	if (!sc || !res || !cell || !notes)
		die(1, "out of memory");
	ret = run_args_parse(&a, argc, argv, scenario_dir(), err);
	if (ret)
		die(ret == -EINVAL ? EXIT_BAD_INPUT : 1, "%s", err);
	if (a.help) {
		usage_run(stdout);
		exit(0);
	}
	grace = getenv("SNAPBENCH_STOP_GRACE_S");
	if (grace) {
		bool negative;
		double g;

		if (parse_decimal(grace, &g, &negative) || !(g > 0) || g > 3600)
			die(EXIT_BAD_INPUT, "SNAPBENCH_STOP_GRACE_S: '%s' is not a number of seconds in (0, 3600]",
			    grace);
		stop_grace_ns = (uint64_t)(g * NSEC_PER_SEC);
	}
	/* Every scenario (and sweep point) is checked before anything runs. */
	nr_sc = 0;
	for (i = 0; i < a.nr_scenarios; i++) {
		for (int j = 0; j < (a.sweep_key ? a.nr_sweep_values : 1); j++) {
			if (nr_sc == RUN_MAX_ITEMS)
				die(EXIT_BAD_INPUT, "too many scenarios x sweep values (at most %d)",
				    RUN_MAX_ITEMS);
			sweep_value[nr_sc] = a.sweep_key ? a.sweep_values[j] : NULL;
			sc_arg[nr_sc] = a.scenarios[i];
			load_scenario(&a, a.scenarios[i], sweep_value[nr_sc], &sc[nr_sc]);
			if (a.world->check &&
			    a.world->check(&sc[nr_sc], notes[nr_sc], err, sizeof(err)))
				die(EXIT_BAD_INPUT, "%s", err);
			nr_sc++;
		}
	}

	ret = topology_init();
	if (ret)
		die(1, "hwloc topology: %s", strerror(-ret));
	topology_summary(topology, sizeof(topology));
	if (strcmp(a.placement, "none")) {
		char err[256];

		if (topology_parse(a.placement, &placement, err, sizeof(err)))
			die(EXIT_BAD_INPUT, "--placement: %s", err);
		pl = &placement;
	}

	if (a.out) {
		path_printf(out, "%s", a.out);
	} else {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(out, sizeof(out), "results/%Y%m%d-%H%M%S", &tm);
	}
	check_out(out, false);
	nr_cells = plan_runs(&a, out, sc, sweep_value, sc_arg, nr_sc, cell);
	total = nr_cells * a.reps;
	run = calloc(total, sizeof(*run));
	if (!run)
		die(1, "out of memory");
	for (i = 0; i < nr_cells; i++)
		planned_s += a.reps * (sc[cell[i].sc].warmup_s + sc[cell[i].sc].duration_s);
	format_seconds(planned, sizeof(planned), planned_s);
	if (planned_s >= 120)
		snprintf(planned + strlen(planned), sizeof(planned) - strlen(planned), " (%.0f s)",
			 planned_s);
	/* Created only now: refused input leaves no directory behind. */
	if (!a.check)
		check_out(out, true);
	if (!a.quiet)
		fprintf(stderr, "%s: plan: %d run%s (%d scenario%s x %d strateg%s x %d repetition%s), "
			"at least %s of warm-up and measurement; results in %s\n", prog, total,
			total == 1 ? "" : "s", nr_sc, nr_sc == 1 ? "" : "s", a.nr_strategies,
			a.nr_strategies == 1 ? "y" : "ies", a.reps, a.reps == 1 ? "" : "s",
			planned, out);
	if (a.check) {
		ret = 0;
		goto out;
	}

	accel = a.accel ?: a.world->accelerator ? a.world->accelerator() : NULL;
	install_signals(out);
	prog_line.on = !a.quiet && isatty(STDERR_FILENO);
	prog_line.total = total;
	prog_line.planned_s = planned_s;
	t0 = prog_line.t0 = now_ns();
	order_runs(&a, nr_cells, run);
	for (i = 0; i < total && !runner_stop; i++, done++) {
		struct plan_cell *c = &cell[run[i].cell];
		struct scenario *s = &sc[c->sc];
		struct run_config rc = {
			.world = a.world, .sc = s, .ops = c->ops,
			.seed = a.seed + c->first_rep + run[i].k, .placement = pl,
		};
		struct run_context ctx = {
			.command_line = cmdline, .executable = argv[0],
			.scenario = s->name, .sc = s,
			.strategy = c->ops->name,
			.known_unsafe = c->ops->known_unsafe,
			.strategy_params = c->ops->params,
			.topology = topology,
			.placement = a.placement, .seed = rc.seed,
			.rep = c->first_rep + run[i].k, .reps = c->first_rep + a.reps,
			.order = a.sequential ? "sequential" : "shuffled", .run_index = i,
			.sweep_key = a.sweep_key,
			.sweep_value = sweep_value[c->sc],
			.storm_notes = notes[c->sc],
			.environment = a.world->environment,
			.accelerator = accel,
			.kernel_label = a.kernel_label,
			.calibration = a.calibration,
			.boot = a.boot,
		};

		if (!c->ready) {
			if (a.replace)
				replace_results(c);
			ret = make_dirs(c->dir);
			if (ret)
				die(EXIT_BAD_INPUT, "%s: %s", c->dir, strerror(-ret));
			c->ready = true;
		}
		progress(done, s->name, c->ops->name, ctx.rep);
		status = run_isolated(&rc, &ctx, res, c->dir, prog_line.on);
		if (status == RUN_INTERRUPTED)
			break;
		if (status == RUN_OUTPUT) {	/* the child said why */
			ret = EXIT_BAD_INPUT;
			goto out;
		}
		failed += status == RUN_HUNG || status == RUN_FAILED ||
			  status == RUN_HUNG_VIOLATIONS;
		violated += status == RUN_VIOLATIONS || status == RUN_HUNG_VIOLATIONS;
	}
	if (prog_line.on)
		fprintf(stderr, "\r\033[K");
	if (runner_stop) {
		fprintf(stderr, "%s: interrupted after %d of %d runs; completed results are in %s\n",
			prog, done, total, out);
		ret = 128 + stop_signal;
	} else {
		fprintf(stderr, "%s: %d run%s, %d hung or failed, %d with invariant violations; "
			"results in %s (%.1f s)\n", prog, total, total == 1 ? "" : "s", failed,
			violated, out, (now_ns() - t0) / 1e9);
		ret = violated ? EXIT_VIOLATIONS : failed ? EXIT_HUNG : 0;
	}
out:
	run_args_release(&a);
	free(res);
	free(run);
	free(cell);
	free(notes);
	free(sc);
	return ret;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: snapbench COMMAND [options]\n"
		"  list [--keys]          strategies, storms, scenarios; every scenario key\n"
		"  run --scenario ...     run scenarios x strategies x repetitions (run --help)\n"
		"  micro [gbench flags]   Google Benchmark microbenchmarks of every strategy's ops\n"
		"  kernel build|run ...   patched guest kernels and scenarios in QEMU (kernel --help)\n"
		"  help                   this text\n");
}

/*
 * `snapbench kernel ...` is harness/kernel/run (builds and boots are a
 * matter of processes and files, not of this program); it finds the
 * in-guest runner next to this binary through SNAPBENCH_BIN.
 */
static int cmd_kernel(int argc, char **argv)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			setenv("SNAPBENCH_BIN", self, 0);
		}
	}
	argv[0] = "kernel";
	execv(SNAP_SRCDIR "/harness/kernel/run", argv);
	die(EXIT_BAD_INPUT, "cannot run %s/harness/kernel/run: %s", SNAP_SRCDIR,
	    strerror(errno));
}

int main(int argc, char **argv)
{
	char cmdline[4096];

	command_line(argc, argv, cmdline, sizeof(cmdline));
	if (argc < 2)
		die(EXIT_BAD_INPUT, "a command is required (snapbench help)");
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1, cmdline);
	if (!strcmp(argv[1], "micro"))
		return micro_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kernel"))
		return cmd_kernel(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	die(EXIT_BAD_INPUT, "unknown command '%s' (snapbench help)", argv[1]);
}
