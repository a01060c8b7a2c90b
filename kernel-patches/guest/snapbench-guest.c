// SPDX-License-Identifier: GPL-2.0
/*
 * snapbench-guest - the scenario runner inside a QEMU guest.
 *
 * The userspace runner (harness/runner.c) drives the strategies against a
 * model of the mm.  This one drives lib/test_snapbench.ko against the real
 * mm of the guest kernel: mirror threads call SNAPBENCH_IOC_MIRROR on ranges
 * of one anonymous mapping while storm threads invalidate the same mapping
 * with real system calls.  It reads the same scenario files and writes the
 * same result files (harness/RESULTS.md), with "environment": "guest".
 *
 * How each storm of a scenario becomes real invalidations:
 *
 *   munmap    mmap(MAP_FIXED) over the range: unmap and remap in one call
 *   madvise   madvise(MADV_DONTNEED)
 *   kswapd    madvise(MADV_PAGEOUT): reclaim through the rmap, to zram swap
 *   alloc     touch and free a private buffer while the process's memcg is
 *             at memory.max (mm.memory_pages): direct reclaim of the mirror
 *   numa      mprotect() read-only and back: MMU_NOTIFY_PROTECTION_VMA, the
 *             invalidation NUMA balancing's change_prot_numa() makes
 *   migrate   move_pages() to the other NUMA node
 *   oom_reap  not reproducible without killing the runner: the storm is
 *             dropped (storm.oom_reap.threads=0 in the result) with a note
 *
 * The reclaim storms need pages to reclaim: a read fault of untouched
 * anonymous memory maps the shared zero page, which reclaim cannot take, so
 * with a kswapd or alloc storm mm.memory_pages pages, spread evenly, are
 * written before the run (reclaim_pages_per_s, from pswpout, says how much
 * was reclaimed).
 *
 * A storm's try mode (reclaim skips folios whose notifiers would block) is
 * the sysctl vm.mmu_notifier_reclaim_try of the series' second patch.
 *
 * What differs from userspace, and is said in the result: the kernel cannot
 * attribute an invalidation's time to the strategy alone, so stall_*.<kind>
 * is the duration of the storm's system call; the driver's own counters
 * (range lock waits, refused non-blockable callbacks) are strategy counters.
 * Mirror passes fault pages in read-only while a numa storm runs (a write
 * fault on a page it made read-only would fail the pass), and
 * mirror.deadline_on_fault_only has no equivalent in the driver: it is
 * refused.
 *
 * A hang.  A thread stuck in one system call or ioctl for run.watchdog_s
 * cannot be killed, so the run cannot end the usual way.  The main thread
 * watches: it names the stuck threads, prints every thread's state, system
 * call, wait channel and kernel stack, asks the kernel for every blocked
 * task and every CPU's backtrace (sysrq w, l), writes what the threads
 * that did stop measured as rep-<N>.hung.json, then creates the file named
 * by $SNAPBENCH_HUNG.  The guest's /init waits for that file or for the
 * payload's exit, whichever comes first, and sends the results home.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "harness/clock.h"
#include "harness/histogram.h"
#include "harness/result.h"
#include "workloads/scenario.h"
#include "test_snapbench.h"	/* from the patched tree's include/uapi/linux */

#define GUEST_DEV	"/dev/test_snapbench"
#define TRY_SYSCTL	"/proc/sys/vm/mmu_notifier_reclaim_try"
#define PAGE_SZ		4096UL
#define MAX_THREADS	64

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE	(1 << 1)
#endif

static const struct {
	const char *name;
	unsigned int id;
} strategies[] = {
	{ "seqretry", SNAPBENCH_STRATEGY_SEQRETRY },
	{ "rangelock", SNAPBENCH_STRATEGY_RANGELOCK },
#ifdef SNAPBENCH_STRATEGY_HYBRID
	{ "hybrid", SNAPBENCH_STRATEGY_HYBRID },
#endif
};
#define NR_STRATEGIES	(sizeof(strategies) / sizeof(strategies[0]))

/* The invalidation each storm makes, for the stall histograms. */
static const enum mm_inval_kind storm_inval[STORM_NR] = {
	[STORM_MUNMAP] = MM_INVAL_MUNMAP,
	[STORM_MADVISE] = MM_INVAL_MADVISE,
	[STORM_KSWAPD] = MM_INVAL_RECLAIM,
	[STORM_ALLOC] = MM_INVAL_DIRECT_RECLAIM,
	[STORM_NUMA] = MM_INVAL_NUMA,
	[STORM_OOM_REAP] = MM_INVAL_OOM_REAP,
	[STORM_MIGRATE] = MM_INVAL_MIGRATE,
};

enum { PH_WARMUP, PH_MEASURE, PH_STOP };

struct grun;

struct gthread {
	struct grun *run;
	pthread_t tid;
	const char *role;
	int index;
	enum storm_kind storm;		/* storm threads */
	uint64_t seed;
	int err;			/* errno of a failed operation */
	unsigned long ops;		/* passes or operations, measured */
	unsigned long misses, retries_max, streak, streak_max;
	unsigned long late, skipped;
	unsigned long failed_efault, failed_ebusy, failed_eintr;	/* mirror */
	struct hist ttm_ns, retries, oplat_ns, stall_ns;
	pid_t tid_nr;			/* for /proc/self/task/<tid> */
	atomic_ullong op_since;		/* now_ns() at the start of the current
					 * operation, 0 between operations */
	atomic_bool done;		/* returned from its main function */
	char doing[64];			/* the current operation, for a hang */
	char *scratch;			/* alloc storm: its own buffer */
};

