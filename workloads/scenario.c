// SPDX-License-Identifier: GPL-2.0
/*
 * scenario.c - the scenario keys (one table: type, default, limits, unit,
 * documentation), the INI-style file parser and --set overrides.
 *
 * File format: "# comment", "[section]", "key = value".  A key inside
 * [section] is named "section.key"; --set uses the full name.  Every error
 * is one line naming the file, the line and the problem.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/number.h"
#include "strategies/inject.h"
#include "workloads/mm.h"
#include "workloads/scenario.h"
#include "workloads/storm.h"

enum key_type { KEY_ULONG, KEY_UINT, KEY_DOUBLE, KEY_BOOL, KEY_ENUM,
		KEY_DIST, KEY_RATE, KEY_STRING };

struct scenario_key {
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;			/* KEY_STRING: buffer size */
	const char *def;
	double min, max;		/* numbers; dist bounds */
	const char *const *choices;	/* KEY_ENUM, NULL-terminated */
	const char *unit;
	const char *help;
};

static const char *const pattern_choices[] = { "sequential", "random", "hot", NULL };
static const char *const target_choices[] = { "all", "hot", NULL };

#define OFF(field)	offsetof(struct scenario, field)
#define BIG		1e15

/* The keys before the storms' (storm.<name>.*, from the storm table). */
static const struct scenario_key head_keys[] = {
	{ "scenario.description", KEY_STRING, OFF(description), sizeof(((struct scenario *)0)->description),
	  "", 0, 0, NULL, NULL, "one line shown in listings and reports" },
	{ "run.duration_s", KEY_DOUBLE, OFF(duration_s), 0, "1", 0.01, 86400, NULL, "s",
	  "measured time per repetition (--duration overrides)" },
	{ "run.warmup_s", KEY_DOUBLE, OFF(warmup_s), 0, "0.2", 0, 3600, NULL, "s",
	  "time run but not measured, before the measurement" },
	{ "run.watchdog_s", KEY_DOUBLE, OFF(watchdog_s), 0, "10", 0.1, 3600, NULL, "s",
	  "no thread progressing for this long: report who waits on what, stop" },

	{ "mm.pages", KEY_ULONG, OFF(pages), 0, "65536", 16, 1UL << 28, NULL, "pages",
	  "virtual address space mirrored" },
	{ "mm.memory_pages", KEY_ULONG, OFF(memory_pages), 0, "131072", 16, MM_MAX_PFNS, NULL, "pages",
	  "physical memory; fewer than mm.pages puts the model under reclaim" },
	{ "mm.interval_pages", KEY_ULONG, OFF(interval_pages), 0, "0", 0, 1UL << 28, NULL, "pages",
	  "size of the device's notifier subscriptions, a power of two (seqretry notices invalidations per interval); 0: one over the whole mapping, as lib/test_snapbench and lib/test_hmm register theirs" },
	{ "mm.min_free", KEY_ULONG, OFF(min_free), 0, "256", 0, MM_MAX_PFNS, NULL, "pages",
	  "below this many free pages allocations reclaim directly" },
	{ "mm.low_free", KEY_ULONG, OFF(low_free), 0, "1024", 0, MM_MAX_PFNS, NULL, "pages",
	  "below this many free pages kswapd storms reclaim" },
	{ "mm.direct_reclaim_batch", KEY_ULONG, OFF(direct_reclaim_batch), 0, "32", 1, 65536, NULL, "pages",
	  "candidates one direct reclaim attempt scans" },
	{ "mm.cow_permille", KEY_ULONG, OFF(cow_permille), 0, "0", 0, 1000, NULL, "1/1000",
	  "faulted pages mapped copy-on-write; a mirror write then breaks COW" },
	{ "device.invalidate_cost_us", KEY_DOUBLE, OFF(invalidate_cost_us), 0, "0", 0, 1e6, NULL, "us",
	  "time inside the device's invalidate callback (TLB flush, fence wait)" },
	{ "cost.pass_ns", KEY_DOUBLE, OFF(cost.pass_ns), 0, "0", 0, 1e9, NULL, "ns",
	  "model only, from a calibration: time added to each snapshot attempt (the kernel's ioctl and hmm_range_fault set-up)" },
	{ "cost.page_ns", KEY_DOUBLE, OFF(cost.page_ns), 0, "0", 0, 1e9, NULL, "ns/page",
	  "model only, from a calibration: time added per page a snapshot attempt walks" },
	{ "cost.sleep_ns", KEY_DOUBLE, OFF(cost.sleep_ns), 0, "0", 0, 1e9, NULL, "ns",
	  "model only, from a calibration: time added to device work or an invalidate callback the test driver sleeps (10 us or more): its wake-up latency" },
	{ "cost.inval_ns", KEY_DOUBLE, OFF(cost.inval_ns), 0, "0", 0, 1e9, NULL, "ns",
	  "model only, from a calibration: time added inside each invalidation, between its start and end" },
	{ "cost.mmap_ns", KEY_DOUBLE, OFF(cost.mmap_ns), 0, "0", 0, 1e9, NULL, "ns",
	  "model only, from a calibration: time added to each munmap while it holds mmap_lock for write (the VMA work of the kernel's mmap(MAP_FIXED))" },

	{ "mirror.threads", KEY_UINT, OFF(mirror_threads), 0, "2", 1, 64, NULL, "threads",
	  "device threads mirroring ranges" },
	{ "mirror.range_pages", KEY_DIST, OFF(mirror_range), 0, "64", 1, 1UL << 28, NULL, "pages",
	  "pages per mirror pass" },
	{ "mirror.pattern", KEY_ENUM, OFF(pattern), 0, "random", 0, 0, pattern_choices, NULL,
	  "sequential sweep, random ranges, or random ranges inside the hot set" },
	{ "mirror.hot_pages", KEY_ULONG, OFF(hot_pages), 0, "1024", 1, 1UL << 28, NULL, "pages",
	  "the hot set: the first hot_pages pages" },
	{ "mirror.write_permille", KEY_ULONG, OFF(write_permille), 0, "0", 0, 1000, NULL, "1/1000",
	  "passes that need write access (and break COW)" },
	{ "mirror.device_work_ns", KEY_DOUBLE, OFF(device_work_ns), 0, "0", 0, 1e7, NULL, "ns/page",
	  "driver work per page between snapshot and commit (held under a range lock)" },
	{ "mirror.deadline_ms", KEY_DOUBLE, OFF(deadline_ms), 0, "1000", 0.001, 1e7, NULL, "ms",
	  "a pass gives up (-EBUSY) after this; HMM_RANGE_DEFAULT_TIMEOUT is 1000" },
	{ "mirror.deadline_on_fault_only", KEY_BOOL, OFF(deadline_on_fault_only), 0, "no", 0, 0, NULL, NULL,
	  "no: one deadline over all retries (test_hmm, nouveau); yes: checked only when a fault fails (RDMA ODP)" },

};

