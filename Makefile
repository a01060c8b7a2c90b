# SPDX-License-Identifier: GPL-2.0
# snapbench - benchmarks of how device drivers mirror CPU page tables.
# Each area adds its sources, programs and tests in its own build.mk.

B        ?= build
CC       ?= cc
CXX      ?= c++
SAN      ?=
CFLAGS   ?= -O2 -g
WFLAGS   := -Wall -Wextra -Werror -Wno-unused-parameter
CPPFLAGS += -I. -D_GNU_SOURCE
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

include strategies/build.mk
include workloads/build.mk
include harness/build.mk
-include reports/build.mk
-include strategies/model/build.mk
-include kernel-patches/build.mk
include tests/build.mk

LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
LIBSNAP  := $(B)/libsnap.a

.PHONY: all deps test test-tsan test-asan test-sanitize clean
.DEFAULT_GOAL := all

all: $(LIBSNAP) $(PROGS) $(TEST_PROGS)

deps:
	@harness/deps build test report model

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(B)/%.o: %.cc
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

# Sanitizer builds of every compiled test, each in its own tree.
SAN_RUN = $(PROVE) --exec '' $(PROVE_FLAGS) $(patsubst $(B)/%,build/$(1)/%,$(TEST_PROGS))

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

clean:
	rm -rf build reports/out

-include $(shell find $(B) -name '*.d' 2>/dev/null)