struct grun {
	const struct scenario *sc;
	int fd;
	char *base;
	size_t len;
	bool mirror_write;
	int nodes;
	uint64_t start_ns;		/* operation 0 of every storm is due */
	atomic_int phase;
	unsigned int nr_threads;
	struct gthread thread[MAX_THREADS];
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("snapbench-guest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void pick(const struct scenario *sc, struct rand_state *r,
		 const struct dist *d, enum target target,
		 unsigned long *start, unsigned long *len)
{
	unsigned long space = target == TARGET_HOT ? sc->hot_pages : sc->pages;

	*len = dist_sample(d, r);
	if (*len > space)
		*len = space;
	*start = rand_below(r, space - *len + 1);
}

static void *mirror_main(void *arg)
{
	struct gthread *t = arg;
	struct grun *run = t->run;
	const struct scenario *sc = run->sc;
	struct rand_state r;
	unsigned long cursor = t->index * (sc->pages / sc->mirror_threads);
	unsigned long start, len;
	int phase, ret;

	t->tid_nr = (pid_t)syscall(SYS_gettid);
	rand_seed(&r, t->seed);
	while ((phase = atomic_load(&run->phase)) != PH_STOP) {
		struct snapbench_mirror m = { 0 };

		if (sc->pattern == PATTERN_SEQUENTIAL) {
			len = dist_sample(&sc->mirror_range, &r);
			if (cursor + len > sc->pages)
				cursor = 0;
			start = cursor;
			cursor += len;
		} else {
			pick(sc, &r, &sc->mirror_range,
			     sc->pattern == PATTERN_HOT ? TARGET_HOT : TARGET_ALL,
			     &start, &len);
		}
		m.addr = (uintptr_t)run->base + start * PAGE_SZ;
		m.npages = len;
		if (run->mirror_write && rand_below(&r, 1000) < sc->write_permille)
			m.flags = SNAPBENCH_MIRROR_WRITE;
		snprintf(t->doing, sizeof(t->doing), "SNAPBENCH_IOC_MIRROR of pages [%lu, %lu)",
			 start, start + len);
		atomic_store(&t->op_since, now_ns());
		ret = ioctl(run->fd, SNAPBENCH_IOC_MIRROR, &m);
		atomic_store(&t->op_since, 0);
		if (ret) {
			/*
			 * Not a pass, and counted: -EFAULT is a fault that
			 * failed (VM_FAULT_OOM or SIGBUS: no memory in the
			 * memcg), -EBUSY and -EINTR a pass given up.  A run
			 * made only of these made no progress.
			 */
			if (errno == EFAULT || errno == EBUSY || errno == EINTR) {
				if (phase == PH_MEASURE)
					++*(errno == EFAULT ? &t->failed_efault :
					    errno == EBUSY ? &t->failed_ebusy :
					    &t->failed_eintr);
				continue;
			}
			t->err = errno;
			break;
		}
		if (phase != PH_MEASURE)
			continue;
		hist_record(&t->retries, m.retries);
		if (m.retries > t->retries_max)
			t->retries_max = m.retries;
		t->streak = m.retries ? t->streak + 1 : 0;
		if (t->streak > t->streak_max)
			t->streak_max = t->streak;
		if (m.deadline_missed && !m.mirrored) {
			t->misses++;	/* gave up at the deadline */
			continue;
		}
		t->late += m.deadline_missed;
		hist_record(&t->ttm_ns, m.time_ns);
		t->ops++;
	}
	atomic_store(&t->done, true);
	return NULL;
}

static int move_range(struct grun *run, char *addr, unsigned long n, int node)
{
	void *pages[512];
	int nodes[512], status[512];
	unsigned long i, done, k;

	for (done = 0; done < n; done += k) {
		k = n - done < 512 ? n - done : 512;
		for (i = 0; i < k; i++) {
			pages[i] = addr + (done + i) * PAGE_SZ;
			nodes[i] = node;
		}
		if (syscall(SYS_move_pages, 0, k, pages, nodes, status, MPOL_MF_MOVE))
			return -errno;
	}
	return 0;
}

/* One storm operation on [addr, addr + n pages). */
static int storm_op(struct gthread *t, char *addr, unsigned long n,
		    unsigned long seq)
{
	size_t bytes = n * PAGE_SZ;
	unsigned long i;

	switch (t->storm) {
	case STORM_MUNMAP:
		if (mmap(addr, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			return -errno;
		return 0;
	case STORM_MADVISE:
		return madvise(addr, bytes, MADV_DONTNEED) ? -errno : 0;
	case STORM_KSWAPD:
		return madvise(addr, bytes, MADV_PAGEOUT) ? -errno : 0;
	case STORM_ALLOC:
		for (i = 0; i < n; i++)
			t->scratch[i * PAGE_SZ] = (char)seq;
		return madvise(t->scratch, bytes, MADV_DONTNEED) ? -errno : 0;
	case STORM_NUMA:
		if (mprotect(addr, bytes, PROT_READ))
			return -errno;
		return mprotect(addr, bytes, PROT_READ | PROT_WRITE) ? -errno : 0;
	case STORM_MIGRATE:
		return move_range(t->run, addr, n, (int)(seq % t->run->nodes));
	default:
		return -EOPNOTSUPP;
	}
}

static void *storm_main(void *arg)
{
	struct gthread *t = arg;
	struct grun *run = t->run;
	const struct storm_params *p = &run->sc->storm[t->storm];
	struct rand_state r;
	unsigned long seq, start, n;
	uint64_t due, begin, end;
	int phase, ret;

	t->tid_nr = (pid_t)syscall(SYS_gettid);
	rand_seed(&r, t->seed);
	for (seq = 0; (phase = atomic_load(&run->phase)) != PH_STOP; seq++) {
		/* Open loop: operation seq is due at start + seq / rate. */
		due = p->rate > 0 ? run->start_ns + (uint64_t)(seq * 1e9 / p->rate)
				  : now_ns();
		sleep_until_ns(due);
		pick(run->sc, &r, &p->range, p->target, &start, &n);
		snprintf(t->doing, sizeof(t->doing), "%s of pages [%lu, %lu)",
			 storm_kind_name[t->storm], start, start + n);
		begin = now_ns();
		atomic_store(&t->op_since, begin);
		ret = storm_op(t, run->base + start * PAGE_SZ, n, seq);
		atomic_store(&t->op_since, 0);
		end = now_ns();
		if (ret == -EAGAIN || ret == -EBUSY || ret == -ENOMEM) {
			t->skipped += phase == PH_MEASURE;
			continue;
		}
		if (ret) {
			t->err = -ret;
			break;
		}
		if (phase != PH_MEASURE || due < run->start_ns)
			continue;
		hist_record(&t->oplat_ns, end - due);
		hist_record(&t->stall_ns, end - begin);
		t->ops++;
	}
	atomic_store(&t->done, true);
	return NULL;
}

/* A /proc/vmstat counter; a missing one is said once, and read as 0. */
static unsigned long read_vmstat(const char *name)
{
	static bool warned;
	char key[64];
	unsigned long v, found = 0;
	bool seen = false;
	FILE *f = fopen("/proc/vmstat", "r");

	if (f) {
		while (fscanf(f, "%63s %lu", key, &v) == 2) {
			if (!strcmp(key, name)) {
				found = v;
				seen = true;
			}
		}
		fclose(f);
	}
	if (!seen && !warned) {
		fprintf(stderr, "snapbench-guest: no %s in /proc/vmstat (CONFIG_VM_EVENT_COUNTERS?): "
			"reclaim counters read as 0\n", name);
		warned = true;
	}
	return found;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		die("cannot write %s to %s: %s", text, path, strerror(errno));
	close(fd);
}

#define MEMCG_DIR	"/sys/fs/cgroup/snapbench"

/*
 * A memcg whose memory.max makes allocations reclaim the mirror's pages.
 * Only the run's process joins it (join_memcg(), in the child): the parent
 * stays outside, so that it can still allocate, and report, when a run
 * in the memcg cannot free memory.
 */
static void make_memcg(unsigned long pages)
{
	char path[96], text[32];

	if (mkdir(MEMCG_DIR, 0755) && errno != EEXIST)
		die("cannot create memcg %s: %s", MEMCG_DIR, strerror(errno));
	write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	snprintf(path, sizeof(path), "%s/memory.max", MEMCG_DIR);
	snprintf(text, sizeof(text), "%lu", pages * PAGE_SZ);
	write_file(path, text);
}

static void join_memcg(void)
{
	char text[32];

	snprintf(text, sizeof(text), "%d", getpid());
	write_file(MEMCG_DIR "/cgroup.procs", text);
}

/* The next scenario must not inherit the limit. */
static void remove_memcg(void)
{
	if (rmdir(MEMCG_DIR))
		die("cannot remove memcg %s: %s", MEMCG_DIR, strerror(errno));
}

/* oom_kill of the run's memcg (0 outside one) */
static unsigned long memcg_oom_kills(void)
{
	char key[64];
	unsigned long v, kills = 0;
	FILE *f = fopen(MEMCG_DIR "/memory.events", "r");

	if (!f)
		return 0;
	while (fscanf(f, "%63s %lu", key, &v) == 2)
		if (!strcmp(key, "oom_kill"))
			kills = v;
	fclose(f);
	return kills;
}

static int count_nodes(void)
{
	char path[64];
	int n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK))
			return n ? n : 1;
		n++;
	}
}