/* ... and after them. */
static const struct scenario_key tail_keys[] = {
	{ "debug.inject", KEY_STRING, OFF(inject), sizeof(((struct scenario *)0)->inject),
	  "", 0, 0, NULL, NULL,
	  "POINT:yield or POINT:sleep=N(us|ms), comma-separated: widen a race window for tests "
	  "(points: rl2015_before_list rl2015_locked rl2015_before_count rl2015_after_unlock "
	  "rq_queued rq_released; strategies/inject.c); empty: off" },
};

#define NR_HEAD		(sizeof(head_keys) / sizeof(head_keys[0]))
#define NR_TAIL		(sizeof(tail_keys) / sizeof(tail_keys[0]))
#define KEYS_PER_STORM	5
#define NR_KEYS		(NR_HEAD + KEYS_PER_STORM * STORM_NR + NR_TAIL)

/* Every key: head_keys, each storm's keys in the storm table's order, tail_keys. */
static struct scenario_key keys[NR_KEYS];
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static const char *storm_key_name(const struct storm_desc *st, const char *what)
{
	char *name;

	if (asprintf(&name, "storm.%s.%s", st->name, what) < 0)
		abort();
	return name;		/* lives as long as the program */
}

/* The keys of one storm, from its descriptor (storm.h). */
static void storm_keys(struct scenario_key *k, int i)
{
	const struct storm_desc *st = storms[i];
	char *help;

	if (strcmp(st->name, storm_kind_name[i]) || !st->model_op || !st->range.def)
		abort();	/* a storm file whose descriptor is not <file>_storm */
	if (asprintf(&help, "threads running %s; 0 turns it off", st->help) < 0)
		abort();
	k[0] = (struct scenario_key){ storm_key_name(st, "threads"), KEY_UINT,
		OFF(storm[i].threads), 0, "0", 0, 64, NULL, "threads", help };
	k[1] = (struct scenario_key){ storm_key_name(st, "rate"), KEY_RATE,
		OFF(storm[i].rate), 0, "max", 0, 1e9, NULL, "ops/s",
		"operations per second per thread, open loop; max: back to back" };
	k[2] = (struct scenario_key){ storm_key_name(st, "range_pages"), KEY_DIST,
		OFF(storm[i].range), 0, st->range.def, 1, 1UL << 30, NULL, "pages",
		st->range.help };
	k[3] = (struct scenario_key){ storm_key_name(st, "target"), KEY_ENUM,
		OFF(storm[i].target), 0, "all", 0, 0, target_choices, NULL,
		"all: anywhere; hot: inside the mirror's hot set" };
	k[4] = (struct scenario_key){ storm_key_name(st, "try"), KEY_BOOL,
		OFF(storm[i].try_mode), 0, "no", 0, 0, NULL, NULL,
		st->can_try ? "non-blockable invalidation: skip busy candidates (try-to-invalidate)" :
			      "no try mode: only 'no'" };
}

