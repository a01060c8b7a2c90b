# SPDX-License-Identifier: GPL-2.0
# kernel-patches/: guest kernels built from Debian's linux-source packages
# with the patch series, booted in QEMU (harness/kernel/, README.md here).
#
#   make kernel-build   newest 6.12 with kernel-patches/v6.12/series
#   make test-kernel    that kernel (debug flavour: lockdep, KASAN) booted
#                       under QEMU, upstream hmm-tests compared with the
#                       unpatched baseline; fails on BUG/WARNING/lockdep
# Variables: KERNEL_VERSION (default 6.12: the newest 6.12 in the archive),
# KERNEL_BUILD_FLAGS (e.g. --no-patches), KERNEL_TEST_FLAGS (e.g. to drop
# --debug), KERNEL_BOOT_FLAGS (e.g. --accel tcg), KERNEL_OUT (results dir).
# Nothing here is built by `make all`, and build outputs stay in the cache.

KERNEL_VERSION     ?= 6.12
KERNEL_BUILD_FLAGS ?=
KERNEL_TEST_FLAGS  ?= --debug
KERNEL_BOOT_FLAGS  ?=
KERNEL_OUT         ?= $(B)/kernel-test
KERNEL_BASELINE_DIR = harness/kernel/baseline

KERNEL_APPLY_TEST = tests/kernel/apply.t

.PHONY: kernel-build test-kernel test-kernel-apply

# Every series applies to every point release of its series in the archive
# (downloads the linux-source packages it has not cached: about 1.5 GB).
test-kernel-apply:
	@harness/deps kernel
	$(PROVE) --exec '' $(PROVE_FLAGS) $(KERNEL_APPLY_TEST)

kernel-build:
	@harness/deps kernel
	harness/kernel/build --version $(KERNEL_VERSION) $(KERNEL_BUILD_FLAGS)

# The boot exits 1 when hmm-tests reports a failure; whether that matters
# is decided against the baseline of the unpatched kernel of the same
# series, so only the other non-zero statuses stop the target there.
test-kernel:
	@harness/deps kernel
	@set -eu; \
	bdir=$$(harness/kernel/build --version $(KERNEL_VERSION) \
		$(KERNEL_BUILD_FLAGS) $(KERNEL_TEST_FLAGS)); \
	series=$$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["series"])' \
		"$$bdir/build.json"); \
	base=$(KERNEL_BASELINE_DIR)/hmm-tests-$$series; \
	out=$(KERNEL_OUT)/$$(date -u +%Y%m%d-%H%M%S); \
	rc=0; harness/kernel/boot --build "$$bdir" --strict --timeout 1800 \
		--out "$$out" $(KERNEL_BOOT_FLAGS) \
		--run run-hmm-tests --run 'run-hmm-tests thp=never' || rc=$$?; \
	case $$rc in 0|1) ;; *) echo "test-kernel: boot failed (status $$rc), see $$out" >&2; \
		exit $$rc ;; esac; \
	harness/kernel/tap-summary --baseline "$$base.tap" "$$out/payload-1.out"; \
	harness/kernel/tap-summary --baseline "$$base-thp-never.tap" "$$out/payload-2.out"
	@# ---- Scenarios per strategy go here (one short run each through the
	@# ---- in-kernel test driver, once the lead's in-guest runner exists):
	@#   harness/kernel/boot --build "$$bdir" --strict --add $(B)/snapbench-guest \
	@#       --run 'snapbench-guest --scenario munmap-storm --strategy STRATEGY --short'
