// SPDX-License-Identifier: GPL-2.0
/*
 * result.c - one run's result file: Google Benchmark's JSON (context and
 * one benchmark with counters) plus snapbench's histograms, violations and
 * threads, as harness/RESULTS.md describes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "harness/jsonw.h"
#include "harness/result.h"
#include "workloads/storm.h"

#include "revision.h"	/* generated: SNAP_REVISION */

#define RESULT_SCHEMA	1

static const double percentiles[] = { 50, 90, 99, 99.9 };
static const char *const percentile_names[] = { "p50", "p90", "p99", "p999" };

static void iso8601(uint64_t realtime_ns, char *buf, size_t len)
{
	time_t t = realtime_ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

/* "model name" and "cpu MHz" of the first CPU in /proc/cpuinfo. */
static void cpu_info(char *model, size_t len, double *mhz)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(model, len, "unknown");
	*mhz = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "model name", 10) && !strcmp(model, "unknown"))
			snprintf(model, len, "%s", colon + 2);
		else if (!strncmp(line, "cpu MHz", 7) && *mhz == 0)
			sscanf(colon + 1, "%lf", mhz);
	}
	fclose(f);
}

static void write_param(const char *key, const char *value, void *arg)
{
	json_string(arg, key, value);
}

/* role -> CPUs its threads were pinned to, from the thread summaries. */
static void write_placement(struct json *j, const struct run_result *res)
{
	json_object_begin(j, "placement");
	for (unsigned int i = 0; i < res->nr_threads; i++) {
		const char *role = res->thread[i].role;
		bool seen = false;

		for (unsigned int k = 0; k < i; k++)
			seen |= !strcmp(res->thread[k].role, role);
		if (seen)
			continue;
		json_array_begin_inline(j, role);
		for (unsigned int k = i; k < res->nr_threads; k++)
			if (!strcmp(res->thread[k].role, role))
				json_int(j, NULL, res->thread[k].cpu);
		json_array_end(j);
	}
	json_object_end(j);
}

/* How the world ran each storm of the scenario, where it says: storm_notes */
static void write_storm_notes(struct json *j, const struct run_context *ctx)
{
	bool any = false;

	for (int k = 0; ctx->storm_notes && k < STORM_NR; k++)
		any |= ctx->storm_notes[k] != NULL;
	if (!any)
		return;
	json_object_begin(j, "storm_notes");
	for (int k = 0; k < STORM_NR; k++)
		if (ctx->storm_notes[k])
			json_string(j, storm_kind_name[k], ctx->storm_notes[k]);
	json_object_end(j);
}