static void add_counter(struct run_result *res, const char *name,
			unsigned long value)
{
	unsigned int i = res->nr_strategy_counters;

	if (i >= sizeof(res->strategy_counter) / sizeof(res->strategy_counter[0])) {
		fprintf(stderr, "snapbench-guest: no room for counter %s\n", name);
		abort();
	}
	snprintf(res->strategy_counter[i].name,
		 sizeof(res->strategy_counter[i].name), "%s", name);
	res->strategy_counter[i].value = value;
	res->nr_strategy_counters++;
}

/*
 * The range lock's arrival order and wake-up counters, measured from @st0 to
 * @st1, under the names the userspace strategies give them (order.*,
 * wakeup.*: harness/RESULTS.md), so that the reports judge the kernel's
 * rangelock and hybrid as they judge the model's.  seqretry never waits in
 * the lock and reports none, as in userspace.  The maxima cover the
 * measurement (SNAPBENCH_IOC_STATS restarts them at @st0); lost wake-ups are
 * the waiters asleep at @st1.  Kernel only: nested_passes (waits passed by
 * an invalidation nested in a holder's critical section, not overtakes) and
 * lost_asleep_max_ns.
 */
static void add_order_counters(struct run_result *res, unsigned int sid,
			       const struct snapbench_stats *st0,
			       const struct snapbench_stats *st1)
{
	const struct {
		const char *kind;
		const struct snapbench_order_stats *a, *b;
	} k[] = {
		{ "snapshot", &st0->rl_read_order, &st1->rl_read_order },
		{ "inval", &st0->rl_inval_order, &st1->rl_inval_order },
	};
	char name[40];		/* as run_result's counter names */

	if (sid == SNAPBENCH_STRATEGY_SEQRETRY)
		return;
	for (unsigned int i = 0; i < 2; i++) {
		const struct snapbench_order_stats *a = k[i].a, *b = k[i].b;

#define ORDER_COUNTER(fmt, value) \
		do { \
			snprintf(name, sizeof(name), fmt, k[i].kind); \
			add_counter(res, name, (value)); \
		} while (0)
		ORDER_COUNTER("order.%s.granted", b->granted - a->granted);
		ORDER_COUNTER("order.%s.overtaken", b->overtaken - a->overtaken);
		ORDER_COUNTER("order.%s.overtakes", b->overtakes - a->overtakes);
		ORDER_COUNTER("order.%s.overtakes_max", b->overtakes_max);
		ORDER_COUNTER("order.%s.overtakes_max_wait_ns", b->overtakes_max_wait_ns);
		ORDER_COUNTER("order.%s.nested_passes", b->nested_passes - a->nested_passes);
		ORDER_COUNTER("wakeup.%s.delay_max_ns", b->wake_delay_max_ns);
		ORDER_COUNTER("wakeup.%s.late", b->late_wakeups - a->late_wakeups);
		ORDER_COUNTER("wakeup.%s.lost", b->lost_wakeups);
		ORDER_COUNTER("wakeup.%s.lost_asleep_max_ns", b->lost_asleep_max_ns);
#undef ORDER_COUNTER
	}
	add_counter(res, "wakeup.lost_threshold_ns", st1->rl_lost_threshold_ns);
}

