# SPDX-License-Identifier: GPL-2.0
# kernel-patches/: guest kernels built from Debian's linux-source packages
# with the patch series, booted in QEMU (harness/kernel/, README.md here).
#
#   make kernel-build   newest 6.12 with kernel-patches/v6.12/series
#   make test-kernel    that kernel (debug flavour: lockdep, KASAN) booted
#                       under QEMU: upstream hmm-tests compared with the
#                       unpatched baseline, every default scenario for every
#                       strategy of lib/test_snapbench, a module reload;
#                       fails on BUG/WARNING/lockdep/KASAN or a violation
# Variables: KERNEL_VERSION (default 6.12: the newest 6.12 in the archive),
# KERNEL_BUILD_FLAGS (e.g. --no-patches), KERNEL_TEST_FLAGS (e.g. to drop
# --debug), KERNEL_BOOT_FLAGS (e.g. --accel tcg), KERNEL_OUT (results dir).
# `make all` builds only the guest's static snapbench; kernels stay in the cache.

KERNEL_VERSION     ?= 6.12
KERNEL_BUILD_FLAGS ?=
KERNEL_TEST_FLAGS  ?= --debug
KERNEL_BOOT_FLAGS  ?=
KERNEL_OUT         ?= $(B)/kernel-test

KERNEL_APPLY_TEST = tests/kernel/apply.t
KERNEL_SERIES_TEST = tests/kernel/check-series.t

# The program booted in the guest: snapbench itself, static (built below);
# set before any rule names it, since make expands a rule's prerequisites
# when it reads the rule.
GUEST_PROG       = $(B)/guest/snapbench

.PHONY: kernel-build test-kernel test-kernel-apply test-kernel-series kernel-matrix kernel-track

# Regression tracking: the same scenarios on several kernels, one result
# tree (snapbench kernel matrix --help).  The boot is the unit of
# replication (repetitions in one boot share its speed), so each build is
# booted eight times, one short repetition each: eight against eight gives
# a smallest two-sided Mann-Whitney p of 0.00016, which survives the
# Benjamini-Hochberg correction over a build comparison's ~100 headline
# metrics even when one metric alone moves (five against five, 0.0079,
# needs sixteen metrics to move together).
KERNEL_MATRIX_VERSIONS  ?= 6.1.170,6.1.192,6.12.107,6.12.117
KERNEL_MATRIX_SCENARIOS ?= munmap-storm,madvise-storm,reclaim-try,hot-range
KERNEL_MATRIX_FLAGS     ?= --boots 8 --reps 1 --duration 0.5
KERNEL_MATRIX_OUT       ?= results/kernel-matrix

kernel-matrix: all
	@harness/deps kernel
	$(B)/snapbench kernel matrix --versions $(KERNEL_MATRIX_VERSIONS) \
		--scenarios $(KERNEL_MATRIX_SCENARIOS) $(KERNEL_MATRIX_FLAGS) \
		--out $(KERNEL_MATRIX_OUT)

# A new release (or a patch on one: KERNEL_TRACK_FLAGS=--extra-patch FILE)
# judged against a stored history without comparing across batches: the
# reference build is booted again beside it and the verdict is taken in
# that batch (snapbench kernel track --help; README, "Tracking new
# releases").  The new batch goes into the history.
KERNEL_TRACK_HISTORY ?= results/history
KERNEL_TRACK_VERSION ?= 6.12
KERNEL_TRACK_FLAGS   ?= --boots 8 --reps 1 --duration 0.5

kernel-track: all
	@harness/deps kernel
	$(B)/snapbench kernel track --history $(KERNEL_TRACK_HISTORY) \
		--version $(KERNEL_TRACK_VERSION) $(KERNEL_TRACK_FLAGS)

# Every series applies to every point release of its series in the archive
# (downloads the linux-source packages it has not cached: about 1.5 GB).
test-kernel-apply:
	@harness/deps kernel
	$(PROVE) --exec '' $(PROVE_FLAGS) $(KERNEL_APPLY_TEST)

# Every series is bisectable: each patch, on top of the ones before it,
# compiles the objects it touches, W=1 without new warnings, and is
# checkpatch --strict clean, on the newest point release of its series;
# a deliberately broken scratch copy must fail (harness/kernel/check-series).
# CHECK_SERIES_FLAGS (e.g. --debug) is passed on.
test-kernel-series:
	@harness/deps kernel
	CHECK_SERIES_FLAGS="$(CHECK_SERIES_FLAGS)" \
		$(PROVE) --exec '' $(PROVE_FLAGS) $(KERNEL_SERIES_TEST)

kernel-build:
	@harness/deps kernel
	harness/kernel/build --version $(KERNEL_VERSION) $(KERNEL_BUILD_FLAGS)

# harness/kernel/test-kernel says what is checked; TAP on stdout.
test-kernel: $(GUEST_PROG)
	@harness/deps kernel
	SNAPBENCH_BIN=$(CURDIR)/$(B) harness/kernel/test-kernel --version $(KERNEL_VERSION) \
		--out $(KERNEL_OUT)/$$(date -u +%Y%m%d-%H%M%S) \
		$(foreach f,$(KERNEL_BUILD_FLAGS) $(KERNEL_TEST_FLAGS),--build-flag $(f)) \
		$(foreach f,$(KERNEL_BOOT_FLAGS),--boot-flag $(f))

# The guest's snapbench: the same objects, static.  Without Google Benchmark
# (no static library of it: `snapbench micro` says so) and with udev stubs
# for the static libhwloc (harness/udev_none.c).
# (libsnap.a by name: LIBSNAP is set after this file is read)
GUEST_OBJS = $(B)/harness/snapbench.o $(B)/harness/micro_none.o $(B)/harness/udev_none.o
$(GUEST_PROG): $(GUEST_OBJS) $(B)/libsnap.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -static $^ -o $@ -lurcu-memb -lurcu-common -lhwloc -lm

ifeq ($(SAN),)
PROGS += $(GUEST_PROG)		# static: not with the sanitizers' runtimes
endif
guest: $(GUEST_PROG)
.PHONY: guest