static void keys_build(void)
{
	struct scenario_key *k = keys;

	memcpy(k, head_keys, sizeof(head_keys));
	k += NR_HEAD;
	for (int i = 0; i < STORM_NR; i++, k += KEYS_PER_STORM)
		storm_keys(k, i);
	memcpy(k, tail_keys, sizeof(tail_keys));
}

static void keys_init(void)
{
	pthread_once(&keys_once, keys_build);
}

static void *field(struct scenario *s, const struct scenario_key *k)
{
	return (char *)s + k->offset;
}

static const void *cfield(const struct scenario *s, const struct scenario_key *k)
{
	return (const char *)s + k->offset;
}

static const struct scenario_key *find_key(const char *name)
{
	keys_init();
	for (size_t i = 0; i < NR_KEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, SCENARIO_ERR_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

unsigned long dist_sample(const struct dist *d, struct rand_state *r)
{
	unsigned long lo, span;
	double x;

	switch (d->kind) {
	case DIST_UNIFORM:
		return d->lo + rand_below(r, d->hi - d->lo + 1);
	case DIST_LOG2:
		/* Log-uniform: as many small ranges as large ones per octave. */
		x = log2((double)d->lo) +
		    rand_unit(r) * (log2((double)d->hi + 1) - log2((double)d->lo));
		lo = (unsigned long)exp2(x);
		span = lo < d->lo ? d->lo : lo;
		return span > d->hi ? d->hi : span;
	default:
		return d->lo;
	}
}

static bool parse_ulong_text(const char *v, unsigned long *out)
{
	unsigned long long u;

	if (parse_whole(v, ULONG_MAX, &u))
		return false;
	*out = u;
	return true;
}

static int parse_value(struct scenario *s, const struct scenario_key *k,
		       const char *v, char *err)
{
	unsigned long u, lo, hi;
	bool negative;
	double d;
	int i;

	switch (k->type) {
	case KEY_ULONG:
	case KEY_UINT:
		if (!parse_ulong_text(v, &u))
			return fail(err, "%s: '%s' is not a whole number", k->name, v);
		if (u < k->min || u > k->max)
			return fail(err, "%s: %s is out of range [%.0f, %.0f] %s",
				    k->name, v, k->min, k->max, k->unit);
		if (k->type == KEY_UINT)
			*(unsigned int *)field(s, k) = u;
		else
			*(unsigned long *)field(s, k) = u;
		return 0;
	case KEY_RATE:
		if (!strcmp(v, "max")) {
			*(double *)field(s, k) = 0;
			return 0;
		}
		/* fall through */
	case KEY_DOUBLE:
		if (parse_decimal(v, &d, &negative))
			return fail(err, "%s: '%s' is not a number", k->name, v);
		if (k->type == KEY_RATE && (d <= 0 || negative))
			return fail(err, "%s: rate %s must be positive, or 'max'", k->name, v);
		/* -0 is not below 0, but no key takes a negative number. */
		if (d < k->min || d > k->max || (negative && k->min >= 0))
			return fail(err, "%s: %s is out of range [%g, %g] %s",
				    k->name, v, k->min, k->max, k->unit);
		*(double *)field(s, k) = d;
		return 0;
	case KEY_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
			*(bool *)field(s, k) = true;
		else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
			*(bool *)field(s, k) = false;
		else
			return fail(err, "%s: '%s' is not yes or no", k->name, v);
		return 0;
	case KEY_ENUM:
		for (i = 0; k->choices[i]; i++) {
			if (!strcmp(v, k->choices[i])) {
				*(int *)field(s, k) = i;
				return 0;
			}
		}
		return fail(err, "%s: '%s' is not one of %s%s%s%s%s", k->name, v,
			    k->choices[0], k->choices[1] ? ", " : "",
			    k->choices[1] ? k->choices[1] : "",
			    k->choices[1] && k->choices[2] ? ", " : "",
			    k->choices[1] && k->choices[2] ? k->choices[2] : "");
	case KEY_DIST: {
		struct dist *dist = field(s, k);
		const char *colon = strchr(v, ':'), *dash;
		char num[32];

		if (!colon) {
			if (!parse_ulong_text(v, &lo))
				return fail(err, "%s: '%s' is not N, uniform:A-B or log2:A-B",
					    k->name, v);
			hi = lo;
			dist->kind = DIST_FIXED;
		} else {
			if (!strncmp(v, "uniform:", 8))
				dist->kind = DIST_UNIFORM;
			else if (!strncmp(v, "log2:", 5))
				dist->kind = DIST_LOG2;
			else
				return fail(err, "%s: '%s' is not N, uniform:A-B or log2:A-B",
					    k->name, v);
			dash = strchr(colon, '-');
			if (!dash || (size_t)(dash - colon - 1) >= sizeof(num))
				return fail(err, "%s: '%s' needs A-B", k->name, v);
			memcpy(num, colon + 1, dash - colon - 1);
			num[dash - colon - 1] = '\0';
			if (!parse_ulong_text(num, &lo) || !parse_ulong_text(dash + 1, &hi))
				return fail(err, "%s: '%s' needs whole numbers A-B", k->name, v);
			if (lo > hi)
				return fail(err, "%s: '%s' has A > B", k->name, v);
		}
		if (lo < k->min || hi > k->max)
			return fail(err, "%s: %s is out of range [%.0f, %.0f] %s",
				    k->name, v, k->min, k->max, k->unit);
		dist->lo = lo;
		dist->hi = hi;
		return 0;
	}
	case KEY_STRING:
		if (strlen(v) >= k->size)
			return fail(err, "%s: longer than %zu characters", k->name, k->size - 1);
		strcpy(field(s, k), v);
		return 0;
	}
	return fail(err, "%s: internal error: bad key type", k->name);
}

void scenario_defaults(struct scenario *s)
{
	char err[SCENARIO_ERR_LEN];

	keys_init();
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < NR_KEYS; i++)
		if (parse_value(s, &keys[i], keys[i].def, err))
			abort();	/* a default outside its own limits */
}

static char *trim(char *p)
{
	char *e;

	while (isspace((unsigned char)*p))
		p++;
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return p;
}

/*
 * One line of @f, without its newline, into @line (SCENARIO_MAX_LINE + 1
 * bytes).  Unlike fgets(), it counts what it read, NUL bytes included.
 * Returns: the line's length, EOF at the end of the file or on a read error
 * (see ferror()), or -E2BIG for a longer line.
 */
static int read_line(FILE *f, char *line)
{
	int c, len = 0;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (len == SCENARIO_MAX_LINE)
			return -E2BIG;
		line[len++] = c;
	}
	if (c == EOF && !len)
		return EOF;
	line[len] = '\0';
	return len;
}

