// SPDX-License-Identifier: GPL-2.0
/*
 * world_kernel.c - the kernel as a world: mirror threads call
 * lib/test_snapbench's SNAPBENCH_IOC_MIRROR on ranges of one anonymous
 * mapping while storm threads invalidate it with real system calls (each
 * storm's kernel op, workloads/storms/).  `snapbench run --world kernel`,
 * in a QEMU guest (harness/kernel/, where the program booted is a static
 * snapbench) or on any machine running a kernel with the series and
 * test_snapbench loaded.
 *
 * stall_*.<kind> is, as in the model, the duration of the storm's
 * operation (here its system call), except for a storm whose operation
 * only provokes the kernel's own source (numa), whose invalidations the
 * world cannot time: n/a.  The driver's own counters (range lock waits,
 * refused non-blockable callbacks) are strategy counters
 * (stats_to_counters()); a storm that stands in for the real source, or is
 * not available, has its note in context.storm_notes.
 * A storm whose real source is the kernel's own (numa: NUMA balancing)
 * sets the kernel's knobs for it before each run (storm_kernel.before_run)
 * and has the source's /proc/vmstat counters reported (vm_<name>).
 * Passes fault read-only while a storm write-protects pages
 * (STORM_READ_ONLY_MIRROR), and mirror.deadline_on_fault_only and
 * debug.inject are refused.
 *
 * What only the kernel needs: the try mode of reclaim is the sysctl
 * vm.mmu_notifier_reclaim_try of the series; the alloc storm's direct
 * reclaim comes from a memcg at memory.max = mm.memory_pages, which only
 * the run's process joins (the parent stays outside, so that it can still
 * allocate and report); reclaim needs real pages, not the zero page, so
 * mm.memory_pages pages, spread evenly, are written before the run
 * (reclaim_pages_per_s is swap-outs, pswpout: the guest's swap is zram).
 *
 * A hang.  A thread stuck in a system call cannot be killed, so the run's
 * process cannot exit.  As the watchdog fires, kernel_hang() asks the
 * kernel for every blocked task and every CPU's backtrace (sysrq w, l) as
 * the memcg limit holds the run, lifts the limit (the report and the
 * result file allocate), then prints every thread's state, system call,
 * wait channel and kernel stack; the hung result is written and the
 * process parks: it creates the file named by $SNAPBENCH_HUNG, which the
 * guest's /init waits for (kernel-patches/guest/init).  A run's process
 * that cannot even report (killed by the OOM killer with its threads stuck
 * in the kernel) is reported by the parent: stacks before lifting
 * memory.max, 10 s to end once it is lifted, stacks again, park.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/result.h"
#include "harness/runner.h"
#include "harness/world.h"
#include "lib/clock.h"
#include "workloads/storm.h"
#include "test_snapbench.h"	/* the series' include/uapi/linux, by harness/build.mk */

#define KW_DEV		"/dev/test_snapbench"
#define KW_TRY_SYSCTL	"/proc/sys/vm/mmu_notifier_reclaim_try"
#define KW_MEMCG	"/sys/fs/cgroup/snapbench"
#define KW_LIFTED_WAIT_NS (10 * NSEC_PER_SEC)
#define KW_MAX_VMSTAT	16	/* vmstat counters of the storms that run */

/*
 * The driver's strategies, by the registry's names; @waits: it waits in the
 * range lock, so the lock's order and wake-up counters are its own (as
 * userspace, seqretry reports none).
 */
static const struct kernel_strategy {
	const char *name;
	unsigned int id;
	bool waits;
} kernel_strategies[] = {
	{ "seqretry", SNAPBENCH_STRATEGY_SEQRETRY, false },
	{ "rangelock", SNAPBENCH_STRATEGY_RANGELOCK, true },
	{ "hybrid", SNAPBENCH_STRATEGY_HYBRID, true },
};
#define NR_KERNEL_STRATEGIES (sizeof(kernel_strategies) / sizeof(kernel_strategies[0]))

