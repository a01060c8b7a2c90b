# SPDX-License-Identifier: GPL-2.0
# snapbench - benchmarks of how device drivers mirror CPU page tables.
# Each area adds its sources, programs and tests in its own build.mk.

B        ?= build
CC       ?= cc
CXX      ?= c++
SAN      ?=
CFLAGS   ?= -O2 -g
WFLAGS   := -Wall -Wextra -Werror -Wno-unused-parameter
CPPFLAGS += -I. -I$(B)/gen -D_GNU_SOURCE
ALL_CFLAGS   = -std=c11 $(WFLAGS) $(CFLAGS) $(SAN) -pthread -MMD -MP
ALL_CXXFLAGS = -std=c++17 $(WFLAGS) $(CFLAGS) $(SAN) -pthread -MMD -MP
LDLIBS   += -lurcu-memb -lurcu-common -lhwloc -lm
PROVE    ?= prove

# Filled in by the build.mk files:
LIB_SRCS     :=	# C sources of libsnap.a (strategies, model, harness core)
PROGS        :=	# programs under $(B)/
TEST_PROGS   :=	# compiled TAP tests, $(B)/tests/*.t
TEST_SCRIPTS :=	# TAP test scripts, tests/*.t
C_TESTS      :=	# names of C tests: tests/NAME.c

include lib/build.mk
include strategies/build.mk
include workloads/build.mk
include harness/build.mk
-include reports/build.mk
-include strategies/model/build.mk
-include kernel-patches/build.mk
-include fuzz/build.mk
include tests/build.mk

LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
LIBSNAP  := $(B)/libsnap.a

.PHONY: all deps test test-tsan test-asan test-sanitize soak clean
.DEFAULT_GOAL := all

all: $(LIBSNAP) $(PROGS) $(TEST_PROGS)

deps:
	@harness/deps build test report model

# Every object may include a generated header ($(B)/gen/: storm-list.h).
$(B)/%.o: %.c | $(B)/gen/storm-list.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(B)/%.o: %.cc | $(B)/gen/storm-list.h
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(ALL_CXXFLAGS) -c $< -o $@

$(LIBSNAP): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# A compiled test is one C file, tests/NAME.c -> $(B)/tests/NAME.t.
$(B)/tests/%.t: $(B)/tests/%.o $(B)/tests/tap.o $(LIBSNAP)
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

test: deps
	@$(MAKE) --no-print-directory all
	$(PROVE) --exec '' $(PROVE_FLAGS) $(TEST_PROGS) $(TEST_SCRIPTS)

# Sanitizer builds of every compiled test, each in its own tree, and the
# test scripts that run the snapbench binary (it is found through B): the
# rest are Python (reports) or run no C code of ours (spin's verifiers).
SAN_SCRIPTS := tests/cli.t tests/cli-hostile.t tests/interrupt.t
SAN_RUN = B=build/$(1) $(PROVE) --exec '' $(PROVE_FLAGS) \
	$(patsubst $(B)/%,build/$(1)/%,$(TEST_PROGS)) $(SAN_SCRIPTS)

test-tsan:
	@harness/deps build test tsan
	@$(MAKE) --no-print-directory B=build/tsan CC=clang CXX=clang++ \
		SAN="-fsanitize=thread" CFLAGS="-O1 -g" all
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(CURDIR)/tests/tsan.supp" \
		$(call SAN_RUN,tsan)

test-asan:
	@harness/deps build test tsan
	@$(MAKE) --no-print-directory B=build/asan CC=clang CXX=clang++ \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		CFLAGS="-O1 -g" all
	ASAN_OPTIONS="detect_stack_use_after_return=1:detect_leaks=1" \
		UBSAN_OPTIONS="print_stacktrace=1" $(call SAN_RUN,asan)

test-sanitize: test-asan test-tsan

# Soak: a benchmark, not a CI test (harness/soak).  Every correct strategy
# (those `snapbench list` does not mark known unsafe) runs the harshest
# scenario in SOAK_CHUNK_S chunks until it has made SOAK_PASSES mirror
# passes; the report is passes, invariant violations (must be 0), hung runs
# and wall time per strategy, and the exit status is non-zero on any
# violation or hang (run.watchdog_s catches a hang within 10 s).
#
# The scenario: `mixed` (every invalidation source: munmap, madvise, kswapd
# and direct reclaim, NUMA protection changes, the non-blockable OOM reaper,
# migration, and COW breaks in the mirror's own faults), with every storm
# at rate max and aimed, with the mirror, at a 1024-page hot set (allocation
# stays everywhere, so memory runs short and reclaim works).  Two changes
# make passes cheap enough for 10^8 of them: 4-page mirror ranges, and no
# device invalidation cost (20 us in `mixed`, which cuts invalidations
# twentyfold).  No placement: the scheduler moves threads, which
# interleaves them more and doubles the rate on two cores.  Measured on
# this 2-core machine type, 2026-12-01, with a kernel build beside it for
# part of the time (make soak SOAK_OUT=/root/soak-full):
#   seqretry  108,330,620 passes   605 s  179,088/s  0 violations  0 hangs
#   rangelock 105,833,360 passes  1098 s   96,414/s  0 violations  0 hangs
#   hybrid    104,161,474 passes   742 s  140,379/s  0 violations  0 hangs
# so about 41 minutes in all.
SOAK_PASSES   ?= 100000000
SOAK_CHUNK_S  ?= 60
SOAK_OUT      ?=
SOAK_SCENARIO := --scenario mixed --placement none \
	--set device.invalidate_cost_us=0 --set mirror.range_pages=4 \
	--set mirror.pattern=hot --set mirror.hot_pages=1024 \
	$(foreach s,munmap madvise kswapd alloc numa oom_reap migrate,--set storm.$(s).rate=max) \
	$(foreach s,munmap madvise kswapd numa oom_reap migrate,--set storm.$(s).target=hot) \
	--set storm.numa.range_pages=512

soak: all
	harness/soak --snapbench $(B)/snapbench --passes $(SOAK_PASSES) \
		--chunk $(SOAK_CHUNK_S) $(if $(SOAK_OUT),--out $(SOAK_OUT)) -- $(SOAK_SCENARIO)

clean:
	rm -rf build reports/out

-include $(shell find $(B) -name '*.d' 2>/dev/null)