#define COST_PREFIX	"cost."

bool scenario_calibrated(const struct scenario *s)
{
	for (size_t i = 0; i < NR_KEYS; i++)
		if (keys[i].type == KEY_DOUBLE &&
		    !strncmp(keys[i].name, COST_PREFIX, strlen(COST_PREFIX)) &&
		    *(const double *)((const char *)s + keys[i].offset))
			return true;
	return false;
}

static int load_file(struct scenario *s, const char *path, const char *only, char *err);

int scenario_load(struct scenario *s, const char *path, char *err)
{
	return load_file(s, path, NULL, err);
}

int scenario_load_calibration(struct scenario *s, const char *path, char *err)
{
	return load_file(s, path, COST_PREFIX, err);
}

/* Read @path over @s; with @only, every key must begin with it. */
static int load_file(struct scenario *s, const char *path, const char *only, char *err)
{
	bool seen[NR_KEYS] = { false };
	char line[SCENARIO_MAX_LINE + 1], section[64] = "", name[160], *p, *eq, *key, *val;
	const struct scenario_key *k;
	int lineno = 0, ret = 0, len, fd;
	struct stat st;
	FILE *f;

	/*
	 * Without O_NONBLOCK, opening a FIFO waits for a writer, for ever;
	 * only a regular file is read (a directory says so, EISDIR).
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, SCENARIO_ERR_LEN, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		if (S_ISDIR(st.st_mode))
			return fail(err, "%s: %s", path, strerror(EISDIR));
		return fail(err, "%s: not a regular file", path);
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, SCENARIO_ERR_LEN, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	errno = 0;	/* set by a read that fails: see ferror() below */
	while ((len = read_line(f, line)) != EOF) {
		lineno++;
		if (len == -E2BIG) {
			ret = fail(err, "%s:%d: line longer than %d characters",
				   path, lineno, SCENARIO_MAX_LINE);
			break;
		}
		if (memchr(line, '\0', len)) {
			ret = fail(err, "%s:%d: a NUL byte: not a text file", path, lineno);
			break;
		}
		p = trim(line);
		if (!*p || *p == '#' || *p == ';')
			continue;
		if (*p == '[') {
			char *close = strchr(p, ']');

			if (!close || close[1] || close - p - 1 <= 0 ||
			    (size_t)(close - p - 1) >= sizeof(section)) {
				ret = fail(err, "%s:%d: malformed section header '%s'",
					   path, lineno, p);
				break;
			}
			*close = '\0';
			strcpy(section, trim(p + 1));
			continue;
		}
		eq = strchr(p, '=');
		if (!eq) {
			ret = fail(err, "%s:%d: expected 'key = value', got '%s'",
				   path, lineno, p);
			break;
		}
		*eq = '\0';
		key = trim(p);
		val = trim(eq + 1);
		snprintf(name, sizeof(name), "%s%s%s", section, *section ? "." : "", key);
		k = find_key(name);
		if (!k) {
			ret = fail(err, "%s:%d: unknown key '%s' (snapbench list --keys)",
				   path, lineno, name);
			break;
		}
		if (only && strncmp(name, only, strlen(only))) {
			ret = fail(err, "%s:%d: '%s' is not a %s* key: a calibration sets the model's costs only",
				   path, lineno, name, only);
			break;
		}
		if (seen[k - keys]) {
			ret = fail(err, "%s:%d: duplicate key '%s'", path, lineno, name);
			break;
		}
		seen[k - keys] = true;
		ret = parse_value(s, k, val, err);
		if (ret) {
			char msg[SCENARIO_ERR_LEN];

			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, SCENARIO_ERR_LEN, "%s:%d: %.200s", path, lineno, msg);
			break;
		}
	}
	if (!ret && ferror(f))	/* a directory: EISDIR */
		ret = fail(err, "%s: %s", path, strerror(errno ? errno : EIO));
	fclose(f);
	return ret;
}