struct world {
	const struct run_config *rc;
	int fd;				/* the device: bound to the mm at open */
	char *base;
	size_t len;
	bool mirror_write;
	int nr_nodes;
	struct snapbench_stats st0, st1;
	unsigned long skip0, skip1, swp0, swp1;
	unsigned long vm0[KW_MAX_VMSTAT], vm1[KW_MAX_VMSTAT];	/* storms' vmstat */
	atomic_ulong late, failed_efault, failed_ebusy, failed_eintr;
	const struct kernel_strategy *strategy;
	unsigned int hybrid_attempts;	/* the driver's, as configured */
};

struct kernel_thread {
	pid_t tid;
	char *scratch;			/* STORM_NEEDS_SCRATCH */
	size_t scratch_len;
};

/* Whether a storm of @sc that runs needs @what (or, with @what 0, tries). */
static bool storm_needs(const struct scenario *sc, unsigned int what)
{
	for (int k = 0; k < STORM_NR; k++)
		if (sc->storm[k].threads &&
		    (what ? storms[k]->kernel.needs & what : sc->storm[k].try_mode))
			return true;
	return false;
}

static int count_nodes(void)
{
	char path[64];
	int n = 0;

	for (;; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK))
			return n ? n : 1;
	}
}

/* The number after @name in a "name number" file (vmstat, memory.events). */
static bool read_key(const char *path, const char *name, unsigned long *value)
{
	unsigned long v;
	bool seen = false;
	char key[64];
	FILE *f = fopen(path, "r");

	while (f && fscanf(f, "%63s %lu", key, &v) == 2)
		if (!strcmp(key, name))
			*value = v, seen = true;
	if (f)
		fclose(f);
	return seen;
}

/* A /proc/vmstat counter; a missing one is said once, and read as 0. */
static unsigned long read_vmstat(const char *name)
{
	static bool warned;
	unsigned long v = 0;

	if (!read_key("/proc/vmstat", name, &v) && !warned) {
		fprintf(stderr, "snapbench: no %s in /proc/vmstat: reclaim counters read as 0\n", name);
		warned = true;
	}
	return v;
}

/* oom_kill of the run's memcg (0 outside one) */
static unsigned long memcg_oom_kills(void)
{
	unsigned long kills = 0;

	read_key(KW_MEMCG "/memory.events", "oom_kill", &kills);
	return kills;
}

/* Before anything allocates in a hung run: see kernel_hang(). */
static void lift_memcg_limit(void)
{
	if (!access(KW_MEMCG "/memory.max", F_OK) && storm_write_knob(KW_MEMCG "/memory.max", "max"))
		fprintf(stderr, "snapbench: cannot lift memory.max: %s\n", strerror(errno));
}

static int kernel_check(struct scenario *sc, const char **notes, char *err, size_t len)
{
	for (int k = 0; k < STORM_NR; k++) {
		if (!sc->storm[k].threads)
			continue;
		notes[k] = storms[k]->kernel.note;
		if (!storms[k]->kernel.op) {
			fprintf(stderr, "snapbench: scenario %s: no %s storm in the kernel world, "
				"running without it\n", sc->name, storm_kind_name[k]);
			sc->storm[k].threads = 0;
		}
	}
	if (access(KW_DEV, R_OK | W_OK))
		snprintf(err, len, "%s: %s (a kernel with kernel-patches/ and test_snapbench loaded)",
			 KW_DEV, strerror(errno));
	else if (sc->deadline_on_fault_only)
		snprintf(err, len, "scenario %s: mirror.deadline_on_fault_only is not modelled by the test driver",
			 sc->name);
	else if (scenario_interval_pages(sc) < sc->pages)
		snprintf(err, len, "scenario %s: mm.interval_pages %lu: the test driver has one notifier "
			 "subscription over the whole mapping (mm.interval_pages 0)", sc->name, sc->interval_pages);
	else if (scenario_calibrated(sc))
		snprintf(err, len, "scenario %s: cost.* calibrates the model; a kernel pays its own costs",
			 sc->name);
	else if (*sc->inject)
		snprintf(err, len, "scenario %s: debug.inject widens races of the model's strategies only",
			 sc->name);
	else if (storm_needs(sc, 0) && access(KW_TRY_SYSCTL, F_OK))
		snprintf(err, len, "scenario %s needs %s (the series' try-invalidate patch)",
			 sc->name, KW_TRY_SYSCTL);
	else if (storm_needs(sc, STORM_NEEDS_NODES) && count_nodes() < 2)
		snprintf(err, len, "scenario %s: a storm of it (migrate) needs two NUMA nodes", sc->name);
	else
		return 0;
	return -EINVAL;
}