static void write_context(struct json *j, const struct run_context *ctx,
			  const struct run_result *res)
{
	char host[256] = "unknown", model[128], date[40];
	struct utsname u;
	double mhz;

	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	cpu_info(model, sizeof(model), &mhz);

	json_object_begin(j, "context");
	iso8601(res->start_realtime_ns, date, sizeof(date));
	json_string(j, "date", date);
	json_string(j, "host_name", host);
	json_string(j, "executable", ctx->executable);
	json_int(j, "num_cpus", sysconf(_SC_NPROCESSORS_ONLN));
	json_int(j, "mhz_per_cpu", (int64_t)mhz);
	json_bool(j, "cpu_scaling_enabled", false);
	json_array_begin(j, "caches");
	json_array_end(j);
	json_string(j, "library_build_type", "release");

	json_int(j, "schema", RESULT_SCHEMA);
	json_string(j, "snapbench_revision", SNAP_REVISION);
	json_string(j, "command_line", ctx->command_line);
	json_string(j, "kernel", u.release);
	if (ctx->kernel_label)
		json_string(j, "kernel_label", ctx->kernel_label);
	if (ctx->calibration)
		json_string(j, "calibration", ctx->calibration);
	if (ctx->boot > 0)
		json_int(j, "boot", ctx->boot);
	json_string(j, "environment", ctx->environment ?: "userspace");
	if (ctx->accelerator)
		json_string(j, "accelerator", ctx->accelerator);
	else
		json_null(j, "accelerator");
	json_string(j, "cpu_model", model);
	json_string(j, "topology", ctx->topology);
	json_string(j, "placement_policy", ctx->placement);
	write_placement(j, res);
	json_string(j, "scenario", ctx->scenario);
	write_storm_notes(j, ctx);
	if (ctx->sweep_key) {
		json_object_begin(j, "sweep");
		json_string(j, "param", ctx->sweep_key);
		json_string(j, "value", ctx->sweep_value);
		json_object_end(j);
	}
	json_object_begin(j, "scenario_params");
	scenario_for_each(ctx->sc, write_param, j);
	json_object_end(j);
	json_string(j, "strategy", ctx->strategy);
	json_bool(j, "strategy_known_unsafe", ctx->known_unsafe);
	json_object_begin(j, "strategy_params");
	for (const struct snap_param *p = ctx->strategy_params; p && p->name; p++)
		json_uint(j, p->name, p->value);
	json_object_end(j);
	json_uint(j, "seed", ctx->seed);
	json_int(j, "rep", ctx->rep);
	json_int(j, "reps", ctx->reps);
	if (ctx->order) {
		json_string(j, "order", ctx->order);
		json_int(j, "run_index", ctx->run_index);
	}
	json_string(j, "start_time", date);
	iso8601(res->end_realtime_ns, date, sizeof(date));
	json_string(j, "end_time", date);
	json_double(j, "duration_s", res->duration_s);
	json_bool(j, "hung", res->hung);
	json_string(j, "status", run_result_status(res));
	json_object_end(j);
}

/* A number, or null when there is nothing it could be measured from. */
static void json_double_or_null(struct json *j, const char *key, bool valid, double v)
{
	if (valid)
		json_double(j, key, v);
	else
		json_null(j, key);
}

/*
 * name_p50_ns.kind ... name_max_ns.kind for one histogram; null for each
 * when it holds no sample (n/a, never 0).
 */
static void write_percentiles(struct json *j, const char *name, const char *kind,
			      const struct hist *h)
{
	char key[96];

	for (size_t i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++) {
		snprintf(key, sizeof(key), "%s_%s_ns%s%s", name, percentile_names[i],
			 kind ? "." : "", kind ? kind : "");
		if (h->count)
			json_uint(j, key, hist_percentile(h, percentiles[i]));
		else
			json_null(j, key);
	}
	snprintf(key, sizeof(key), "%s_max_ns%s%s", name, kind ? "." : "", kind ? kind : "");
	if (h->count)
		json_uint(j, key, h->max);
	else
		json_null(j, key);
}

static void write_counters(struct json *j, const struct run_context *ctx,
			   const struct run_result *res)
{
	double attempts = res->passes + res->misses, s = res->duration_s;
	char key[96];
	int k;

	json_uint(j, "passes", res->passes);
	json_double_or_null(j, "passes_per_s", s > 0, s > 0 ? res->passes / s : 0);
	json_double_or_null(j, "retries_per_pass_mean", hist_count(&res->retries),
			    hist_mean(&res->retries));
	json_uint(j, "retries_per_pass_max", res->retries_max);
	json_uint(j, "retry_streak_max", res->retry_streak_max);
	json_uint(j, "fault_retries", res->fault_retries);
	json_uint(j, "fault_retries_per_pass_max", res->fault_retries_max);
	json_uint(j, "deadline_misses", res->misses);
	json_double_or_null(j, "deadline_miss_ratio", attempts > 0,
			    attempts > 0 ? res->misses / attempts : 0);
	write_percentiles(j, "ttm", NULL, &res->ttm_ns);

	for (k = 0; k < MM_INVAL_NR; k++) {
		if (!res->inval[k] && !res->inval_skipped[k])
			continue;
		write_percentiles(j, "stall", mm_inval_kind_name[k], &res->stall_ns[k]);
		snprintf(key, sizeof(key), "invalidations.%s", mm_inval_kind_name[k]);
		json_uint(j, key, res->inval[k]);
		snprintf(key, sizeof(key), "invalidations_skipped.%s", mm_inval_kind_name[k]);
		json_uint(j, key, res->inval_skipped[k]);
	}
	for (k = 0; k < STORM_NR; k++) {
		if (!ctx->sc->storm[k].threads)
			continue;
		write_percentiles(j, "oplat", storm_kind_name[k], &res->oplat_ns[k]);
		snprintf(key, sizeof(key), "ops.%s", storm_kind_name[k]);
		json_uint(j, key, res->ops[k]);
		snprintf(key, sizeof(key), "ops_skipped.%s", storm_kind_name[k]);
		json_uint(j, key, res->ops_skipped[k]);
	}
	json_double_or_null(j, "reclaim_pages_per_s", s > 0, s > 0 ? res->reclaimed / s : 0);
	json_uint(j, "reclaim_skipped", res->reclaim_skipped);
	json_uint(j, "violations", res->violations);
	if (res->mirror_passes_min == -1UL)	/* no mirror thread was joined */
		json_null(j, "mirror_thread_passes_min");
	else
		json_uint(j, "mirror_thread_passes_min", res->mirror_passes_min);
	json_uint(j, "mirror_thread_passes_max", res->mirror_passes_max);
}