int scenario_set(struct scenario *s, const char *assignment, char *err)
{
	const char *eq = strchr(assignment, '=');
	const struct scenario_key *k;
	char name[160];

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(name))
		return fail(err, "--set '%s': expected key=value", assignment);
	memcpy(name, assignment, eq - assignment);
	name[eq - assignment] = '\0';
	k = find_key(name);
	if (!k)
		return fail(err, "--set: unknown key '%s' (snapbench list --keys)", name);
	return parse_value(s, k, eq + 1, err);
}

/* "kswapd and alloc": the storms that have a try mode, for an error */
static const char *try_storms(void)
{
	static char list[160];
	int n = 0, seen = 0;

	for (int i = 0; i < STORM_NR; i++)
		seen += storms[i]->can_try;
	list[0] = '\0';
	for (int i = 0; i < STORM_NR; i++) {
		if (!storms[i]->can_try)
			continue;
		n++;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 n == 1 ? "" : n == seen ? " and " : ", ", storms[i]->name);
	}
	return list;
}

int scenario_validate(const struct scenario *s, char *err)
{
	char msg[SCENARIO_ERR_LEN - 32];
	unsigned long space;
	int i;

	if (s->hot_pages > s->pages)
		return fail(err, "mirror.hot_pages (%lu) exceeds mm.pages (%lu)",
			    s->hot_pages, s->pages);
	if (s->interval_pages && (s->interval_pages & (s->interval_pages - 1)))
		return fail(err, "mm.interval_pages (%lu) must be a power of two",
			    s->interval_pages);
	if (s->interval_pages > s->pages)
		return fail(err, "mm.interval_pages (%lu) exceeds mm.pages (%lu)",
			    s->interval_pages, s->pages);
	if (s->min_free >= s->memory_pages)
		return fail(err, "mm.min_free (%lu) must be below mm.memory_pages (%lu)",
			    s->min_free, s->memory_pages);
	if (s->low_free < s->min_free)
		return fail(err, "mm.low_free (%lu) must not be below mm.min_free (%lu)",
			    s->low_free, s->min_free);
	if (inject_parse(s->inject, NULL, msg, sizeof(msg)))
		return fail(err, "debug.inject: %s", msg);
	space = s->pattern == PATTERN_HOT ? s->hot_pages : s->pages;
	if (s->mirror_range.hi > space)
		return fail(err, "mirror.range_pages (up to %lu) is larger than the %s (%lu pages)",
			    s->mirror_range.hi,
			    s->pattern == PATTERN_HOT ? "hot set" : "address space", space);
	for (i = 0; i < STORM_NR; i++) {
		const struct storm_params *p = &s->storm[i];

		if (p->try_mode && !storms[i]->can_try)
			return fail(err, "storm.%s.try: only the %s storms have a try mode",
				    storm_kind_name[i], try_storms());
		if (!p->threads)
			continue;
		space = p->target == TARGET_HOT ? s->hot_pages : s->pages;
		if (storms[i]->range.in_space && p->range.hi > space)
			return fail(err, "storm.%s.range_pages (up to %lu) is larger than the %s (%lu pages)",
				    storm_kind_name[i], p->range.hi,
				    p->target == TARGET_HOT ? "hot set" : "address space", space);
	}
	return 0;
}