static int thread_init(struct gthread *t)
{
	return hist_init(&t->ttm_ns) ?: hist_init(&t->retries) ?:
	       hist_init(&t->oplat_ns) ?: hist_init(&t->stall_ns);
}

static void thread_release(struct gthread *t)
{
	hist_destroy(&t->ttm_ns);
	hist_destroy(&t->retries);
	hist_destroy(&t->oplat_ns);
	hist_destroy(&t->stall_ns);
	if (t->scratch)
		munmap(t->scratch, t->run->sc->storm[STORM_ALLOC].range.hi * PAGE_SZ);
}

/*
 * Sleep until @until_ns, or with 0 until every thread has returned, looking
 * every 100 ms for a thread inside one operation for longer than
 * run.watchdog_s.  Returns: the first such thread, or NULL.
 */
static struct gthread *watch(struct grun *run, uint64_t until_ns)
{
	uint64_t limit = (uint64_t)(run->sc->watchdog_s * 1e9), now, since;
	unsigned int i;
	bool all_done;

	for (;;) {
		now = now_ns();
		all_done = true;
		for (i = 0; i < run->nr_threads; i++) {
			struct gthread *t = &run->thread[i];

			since = atomic_load(&t->op_since);
			if (since && now > since + limit)
				return &run->thread[i];
			all_done &= atomic_load(&t->done);
		}
		if (until_ns ? now >= until_ns : all_done)
			return NULL;
		now += 100000000;
		sleep_until_ns(until_ns && until_ns < now ? until_ns : now);
	}
}

/* Copy /proc/<tid>/<what> to stderr, each line after @prefix. */
static void print_task_file(pid_t tid, const char *what, const char *prefix)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, what);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s(no %s: %s)\n", prefix, path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "%s%s%s", prefix, line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/*
 * The watchdog fired: say which threads are stuck where, in userspace and
 * in the kernel, and have the kernel list every blocked task.
 */
/*
 * Ask the kernel for the stacks of every blocked task (sysrq w) and of what
 * runs on every CPU (sysrq l), to the console: a thread that loops in the
 * kernel holding a lock is as visible as one that sleeps.
 */
static void sysrq_stacks(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0 || write(fd, "w", 1) != 1 || write(fd, "l", 1) != 1)
		fprintf(stderr, "snapbench-guest: no sysrq: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * One thread: its scheduler state (R running, S/D sleeping), the system call
 * it is in ("running" for any runnable task, in the kernel or not), its
 * wait channel and kernel stack.
 */
static void print_thread(pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1])
		fprintf(stderr, "  state: %c\n", p[2]);
	if (f)
		fclose(f);
	print_task_file(tid, "syscall", "  syscall: ");
	print_task_file(tid, "wchan", "  wchan: ");
	print_task_file(tid, "stack", "  ");
}

/* Every thread of process @pid, whatever its state, then sysrq w and l. */
static void print_process_stacks(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		fprintf(stderr, "snapbench-guest: thread %s of pid %d\n", d->d_name, (int)pid);
		print_thread((pid_t)atoi(d->d_name));
	}
	if (dir)
		closedir(dir);
	fflush(stderr);
	sysrq_stacks();
}

/*
 * Once a run hangs, before anything allocates: in a memcg at its limit an
 * allocation reclaims, and reclaim of the mirror's pages waits on whatever
 * the stuck threads hold, so the report and the partial result would hang
 * too.
 */
static void lift_memcg_limit(void)
{
	int fd = open(MEMCG_DIR "/memory.max", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "max", 3) != 3)
		fprintf(stderr, "snapbench-guest: cannot lift memory.max: %s\n", strerror(errno));
	close(fd);
}

static void report_hang(struct grun *run, const char *scenario, const char *strategy,
			int rep)
{
	uint64_t now = now_ns(), since;
	unsigned int i;

	fprintf(stderr, "snapbench-guest: %s/%s rep %d hung: a thread made no progress for %g s\n",
		scenario, strategy, rep, run->sc->watchdog_s);
	fflush(stderr);
	sysrq_stacks();		/* as the limit holds the run, before lifting it */
	lift_memcg_limit();
	for (i = 0; i < run->nr_threads; i++) {
		struct gthread *t = &run->thread[i];

		if (atomic_load(&t->done))
			continue;
		since = atomic_load(&t->op_since);
		if (!since)
			continue;
		fprintf(stderr, "snapbench-guest: stuck: %s-%d (tid %d) in %s for %.1f s\n",
			t->role, t->index, (int)t->tid_nr, t->doing,
			(double)(now - since) / 1e9);
	}
	fflush(stderr);
	print_process_stacks(getpid());
}

/*
 * One run of @sc with strategy @sid (named @strategy), repetition @rep;
 * fills @res.  Returns: 0; -ETIMEDOUT when a thread hung (@res has what the
 * others measured; the stuck threads, the mapping and the device are left
 * alone); -errno of a failed operation.
 */