/*
 * The one entry, as Google Benchmark writes an iteration of a benchmark run
 * with repetitions: name == run_name (one per scenario, sweep point and
 * strategy, so GB's tools pool the repetitions), an iteration is a mirror
 * pass and real_time / cpu_time are per pass; a hung or failed run is an
 * error, its per-pass times null.
 */
static void write_benchmark(struct json *j, const struct run_context *ctx,
			    const struct run_result *res)
{
	char name[256], msg[160];

	if (ctx->sweep_key)
		snprintf(name, sizeof(name), "%s@%s=%s/%s", ctx->scenario, ctx->sweep_key,
			 ctx->sweep_value, ctx->strategy);
	else
		snprintf(name, sizeof(name), "%s/%s", ctx->scenario, ctx->strategy);
	json_array_begin(j, "benchmarks");
	json_object_begin(j, NULL);
	json_string(j, "name", name);
	json_string(j, "run_name", name);
	json_string(j, "run_type", "iteration");
	json_int(j, "repetitions", ctx->reps);
	json_int(j, "repetition_index", ctx->rep);
	json_int(j, "threads", res->nr_threads);
	if (run_result_failed(res)) {
		if (res->hung)
			snprintf(msg, sizeof(msg), "hung: no thread made progress for %g s",
				 ctx->sc->watchdog_s);
		else
			snprintf(msg, sizeof(msg), "no progress: no mirror pass completed in %.3f s",
				 res->duration_s);
		json_bool(j, "error_occurred", true);
		json_string(j, "error_message", msg);
	}
	json_uint(j, "iterations", res->passes);
	json_double_or_null(j, "real_time", res->passes,
			    res->passes ? res->duration_s * 1e9 / res->passes : 0);
	json_double_or_null(j, "cpu_time", res->passes,
			    res->passes ? (double)res->cpu_ns / res->passes : 0);
	json_string(j, "time_unit", "ns");
	write_counters(j, ctx, res);
	json_object_end(j);
	json_array_end(j);
}

static void write_bucket(uint64_t lo, uint64_t hi, uint64_t count, void *arg)
{
	struct json *j = arg;

	json_array_begin(j, NULL);
	json_uint(j, NULL, lo);
	json_uint(j, NULL, hi);
	json_uint(j, NULL, count);
	json_array_end(j);
}

static void write_hist(struct json *j, const char *name, const char *kind,
		       const char *unit, const struct hist *h)
{
	char key[96];

	snprintf(key, sizeof(key), "%s%s%s", name, kind ? "." : "", kind ? kind : "");
	json_object_begin(j, key);
	json_string(j, "unit", unit);
	json_uint(j, "count", h->count);
	json_uint(j, "min", h->min);
	json_uint(j, "max", h->max);
	json_uint(j, "sum", h->sum);
	json_uint(j, "overflow", h->overflow);
	json_int(j, "significant_bits", HIST_BITS);
	json_array_begin_inline(j, "buckets");
	hist_for_each(h, write_bucket, j);
	json_array_end(j);
	json_object_end(j);
}