static const struct kernel_strategy *kernel_strategy(const char *name)
{
	for (size_t i = 0; i < NR_KERNEL_STRATEGIES; i++)
		if (!strcmp(kernel_strategies[i].name, name))
			return &kernel_strategies[i];
	return NULL;
}

static bool kernel_has_strategy(const char *name)
{
	return kernel_strategy(name);
}

static unsigned long memcg_kills_before;

static int kernel_before_run(const struct scenario *sc, char *err, size_t len)
{
	char text[32];
	int ret = 0;

	if (!access(KW_TRY_SYSCTL, F_OK))
		ret = storm_write_knob(KW_TRY_SYSCTL, storm_needs(sc, 0) ? "1" : "0");
	if (!ret && storm_needs(sc, STORM_NEEDS_MEMCG)) {
		if (mkdir(KW_MEMCG, 0755) && errno != EEXIST)
			ret = -errno;
		if (!ret)
			ret = storm_write_knob("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
		snprintf(text, sizeof(text), "%lu", sc->memory_pages * STORM_PAGE_SIZE);
		if (!ret)
			ret = storm_write_knob(KW_MEMCG "/memory.max", text);
	}
	memcg_kills_before = memcg_oom_kills();
	if (ret) {
		snprintf(err, len, "scenario %s: cannot set up its memcg or %s: %s", sc->name,
			 KW_TRY_SYSCTL, strerror(-ret));
		return ret;
	}
	/* Each storm's real source: its knobs set, or put back when it does not run. */
	for (int k = 0; k < STORM_NR && !ret; k++) {
		char why[160] = "";

		if (storms[k]->kernel.before_run &&
		    (ret = storms[k]->kernel.before_run(sc, &sc->storm[k], why, sizeof(why))))
			snprintf(err, len, "scenario %s: %s", sc->name, why);
	}
	return ret;
}

static void kernel_enter_run(const struct scenario *sc)
{
	char text[32];

	snprintf(text, sizeof(text), "%d", getpid());
	if (storm_needs(sc, STORM_NEEDS_MEMCG) && storm_write_knob(KW_MEMCG "/cgroup.procs", text))
		fprintf(stderr, "snapbench: cannot join %s: %s\n", KW_MEMCG, strerror(errno));
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

/* The kernel's stacks of every blocked task (sysrq w) and every CPU's (l). */
static void sysrq_stacks(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0 || write(fd, "w", 1) != 1 || write(fd, "l", 1) != 1)
		fprintf(stderr, "snapbench: no sysrq: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * Every thread of @pid: scheduler state (R running, S/D sleeping), system
 * call ("running" for a runnable task), wait channel and kernel stack;
 * then sysrq w and l.
 */
static void print_process_stacks(pid_t pid)
{
	char path[64], buf[512], *p;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);

		if (d->d_name[0] == '.')
			continue;
		fprintf(stderr, "snapbench: thread %d of pid %d\n", (int)tid, (int)pid);
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
	if (dir)
		closedir(dir);
	fflush(stderr);
	sysrq_stacks();
}

static bool kernel_overdue(pid_t pid, const struct run_context *ctx, int *status)
{
	uint64_t due;
	pid_t got = 0;

	fprintf(stderr, "snapbench: %s/%s rep %d hung: its process (pid %d%s) has not exited "
		"long after the run was due to end\n", ctx->scenario, ctx->strategy, ctx->rep,
		(int)pid, memcg_oom_kills() > memcg_kills_before ?
		", killed by the memcg OOM killer" : "");
	/* As the limit holds the run; then whether lifting it ends the run. */
	print_process_stacks(pid);
	lift_memcg_limit();
	for (due = now_ns() + KW_LIFTED_WAIT_NS; now_ns() < due;
	     sleep_until_ns(now_ns() + 100 * NSEC_PER_MSEC))
		if ((got = waitpid(pid, status, WNOHANG)) == pid)
			break;
	fprintf(stderr, "snapbench: %s/%s rep %d: %s %g s after memory.max was lifted\n",
		ctx->scenario, ctx->strategy, ctx->rep,
		got == pid ? "its process ended within" : "still stuck", KW_LIFTED_WAIT_NS / 1e9);
	if (got == pid)
		return true;
	print_process_stacks(pid);
	world_kernel.park(NULL);
	return false;
}

static const char *kernel_killed(const struct run_context *ctx, int sig)
{
	if (sig == SIGKILL && memcg_oom_kills() > memcg_kills_before) {
		fprintf(stderr, "snapbench: %s/%s rep %d: killed by the memcg OOM killer "
			"(memory.max %lu pages); no result file\n", ctx->scenario, ctx->strategy,
			ctx->rep, ctx->sc->memory_pages);
		return "oom-killed";
	}
	return "killed";
}

/* No more runs in this boot: tell /init ($SNAPBENCH_HUNG) and sleep. */
static void __attribute__((noreturn)) kernel_park(const char *path)
{
	const char *marker = getenv("SNAPBENCH_HUNG");
	int fd;

	fprintf(stderr, "snapbench: %s%s; no more runs in this boot\n",
		path ? "partial result: " : "no result file for this run", path ?: "");
	fflush(stdout);
	fflush(stderr);
	fd = marker ? open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	if (fd >= 0)
		close(fd);
	for (;;)
		pause();
}

static const char *kernel_accelerator(void)
{
	static char buf[4096], accel[8];
	FILE *f = fopen("/proc/cmdline", "r");
	char *p = f ? fgets(buf, sizeof(buf), f) : NULL;

	if (f)
		fclose(f);
	if (!p || !(p = strstr(buf, "snapbench.accel=")) ||
	    sscanf(p, "snapbench.accel=%7[a-z]", accel) != 1)
		return NULL;
	return accel;
}

static int kernel_setup(struct world **wp, const struct run_config *rc)
{
	const struct scenario *sc = rc->sc;
	struct snapbench_config cfg = {
		.invalidate_cost_ns = (uint32_t)(sc->invalidate_cost_us * 1000),
		.deadline_ns = (uint64_t)(sc->deadline_ms * 1e6),
		.device_work_ns = (uint32_t)sc->device_work_ns,
	};
	struct world *w = calloc(1, sizeof(*w));
	unsigned long stride, pg;
	int ret;

	if (!w)
		return -ENOMEM;
	w->strategy = kernel_strategy(rc->ops->name);
	if (!w->strategy) {
		free(w);
		return -EINVAL;	/* has_strategy() refused it before */
	}
	cfg.strategy = w->strategy->id;
	/* The driver runs with the parameters the result file records. */
	for (const struct snap_param *p = rc->ops->params; p && p->name; p++)
		if (!strcmp(p->name, "attempts"))
			cfg.hybrid_attempts = (uint32_t)p->value;
	w->hybrid_attempts = cfg.hybrid_attempts;
	w->rc = rc;
	w->nr_nodes = count_nodes();
	w->mirror_write = !storm_needs(sc, STORM_READ_ONLY_MIRROR);
	w->len = sc->pages * STORM_PAGE_SIZE;
	w->base = mmap(NULL, w->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->base == MAP_FAILED) {
		ret = -errno;
		free(w);
		return ret;
	}
	/* Pages for reclaim to take: enough to fill the memcg, spread evenly. */
	if (storm_needs(sc, STORM_NEEDS_RESIDENT)) {
		stride = sc->pages / (sc->memory_pages < sc->pages ? sc->memory_pages : sc->pages);
		for (pg = 0; pg < sc->pages; pg += stride)
			w->base[pg * STORM_PAGE_SIZE] = (char)(pg | 1);
	}
	w->fd = open(KW_DEV, O_RDWR);
	if (w->fd < 0 || ioctl(w->fd, SNAPBENCH_IOC_CONFIG, &cfg)) {
		ret = -errno;
		fprintf(stderr, "snapbench: %s %s: %s (is test_snapbench loaded?)\n",
			w->fd < 0 ? "cannot open" : "SNAPBENCH_IOC_CONFIG of", KW_DEV, strerror(errno));
		if (w->fd >= 0)
			close(w->fd);
		munmap(w->base, w->len);
		free(w);
		return ret;
	}
	*wp = w;
	return 0;
}

static void kernel_teardown(struct world *w)
{
	close(w->fd);
	munmap(w->base, w->len);
	free(w);
}

static int kernel_thread_start(struct world *w, struct world_thread *t, struct storm_ctx *c)
{
	struct kernel_thread *kt = calloc(1, sizeof(*kt));

	if (!kt)
		return -ENOMEM;
	kt->tid = (pid_t)syscall(SYS_gettid);
	t->priv = kt;
	if (!c)
		return 0;
	c->base = w->base;
	c->nr_nodes = w->nr_nodes;
	/* Its operation provokes the kernel's own source: not an invalidation. */
	t->op_is_stall = !storms[t->storm]->kernel.vmstat;
	if (storms[t->storm]->kernel.needs & STORM_NEEDS_SCRATCH) {
		kt->scratch_len = c->p->range.hi * STORM_PAGE_SIZE;
		kt->scratch = mmap(NULL, kt->scratch_len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (kt->scratch == MAP_FAILED)
			return -errno;
		c->scratch = kt->scratch;
	}
	return 0;
}

static void kernel_thread_stop(struct world *w, struct world_thread *t)
{
	struct kernel_thread *kt = t->priv;

	if (kt->scratch)
		munmap(kt->scratch, kt->scratch_len);
	free(kt);
}

static int kernel_mirror_pass(struct world *w, struct world_thread *t, unsigned long start,
			      unsigned long end, bool write, struct world_pass *p)
{
	struct snapbench_mirror m = {
		.addr = (uintptr_t)w->base + start * STORM_PAGE_SIZE,
		.npages = end - start,
		.flags = write && w->mirror_write ? SNAPBENCH_MIRROR_WRITE : 0,
	};
	int err;

	*p = (struct world_pass){ 0 };
	if (ioctl(w->fd, SNAPBENCH_IOC_MIRROR, &m)) {
		/*
		 * Not a pass, and counted: -EFAULT is a fault that failed (no
		 * memory in the memcg), -EBUSY and -EINTR a pass given up.
		 */
		err = errno;
		p->failed = err == EFAULT || err == EBUSY || err == EINTR;
		if (p->failed && t->measuring)
			atomic_fetch_add(err == EFAULT ? &w->failed_efault : err == EBUSY ?
					 &w->failed_ebusy : &w->failed_eintr, 1);
		return -err;
	}
	p->retries = m.retries;
	p->ttm_ns = m.time_ns;
	if (m.deadline_missed && !m.mirrored)
		return -EBUSY;	/* gave up at the deadline */
	if (m.deadline_missed && t->measuring)
		atomic_fetch_add(&w->late, 1);
	return 0;
}

static int kernel_storm_op(struct world *w, struct world_thread *t, struct storm_ctx *c)
{
	enum mm_inval_kind kind = storms[t->storm]->inval_kind;
	int ret = storms[t->storm]->kernel.op(c);

	if (ret == -EAGAIN || ret == -EBUSY || ret == -ENOMEM) {
		t->counters.inval_skipped[kind] += t->measuring;
		return -EAGAIN;
	}
	if (!ret && t->measuring)
		t->counters.inval[kind]++;
	return ret;
}

/*
 * Calls @fn with each /proc/vmstat counter of the storms that run in this
 * run (storm_kernel.vmstat), numbered, up to KW_MAX_VMSTAT.
 */
static void for_each_storm_vmstat(struct world *w, void (*fn)(struct world *w, int i,
			const char *name, void *arg), void *arg)
{
	const struct scenario *sc = w->rc->sc;
	int i = 0;

	for (int k = 0; k < STORM_NR; k++)
		for (const char *const *v = storms[k]->kernel.vmstat;
		     sc->storm[k].threads && v && *v && i < KW_MAX_VMSTAT; v++)
			fn(w, i++, *v, arg);
}

/* Not in this kernel's /proc/vmstat: the counter is left out (n/a), not 0. */
#define KW_NO_VMSTAT	ULONG_MAX

static void read_storm_vmstat(struct world *w, int i, const char *name, void *begin)
{
	unsigned long v;

	(begin ? w->vm0 : w->vm1)[i] = read_key("/proc/vmstat", name, &v) ? v : KW_NO_VMSTAT;
}

static void kernel_measure(struct world *w, bool begin)
{
	if (ioctl(w->fd, SNAPBENCH_IOC_STATS, begin ? &w->st0 : &w->st1))
		fprintf(stderr, "snapbench: SNAPBENCH_IOC_STATS: %s\n", strerror(errno));
	*(begin ? &w->skip0 : &w->skip1) = read_vmstat("pgskip_mmu_notifier");
	*(begin ? &w->swp0 : &w->swp1) = read_vmstat("pswpout");
	for_each_storm_vmstat(w, read_storm_vmstat, begin ? w : NULL);
}

/* A storm's vmstat counter over the measured phase: counter vm_<name>. */
static void add_storm_vmstat(struct world *w, int i, const char *name, void *res)
{
	char key[80];

	if (w->vm0[i] == KW_NO_VMSTAT || w->vm1[i] == KW_NO_VMSTAT)
		return;
	snprintf(key, sizeof(key), "vm_%s", name);
	run_result_add_counter(res, key, w->vm1[i] - w->vm0[i]);
}

/*
 * The driver's statistics over the measured phase: the violations, and the
 * rest as strategy counters (each the growth of a field, or its value).
 */
static void stats_to_counters(const struct snapbench_stats *a, const struct snapbench_stats *b,
			      struct run_result *res)
{
#define GROWTH(f)	run_result_add_counter(res, #f, b->f - a->f)
	res->violations = b->violations - a->violations;
	GROWTH(locked_passes);
	GROWTH(invalidations);
	GROWTH(invalidate_refused);
	GROWTH(rl_read_wait_ns);
	GROWTH(rl_invalidate_waits);
	GROWTH(rl_invalidate_stall_ns);
	run_result_add_counter(res, "rl_invalidate_stall_max_ns", b->rl_invalidate_stall_max_ns);
	GROWTH(rl_invalidate_nested);
	GROWTH(rl_invalidate_eagain);
#undef GROWTH
}

/*
 * The range lock's arrival order and wake-ups over the measured phase, under
 * the names the userspace strategies give them (order.*, wakeup.*:
 * harness/RESULTS.md), so that the reports judge the kernel's rangelock and
 * hybrid as they judge the model's.  The maxima cover the measured phase
 * (SNAPBENCH_IOC_STATS restarts them at its start); lost wake-ups are the
 * waiters asleep at its end.  Kernel only: nested_passes (waits passed by an
 * invalidation nested in a holder's critical section, not overtakes) and
 * lost_asleep_max_ns.
 */
static void order_to_counters(const struct snapbench_stats *st0,
			      const struct snapbench_stats *st1, struct run_result *res)
{
	const struct {
		const char *kind;
		const struct snapbench_order_stats *a, *b;
	} k[] = {
		{ "snapshot", &st0->rl_read_order, &st1->rl_read_order },
		{ "inval", &st0->rl_inval_order, &st1->rl_inval_order },
	};
	char name[48];

	for (unsigned int i = 0; i < 2; i++) {
		const struct snapbench_order_stats *a = k[i].a, *b = k[i].b;

#define ORDER(fmt, value)						\
		do {							\
			snprintf(name, sizeof(name), fmt, k[i].kind);	\
			run_result_add_counter(res, name, (value));	\
		} while (0)
		ORDER("order.%s.granted", b->granted - a->granted);
		ORDER("order.%s.overtaken", b->overtaken - a->overtaken);
		ORDER("order.%s.overtakes", b->overtakes - a->overtakes);
		ORDER("order.%s.overtakes_max", b->overtakes_max);
		ORDER("order.%s.overtakes_max_wait_ns", b->overtakes_max_wait_ns);
		ORDER("order.%s.nested_passes", b->nested_passes - a->nested_passes);
		ORDER("wakeup.%s.delay_max_ns", b->wake_delay_max_ns);
		ORDER("wakeup.%s.late", b->late_wakeups - a->late_wakeups);
		ORDER("wakeup.%s.lost", b->lost_wakeups);
		ORDER("wakeup.%s.lost_asleep_max_ns", b->lost_asleep_max_ns);
#undef ORDER
	}
	run_result_add_counter(res, "wakeup.lost_threshold_ns", st1->rl_lost_threshold_ns);
}

static void kernel_counters(struct world *w, struct run_result *res)
{
	run_result_add_counter(res, "late_passes", atomic_load(&w->late));
	run_result_add_counter(res, "mirror_failed_efault", atomic_load(&w->failed_efault));
	run_result_add_counter(res, "mirror_failed_ebusy", atomic_load(&w->failed_ebusy));
	run_result_add_counter(res, "mirror_failed_eintr", atomic_load(&w->failed_eintr));
	stats_to_counters(&w->st0, &w->st1, res);
	if (w->strategy->waits)
		order_to_counters(&w->st0, &w->st1, res);
	/* As in userspace: a pass retries at most its optimistic attempts. */
	if (w->strategy->id == SNAPBENCH_STRATEGY_HYBRID)
		run_result_add_counter(res, "hybrid.retries_bound", w->hybrid_attempts);
	for_each_storm_vmstat(w, add_storm_vmstat, res);
	res->reclaim_skipped = w->skip1 - w->skip0;
	/* Every page reclaim takes from the anonymous mapping is a swap-out. */
	res->reclaimed = w->swp1 - w->swp0;
}

static void kernel_hang(struct world *w)
{
	fprintf(stderr, "snapbench: %s/%s hung: no thread made progress for %g s\n",
		w->rc->sc->name, w->rc->ops->name, w->rc->sc->watchdog_s);
	fflush(stderr);
	sysrq_stacks();
	lift_memcg_limit();
	print_process_stacks(getpid());
}

static void kernel_stuck(struct world *w, struct world_thread *t, pthread_t thread,
			 char *doing, size_t len)
{
	struct kernel_thread *kt = t->priv;
	size_t used = strlen(doing);

	if (kt && used + 16 < len)
		snprintf(doing + used, len - used, "; tid %d", (int)kt->tid);
}

const struct world_ops world_kernel = {
	.name		= "kernel",
	.environment	= "guest",
	.mirror_doing	= "SNAPBENCH_IOC_MIRROR",
	.check		= kernel_check,
	.has_strategy	= kernel_has_strategy,
	.accelerator	= kernel_accelerator,
	.before_run	= kernel_before_run,
	.enter_run	= kernel_enter_run,
	.overdue	= kernel_overdue,
	.killed		= kernel_killed,
	.park		= kernel_park,
	.setup		= kernel_setup,
	.teardown	= kernel_teardown,
	.thread_start	= kernel_thread_start,
	.thread_stop	= kernel_thread_stop,
	.mirror_pass	= kernel_mirror_pass,
	.storm_op	= kernel_storm_op,
	.errors_fail	= true,
	.measure	= kernel_measure,
	.counters	= kernel_counters,
	.hang		= kernel_hang,
	.stuck		= kernel_stuck,
};