static int run_one(const struct scenario *sc, unsigned int sid, const char *strategy,
		   int rep, uint64_t seed, struct run_result *res)
{
	struct grun *run = calloc(1, sizeof(*run));
	struct snapbench_config cfg = {
		.strategy = sid,
		.invalidate_cost_ns = (uint32_t)(sc->invalidate_cost_us * 1000),
		.deadline_ns = (uint64_t)(sc->deadline_ms * 1e6),
		.device_work_ns = (uint32_t)sc->device_work_ns,
	};
	struct snapbench_stats st0, st1;
	struct gthread *stuck;
	unsigned long skip0, skip1, swp0, swp1, late = 0;
	unsigned long f_efault = 0, f_ebusy = 0, f_eintr = 0;
	unsigned int i;
	int k, ret = 0;

	if (!run)
		return -ENOMEM;
	run->sc = sc;
	run->nodes = count_nodes();
	run->mirror_write = !sc->storm[STORM_NUMA].threads;
	run->len = sc->pages * PAGE_SZ;
	run->base = mmap(NULL, run->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (run->base == MAP_FAILED)
		die("cannot map %lu pages: %s", sc->pages, strerror(errno));
	/*
	 * A read fault of untouched anonymous memory maps the shared zero
	 * page, which reclaim cannot take: give the reclaim storms real pages,
	 * mm.memory_pages of them spread evenly over the mapping, which fills
	 * the memcg to its limit without swapping most of them out first.
	 */
	if (sc->storm[STORM_KSWAPD].threads || sc->storm[STORM_ALLOC].threads) {
		unsigned long stride = sc->pages / (sc->memory_pages < sc->pages ?
						    sc->memory_pages : sc->pages);

		for (unsigned long pg = 0; pg < sc->pages; pg += stride)
			run->base[pg * PAGE_SZ] = (char)(pg | 1);
	}
	/* The device is bound to the mm at open: one device per run. */
	run->fd = open(GUEST_DEV, O_RDWR);
	if (run->fd < 0)
		die("cannot open %s: %s (is test_snapbench loaded?)", GUEST_DEV,
		    strerror(errno));
	if (ioctl(run->fd, SNAPBENCH_IOC_CONFIG, &cfg))
		die("SNAPBENCH_IOC_CONFIG: %s", strerror(errno));

	for (i = 0; i < sc->mirror_threads; i++) {
		struct gthread *t = &run->thread[run->nr_threads++];

		t->role = "mirror";
		t->index = i;
	}
	for (k = 0; k < STORM_NR; k++) {
		for (i = 0; i < sc->storm[k].threads; i++) {
			struct gthread *t = &run->thread[run->nr_threads++];

			t->role = storm_kind_name[k];
			t->index = i;
			t->storm = k;
			if (k != STORM_ALLOC)
				continue;
			t->scratch = mmap(NULL, sc->storm[k].range.hi * PAGE_SZ,
					  PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (t->scratch == MAP_FAILED)
				die("cannot map the alloc storm's buffer: %s",
				    strerror(errno));
		}
	}
	for (i = 0; i < run->nr_threads; i++) {
		run->thread[i].run = run;
		run->thread[i].seed = seed * 1000003 + i;
		if (thread_init(&run->thread[i]))
			die("out of memory");
	}

	atomic_store(&run->phase, PH_WARMUP);
	run->start_ns = now_ns() + (uint64_t)(sc->warmup_s * 1e9);
	for (i = 0; i < run->nr_threads; i++) {
		struct gthread *t = &run->thread[i];

		if (pthread_create(&t->tid, NULL,
				   strcmp(t->role, "mirror") ? storm_main : mirror_main, t))
			die("cannot start thread %u", i);
	}
	sleep_until_ns(run->start_ns);
	if (ioctl(run->fd, SNAPBENCH_IOC_STATS, &st0))
		die("SNAPBENCH_IOC_STATS: %s", strerror(errno));
	skip0 = read_vmstat("pgskip_mmu_notifier");
	swp0 = read_vmstat("pswpout");
	res->start_realtime_ns = realtime_ns();
	atomic_store(&run->phase, PH_MEASURE);
	stuck = watch(run, run->start_ns + (uint64_t)(sc->duration_s * 1e9));
	atomic_store(&run->phase, PH_STOP);
	res->end_realtime_ns = realtime_ns();
	res->duration_s = (double)(now_ns() - run->start_ns) / 1e9;
	if (!stuck)
		stuck = watch(run, 0);
	if (stuck) {
		report_hang(run, sc->name, strategy, rep);
		/* What the others measured: give them a moment to stop. */
		sleep_until_ns(now_ns() + 1000000000);
		res->hung = true;
	}
	for (i = 0; i < run->nr_threads; i++)
		if (atomic_load(&run->thread[i].done))
			pthread_join(run->thread[i].tid, NULL);
	if (ioctl(run->fd, SNAPBENCH_IOC_STATS, &st1))
		die("SNAPBENCH_IOC_STATS: %s", strerror(errno));
	skip1 = read_vmstat("pgskip_mmu_notifier");
	swp1 = read_vmstat("pswpout");

	res->mirror_passes_min = ULONG_MAX;
	for (i = 0; i < run->nr_threads; i++) {
		struct gthread *t = &run->thread[i];
		struct run_thread_summary *ts = &res->thread[res->nr_threads++];

		ts->role = t->role;
		ts->index = t->index;
		ts->cpu = -1;
		if (!atomic_load(&t->done)) {
			/* Still running or stuck: its counters are not ours to read. */
			ts->stuck = true;
			snprintf(ts->doing, sizeof(ts->doing), "%s", t->doing);
			continue;
		}
		ts->ops = t->ops;
		if (t->err) {
			fprintf(stderr, "snapbench-guest: %s-%d failed: %s\n",
				t->role, t->index, strerror(t->err));
			ret = -t->err;
		}
		if (!strcmp(t->role, "mirror")) {
			hist_merge(&res->ttm_ns, &t->ttm_ns);
			hist_merge(&res->retries, &t->retries);
			res->passes += t->ops;
			res->misses += t->misses;
			if (t->retries_max > res->retries_max)
				res->retries_max = t->retries_max;
			if (t->streak_max > res->retry_streak_max)
				res->retry_streak_max = t->streak_max;
			if (t->ops < res->mirror_passes_min)
				res->mirror_passes_min = t->ops;
			if (t->ops > res->mirror_passes_max)
				res->mirror_passes_max = t->ops;
			late += t->late;
			f_efault += t->failed_efault;
			f_ebusy += t->failed_ebusy;
			f_eintr += t->failed_eintr;
		} else {
			enum mm_inval_kind ik = storm_inval[t->storm];

			hist_merge(&res->oplat_ns[t->storm], &t->oplat_ns);
			hist_merge(&res->stall_ns[ik], &t->stall_ns);
			res->ops[t->storm] += t->ops;
			res->ops_skipped[t->storm] += t->skipped;
			res->inval[ik] += t->ops;
			res->inval_skipped[ik] += t->skipped;
		}
		thread_release(t);
	}
	if (res->mirror_passes_min == ULONG_MAX)
		res->mirror_passes_min = 0;	/* every mirror thread stuck */
	add_counter(res, "late_passes", late);
	add_counter(res, "mirror_failed_efault", f_efault);
	add_counter(res, "mirror_failed_ebusy", f_ebusy);
	add_counter(res, "mirror_failed_eintr", f_eintr);
	res->reclaim_skipped = skip1 - skip0;
	/*
	 * Pages reclaimed: the mirrored memory is anonymous and swap is zram,
	 * so every page reclaim takes from it (memcg memory.max, kswapd,
	 * MADV_PAGEOUT) is a swap-out; pgsteal_* would miss MADV_PAGEOUT.
	 */
	res->reclaimed = swp1 - swp0;
	res->violations = st1.violations - st0.violations;
	add_counter(res, "locked_passes", st1.locked_passes - st0.locked_passes);
	add_counter(res, "invalidations", st1.invalidations - st0.invalidations);
	add_counter(res, "invalidate_refused",
		    st1.invalidate_refused - st0.invalidate_refused);
	add_counter(res, "rl_read_wait_ns", st1.rl_read_wait_ns - st0.rl_read_wait_ns);
	add_counter(res, "rl_invalidate_waits",
		    st1.rl_invalidate_waits - st0.rl_invalidate_waits);
	add_counter(res, "rl_invalidate_stall_ns",
		    st1.rl_invalidate_stall_ns - st0.rl_invalidate_stall_ns);
	add_counter(res, "rl_invalidate_stall_max_ns", st1.rl_invalidate_stall_max_ns);
	add_counter(res, "rl_invalidate_nested",
		    st1.rl_invalidate_nested - st0.rl_invalidate_nested);
	add_counter(res, "rl_invalidate_eagain",
		    st1.rl_invalidate_eagain - st0.rl_invalidate_eagain);
	add_order_counters(res, sid, &st0, &st1);

	if (res->hung)
		return -ETIMEDOUT;
	close(run->fd);
	munmap(run->base, run->len);
	free(run);
	return ret;
}

static void load_scenario(struct scenario *sc, const char *name,
			  const char *dir, char **sets, int nsets)
{
	char path[PATH_MAX], err[SCENARIO_ERR_LEN];
	const char *base;
	int i;

	scenario_defaults(sc);
	if ((size_t)snprintf(path, sizeof(path), strchr(name, '/') ? "%s%s" : "%s/%s.ini",
			     strchr(name, '/') ? "" : dir, name) >= sizeof(path))
		die("scenario path too long: %s", name);
	if (scenario_load(sc, path, err))
		die("%s", err);
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(sc->name, sizeof(sc->name), "%.*s", (int)strcspn(base, "."), base);
	for (i = 0; i < nsets; i++)
		if (scenario_set(sc, sets[i], err))
			die("%s", err);
	if (scenario_validate(sc, err))
		die("%s", err);
	if (sc->storm[STORM_OOM_REAP].threads) {
		fprintf(stderr, "snapbench-guest: scenario %s: no oom_reap storm in a guest, running without it\n",
			sc->name);
		sc->storm[STORM_OOM_REAP].threads = 0;
	}
	if (sc->deadline_on_fault_only)
		die("scenario %s: mirror.deadline_on_fault_only is not modelled by the test driver",
		    sc->name);
}

/*
 * OUT/<scenario>/<strategy>/rep-<N>.json, or rep-<N>.hung.json, creating
 * the directories.
 */
static int result_path(char *path, const char *out, const char *scenario,
		       const char *strategy, int rep, bool hung)
{
	if ((size_t)snprintf(path, PATH_MAX, "%s/%s/%s/rep-%d%s.json", out, scenario,
			     strategy, rep, hung ? ".hung" : "") >= PATH_MAX)
		return -ENAMETOOLONG;
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return 0;
}

/*
 * After a hang: the stuck threads cannot be killed, so this process cannot
 * exit.  Tell /init, which waits for $SNAPBENCH_HUNG or for the exit, and
 * sleep until the guest powers off.
 */
static void __attribute__((noreturn)) park(const char *path)
{
	const char *marker = getenv("SNAPBENCH_HUNG");
	int fd;

	fprintf(stderr, "snapbench-guest: %s%s; no more runs in this boot\n",
		path ? "partial result: " : "no result file for this run", path ?: "");
	fflush(stdout);
	fflush(stderr);
	if (marker) {
		fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
	}
	for (;;)
		pause();
}

/* snapbench.accel=kvm|tcg, which harness/kernel/boot puts on the command line */
static char *cmdline_accel(void)
{
	static char buf[4096], accel[8];
	FILE *f = fopen("/proc/cmdline", "r");
	char *p;

	if (!f)
		return NULL;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strstr(buf, "snapbench.accel=")))
		return NULL;
	if (sscanf(p, "snapbench.accel=%7[a-z]", accel) != 1)
		return NULL;
	return accel;
}