static void write_snapbench(struct json *j, const struct run_context *ctx,
			    const struct run_result *res)
{
	int k;

	json_object_begin(j, "snapbench");
	json_object_begin(j, "histograms");
	write_hist(j, "time_to_mirror_ns", NULL, "ns", &res->ttm_ns);
	write_hist(j, "retries_per_pass", NULL, "count", &res->retries);
	for (k = 0; k < MM_INVAL_NR; k++)
		if (res->inval[k] || res->inval_skipped[k])
			write_hist(j, "invalidate_stall_ns", mm_inval_kind_name[k], "ns",
				   &res->stall_ns[k]);
	for (k = 0; k < STORM_NR; k++)
		if (ctx->sc->storm[k].threads)
			write_hist(j, "op_latency_ns", storm_kind_name[k], "ns",
				   &res->oplat_ns[k]);
	json_object_end(j);

	json_array_begin(j, "violations");
	for (unsigned int i = 0; i < res->nr_violations_kept; i++) {
		const struct mm_violation *v = &res->violation[i];

		json_object_begin(j, NULL);
		json_string(j, "kind", v->what);
		json_uint(j, "vpn", v->vpn);
		json_uint(j, "pfn", v->pfn);
		json_uint(j, "device_gen", v->device_gen);
		json_uint(j, "page_gen", v->page_gen);
		json_string(j, "strategy", v->strategy);
		json_string(j, "committer", v->committer);
		json_string(j, "invalidator", v->invalidator);
		json_object_end(j);
	}
	json_array_end(j);

	json_object_begin(j, "strategy_counters");
	for (unsigned int i = 0; i < res->nr_strategy_counters; i++)
		json_uint(j, res->strategy_counter[i].name, res->strategy_counter[i].value);
	json_object_end(j);

	json_array_begin_inline(j, "host_handoff_ns");
	for (k = 0; k < 2; k++)
		json_double_or_null(j, NULL, res->handoff_ns[k] >= 0, res->handoff_ns[k]);
	json_array_end(j);

	json_array_begin(j, "threads");
	for (unsigned int i = 0; i < res->nr_threads; i++) {
		const struct run_thread_summary *t = &res->thread[i];

		json_object_begin(j, NULL);
		json_string(j, "role", t->role);
		json_int(j, "index", t->index);
		json_int(j, "cpu", t->cpu);
		json_uint(j, "ops", t->ops);
		if (t->stuck) {
			json_bool(j, "stuck", true);
			json_string(j, "doing", t->doing);
		}
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

int run_result_init(struct run_result *res)
{
	int ret;

	memset(res, 0, sizeof(*res));
	res->mirror_passes_min = -1UL;	/* lowered by every mirror thread */
	res->handoff_ns[0] = res->handoff_ns[1] = -1;
	ret = hist_init(&res->ttm_ns) ?: hist_init(&res->retries);
	for (int k = 0; !ret && k < MM_INVAL_NR; k++)
		ret = hist_init(&res->stall_ns[k]);
	for (int k = 0; !ret && k < STORM_NR; k++)
		ret = hist_init(&res->oplat_ns[k]);
	return ret;
}

void run_result_release(struct run_result *res)
{
	hist_destroy(&res->ttm_ns);
	hist_destroy(&res->retries);
	for (int k = 0; k < MM_INVAL_NR; k++)
		hist_destroy(&res->stall_ns[k]);
	for (int k = 0; k < STORM_NR; k++)
		hist_destroy(&res->oplat_ns[k]);
}

int result_write(const char *path, const struct run_context *ctx,
		 const struct run_result *res)
{
	struct json j;
	int ret;

	json_init(&j);
	json_object_begin(&j, NULL);
	write_context(&j, ctx, res);
	write_benchmark(&j, ctx, res);
	write_snapbench(&j, ctx, res);
	json_object_end(&j);
	ret = json_finish(&j);
	if (!ret)
		ret = json_write_file_atomic(path, j.buf, j.len);
	json_free(&j);
	return ret;
}
