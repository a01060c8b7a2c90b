// SPDX-License-Identifier: GPL-2.0
/*
 * fake_snapbench.c - an LD_PRELOAD stand-in for lib/test_snapbench, so that
 * tests/kernel-world.t runs the kernel world on any machine: the storms'
 * system calls are real (on the run's anonymous mapping), the device is
 * not.  /dev/test_snapbench opens /dev/null; its ioctls answer as the
 * driver would for a pass that mirrors every page with no retry, and
 * count passes into SNAPBENCH_IOC_STATS.  With FAKE_SNAPBENCH_HANG set,
 * SNAPBENCH_IOC_MIRROR never returns (a stuck pass).  /proc/sysrq-trigger
 * opens /dev/null too: a test asks nothing of the host's kernel.  So do
 * the kernel's knobs a storm sets (under /proc/sys/ and
 * /sys/kernel/debug/): with FAKE_SNAPBENCH_KNOBS=DIR, each is written to
 * DIR/<its path, '/' made '_'> instead, for the test to read.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "test_snapbench.h"

#define FAKE_DEV	"/dev/test_snapbench"

static atomic_int fake_fd = -1;
static atomic_ulong fake_passes;
static atomic_ulong fake_stats_reads;	/* SNAPBENCH_IOC_STATS calls */

static int real_open(const char *path, int flags, mode_t mode)
{
	static int (*next)(const char *, int, ...);

	if (!next)
		next = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	return next(path, flags, mode);
}

static int fake_open(const char *path, int flags, mode_t mode)
{
	int fd;

	const char *knobs = getenv("FAKE_SNAPBENCH_KNOBS");
	char fake[512], *p;

	if (!strcmp(path, "/proc/sysrq-trigger"))
		return real_open("/dev/null", O_WRONLY, 0);
	if ((flags & O_ACCMODE) != O_RDONLY &&
	    (!strncmp(path, "/proc/sys/", 10) || !strncmp(path, "/sys/kernel/debug/", 18))) {
		if (!knobs)
			return real_open("/dev/null", O_WRONLY, 0);
		snprintf(fake, sizeof(fake), "%s/%s", knobs, path + 1);
		for (p = fake + strlen(knobs) + 1; *p; p++)
			if (*p == '/')
				*p = '_';
		return real_open(fake, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	}
	if (strcmp(path, FAKE_DEV))
		return real_open(path, flags, mode);
	fd = real_open("/dev/null", O_RDWR, 0);
	atomic_store(&fake_fd, fd);
	return fd;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return fake_open(path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int access(const char *path, int mode)
{
	static int (*next)(const char *, int);

	if (!strcmp(path, FAKE_DEV))
		return 0;
	if (!next)
		next = (int (*)(const char *, int))dlsym(RTLD_NEXT, "access");
	return next(path, mode);
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	struct snapbench_mirror *m;
	struct snapbench_stats *st;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < 0 || fd != atomic_load(&fake_fd)) {
		if (!next)
			next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
		return next(fd, req, arg);
	}
	switch (req) {
	case SNAPBENCH_IOC_CONFIG:
		return 0;
	case SNAPBENCH_IOC_MIRROR:
		while (getenv("FAKE_SNAPBENCH_HANG"))
			pause();
		m = arg;
		m->retries = 0;
		m->deadline_missed = 0;
		m->time_ns = 1000;
		m->mirrored = m->npages;
		atomic_fetch_add(&fake_passes, 1);
		return 0;
	case SNAPBENCH_IOC_STATS:
		st = arg;
		memset(st, 0, sizeof(*st));
		st->passes = atomic_load(&fake_passes);
		/*
		 * Every pass a READ granted in arrival order; with
		 * $FAKE_SNAPBENCH_OVERTAKES, that many more overtakes of one
		 * waiter, which waited 2 ms, at each read of the statistics.
		 */
		st->rl_read_order.granted = st->passes;
		if (getenv("FAKE_SNAPBENCH_OVERTAKES")) {
			unsigned long reads = atomic_fetch_add(&fake_stats_reads, 1) + 1;

			st->rl_read_order.overtaken = reads;
			st->rl_read_order.overtakes = reads *
				strtoull(getenv("FAKE_SNAPBENCH_OVERTAKES"), NULL, 0);
			st->rl_read_order.overtakes_max = st->rl_read_order.overtakes / reads;
			st->rl_read_order.overtakes_max_wait_ns = 2000000;
		}
		st->rl_lost_threshold_ns = 500000000;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}