/* Mirror ioctls that failed and were not passes (the mirror_failed_* counters) */
static unsigned long failed_passes(const struct run_result *res)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < res->nr_strategy_counters; i++)
		if (!strncmp(res->strategy_counter[i].name, "mirror_failed_", 14))
			n += res->strategy_counter[i].value;
	return n;
}

static void summary(const struct run_context *ctx, const struct run_result *res,
		    const char *status)
{
	printf("SUMMARY environment=guest accelerator=%s scenario=%s strategy=%s rep=%d seed=%llu "
	       "passes=%lu failed_passes=%lu deadline_misses=%lu retries_max=%lu ttm_p99_ns=%llu "
	       "violations=%lu status=%s\n",
	       ctx->accelerator ?: "unknown", ctx->scenario, ctx->strategy, ctx->rep,
	       (unsigned long long)ctx->seed, res->passes, failed_passes(res), res->misses, res->retries_max,
	       (unsigned long long)hist_percentile(&res->ttm_ns, 99), res->violations, status);
	fflush(stdout);
}

/*
 * One run, written to its result file: 0, or 1 when it failed, found
 * violations or made no mirror pass ("no-progress": 0 violations in 0
 * passes proves nothing, so such a run is never ok).
 */
static int one_rep(const struct run_context *ctx, unsigned int sid, const char *out)
{
	struct run_result res = { 0 };
	char path[PATH_MAX];
	int ret, wret = 0, status;

	/* The console shows how far a guest got if it hangs. */
	fprintf(stderr, "snapbench-guest: %s/%s rep %d\n", ctx->scenario, ctx->strategy, ctx->rep);
	if (run_result_init(&res))
		die("out of memory");
	ret = run_one(ctx->sc, sid, ctx->strategy, ctx->rep, ctx->seed, &res);
	if (!ret || ret == -ETIMEDOUT)
		wret = result_path(path, out, ctx->scenario, ctx->strategy, ctx->rep, res.hung);
	if (!wret && (wret = result_write(path, ctx, &res)))
		fprintf(stderr, "snapbench-guest: %s: %s\n", path, strerror(-wret));
	ret = ret ?: wret;
	summary(ctx, &res, res.hung ? "hung" : ret ? "failed" : !res.passes ? "no-progress" : "ok");
	if (res.hung)
		park(path);
	status = ret || res.violations || !res.passes;
	run_result_release(&res);
	return status;
}