/*
 * @v as "%g" does, with more digits only where six would round it: result
 * files and SUMMARY lines record the value the run used.
 */
static void format_double(char *buf, size_t len, double v)
{
	for (int digits = 6; digits < 17; digits++) {
		snprintf(buf, len, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, len, "%.17g", v);
}

static void format_value(const struct scenario *s, const struct scenario_key *k,
			 char *buf, size_t len)
{
	const struct dist *d;
	double v;

	switch (k->type) {
	case KEY_ULONG:
		snprintf(buf, len, "%lu", *(const unsigned long *)cfield(s, k));
		break;
	case KEY_UINT:
		snprintf(buf, len, "%u", *(const unsigned int *)cfield(s, k));
		break;
	case KEY_RATE:
		v = *(const double *)cfield(s, k);
		if (v == 0)
			snprintf(buf, len, "max");
		else
			format_double(buf, len, v);
		break;
	case KEY_DOUBLE:
		format_double(buf, len, *(const double *)cfield(s, k));
		break;
	case KEY_BOOL:
		snprintf(buf, len, "%s", *(const bool *)cfield(s, k) ? "yes" : "no");
		break;
	case KEY_ENUM:
		snprintf(buf, len, "%s", k->choices[*(const int *)cfield(s, k)]);
		break;
	case KEY_DIST:
		d = cfield(s, k);
		if (d->kind == DIST_FIXED)
			snprintf(buf, len, "%lu", d->lo);
		else
			snprintf(buf, len, "%s:%lu-%lu",
				 d->kind == DIST_UNIFORM ? "uniform" : "log2", d->lo, d->hi);
		break;
	case KEY_STRING:
		snprintf(buf, len, "%s", (const char *)cfield(s, k));
		break;
	}
}

void scenario_for_each(const struct scenario *s,
		       void (*fn)(const char *key, const char *value, void *arg),
		       void *arg)
{
	char buf[192];

	keys_init();
	for (size_t i = 0; i < NR_KEYS; i++) {
		format_value(s, &keys[i], buf, sizeof(buf));
		fn(keys[i].name, buf, arg);
	}
}

void scenario_print_keys(FILE *out)
{
	keys_init();
	for (size_t i = 0; i < NR_KEYS; i++) {
		const struct scenario_key *k = &keys[i];

		fprintf(out, "%-32s %-10s default %-8s  %s", k->name,
			k->unit ? k->unit : "", *k->def ? k->def : "\"\"", k->help);
		if (k->type == KEY_ENUM) {
			fprintf(out, " (");
			for (int c = 0; k->choices[c]; c++)
				fprintf(out, "%s%s", c ? "|" : "", k->choices[c]);
			fprintf(out, ")");
		}
		fprintf(out, "\n");
	}
}