/*
 * Each run is a child process, so that a run the memcg OOM killer ends
 * (rangelock in a memcg at memory.max: DESIGN-rangelock.md, "Known hazards")
 * is reported as that run's failure and the runs after it still run.  Only
 * the child is in the memcg.
 */
/* How long a hung run gets to end once its memcg's limit is lifted */
#define LIFTED_WAIT_NS	(10 * 1000000000ULL)

static int run_in_child(const struct run_context *ctx, unsigned int sid, const char *out)
{
	unsigned long kills = memcg_oom_kills();
	struct run_result none = { 0 };
	uint64_t due;
	int status;
	pid_t pid, got;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		if (ctx->sc->storm[STORM_ALLOC].threads)
			join_memcg();
		exit(one_rep(ctx, sid, out));
	}
	/*
	 * The child's own watchdog reports a hang, unless the child cannot run
	 * it: killed (by the OOM killer) while its threads sleep in the kernel
	 * for good, it never exits.  Then the parent reports and parks, so that
	 * the boot ends at once and the earlier runs' files go home.
	 */
	due = now_ns() + (uint64_t)((ctx->sc->warmup_s + ctx->sc->duration_s +
				     3 * ctx->sc->watchdog_s + 30) * 1e9);
	while ((got = waitpid(pid, &status, WNOHANG)) <= 0) {
		if (got < 0 && errno != EINTR)
			die("waitpid: %s", strerror(errno));
		if (now_ns() > due) {
			/*
			 * The parent is outside the memcg: it can report
			 * before lifting the limit, so the stacks show the
			 * run as the limit held it; then whether lifting it
			 * lets the run end says if the limit was the cause.
			 */
			fprintf(stderr, "snapbench-guest: %s/%s rep %d hung: its process (pid %d%s) "
				"has not exited long after the run was due to end\n", ctx->scenario,
				ctx->strategy, ctx->rep, (int)pid,
				memcg_oom_kills() > kills ? ", killed by the memcg OOM killer" : "");
			print_process_stacks(pid);
			lift_memcg_limit();
			due = now_ns() + LIFTED_WAIT_NS;
			while ((got = waitpid(pid, &status, WNOHANG)) == 0 && now_ns() < due)
				sleep_until_ns(now_ns() + 100000000);
			summary(ctx, &none, "hung");
			if (got == pid) {
				fprintf(stderr, "snapbench-guest: %s/%s rep %d: its process ended within "
					"%g s once memory.max was lifted\n", ctx->scenario, ctx->strategy,
					ctx->rep, LIFTED_WAIT_NS / 1e9);
				return 1;
			}
			fprintf(stderr, "snapbench-guest: %s/%s rep %d: still stuck %g s after "
				"memory.max was lifted\n", ctx->scenario, ctx->strategy, ctx->rep,
				LIFTED_WAIT_NS / 1e9);
			print_process_stacks(pid);
			park(NULL);
		}
		sleep_until_ns(now_ns() + 100000000);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status) != 0;
	if (WTERMSIG(status) == SIGKILL && memcg_oom_kills() > kills) {
		fprintf(stderr, "snapbench-guest: %s/%s rep %d: killed by the memcg OOM killer "
			"(memory.max %lu pages); no result file\n", ctx->scenario, ctx->strategy,
			ctx->rep, ctx->sc->memory_pages);
		summary(ctx, &none, "oom-killed");
	} else {
		fprintf(stderr, "snapbench-guest: %s/%s rep %d: killed by signal %d; no result file\n",
			ctx->scenario, ctx->strategy, ctx->rep, WTERMSIG(status));
		summary(ctx, &none, "killed");
	}
	return 1;
}

/* A whole number in [@lo, @hi] given to option @name, or a one-line error. */
static int int_arg(const char *name, const char *arg, long lo, long hi)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < lo || v > hi)
		die("%s: not a number from %ld to %ld: %s", name, lo, hi, arg);
	return (int)v;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: snapbench-guest --scenario NAME|FILE [options]\n"
		"  --scenario NAME|FILE  a scenario file, or NAME.ini in --scenario-dir; repeatable\n"
		"  --scenario-dir DIR    where NAMEs are found (default: this program's directory)\n"
		"  --strategy LIST       all, or a comma-separated list (default all)\n"
		"  --reps N              repetitions per scenario and strategy (default 1)\n"
		"  --seed N              PRNG seed (default 1)\n"
		"  --set KEY=VALUE       override a scenario key; repeatable\n"
		"  --accel NAME          accelerator to record (kvm, tcg; default: snapbench.accel=\n"
		"                        on the kernel command line)\n"
		"  --kernel-label TEXT   the build, recorded as context.kernel_label\n"
		"  --boot N              which boot of the build this is, recorded as context.boot\n"
		"  --first-rep N         number the repetitions from N (default 0), so that the\n"
		"                        boots of one build write distinct files and seeds\n"
		"  --out DIR             result tree (default $SNAPBENCH_OUT or .)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 'S' },
		{ "scenario-dir", required_argument, NULL, 'D' },
		{ "strategy", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'e' },
		{ "set", required_argument, NULL, 'k' },
		{ "accel", required_argument, NULL, 'a' },
		{ "kernel-label", required_argument, NULL, 'l' },
		{ "boot", required_argument, NULL, 'b' },
		{ "first-rep", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *scen[16], *sets[64], *strat = "all", *accel = NULL, *label = NULL, *end;
	const char *out = getenv("SNAPBENCH_OUT") ?: ".";
	char dir[PATH_MAX], cmdline[1024] = "", exe[PATH_MAX];
	int nscen = 0, nsets = 0, reps = 1, boot = 0, first = 0, c, i, failed = 0;
	bool want[NR_STRATEGIES] = { false };
	unsigned long long seed = 1;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(dir, sizeof(dir), "%s", exe);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	for (i = 0; i < argc; i++) {
		strncat(cmdline, argv[i], sizeof(cmdline) - strlen(cmdline) - 2);
		if (i + 1 < argc)
			strcat(cmdline, " ");
	}

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (nscen == 16)
				die("at most 16 --scenario");
			scen[nscen++] = optarg;
			break;
		case 'D':
			snprintf(dir, sizeof(dir), "%s", optarg);
			break;
		case 's':
			strat = optarg;
			break;
		case 'r':
			reps = int_arg("--reps", optarg, 1, 1000);
			break;
		case 'b':
			boot = int_arg("--boot", optarg, 1, 1000);
			break;
		case 'f':
			first = int_arg("--first-rep", optarg, 0, 1000000);
			break;
		case 'e':
			seed = strtoull(optarg, &end, 0);
			if (*end)
				die("--seed: not a number: %s", optarg);
			break;
		case 'k':
			if (nsets == 64)
				die("at most 64 --set");
			sets[nsets++] = optarg;
			break;
		case 'a':
			accel = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument: %s", argv[optind]);
	if (!nscen)
		die("no --scenario given");
	if (!accel)
		accel = cmdline_accel();
	if (accel && strcmp(accel, "kvm") && strcmp(accel, "tcg"))
		die("--accel: unknown accelerator %s (kvm or tcg)", accel);
	for (char *tok = strtok(strat, ","); tok; tok = strtok(NULL, ",")) {
		bool found = false;

		for (i = 0; i < (int)NR_STRATEGIES; i++) {
			if (!strcmp(tok, "all") || !strcmp(tok, strategies[i].name)) {
				want[i] = true;
				found = true;
			}
		}
		if (!found)
			die("unknown strategy in the guest driver: %s", tok);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	for (int si = 0; si < nscen && !stop_requested; si++) {
		struct scenario sc;
		bool try_mode;

		load_scenario(&sc, scen[si], dir, sets, nsets);
		try_mode = sc.storm[STORM_KSWAPD].try_mode || sc.storm[STORM_ALLOC].try_mode;
		if (access(TRY_SYSCTL, F_OK) == 0)
			write_file(TRY_SYSCTL, try_mode ? "1" : "0");
		else if (try_mode)
			die("scenario %s needs %s (the series' try-invalidate patch)",
			    sc.name, TRY_SYSCTL);
		if (sc.storm[STORM_MIGRATE].threads && count_nodes() < 2)
			die("scenario %s: the migrate storm needs two NUMA nodes", sc.name);
		if (sc.storm[STORM_ALLOC].threads)
			make_memcg(sc.memory_pages);

		for (i = 0; i < (int)NR_STRATEGIES; i++) {
			if (!want[i])
				continue;
			for (int rep = first; rep < first + reps && !stop_requested; rep++) {
				struct run_context ctx = {
					.command_line = cmdline,
					.executable = exe,
					.scenario = sc.name,
					.sc = &sc,
					.strategy = strategies[i].name,
					.topology = "guest",
					.placement = "none",
					.seed = seed + rep,
					.rep = rep,
					.reps = reps,
					.environment = "guest",
					.accelerator = accel,
					.kernel_label = label,
					.boot = boot,
				};

				failed |= run_in_child(&ctx, strategies[i].id, out);
			}
		}
		if (sc.storm[STORM_ALLOC].threads)
			remove_memcg();
	}
	return stop_requested ? 130 : failed;
}
