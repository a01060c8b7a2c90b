# SPDX-License-Identifier: GPL-2.0
# harness/: the snapbench CLI and the libraries it is built from.
LIB_SRCS += harness/histogram.c harness/jsonw.c harness/topology.c \
	    harness/probe.c harness/runner.c harness/result.c harness/runargs.c \
	    harness/world_model.c harness/world_kernel.c
C_TESTS  += histogram jsonw runner seed_findings topology validflag_findings

# The CLI: C, plus the C++ shim over Google Benchmark (linked with $(CXX)).
REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
SNAPBENCH_OBJS := $(B)/harness/snapbench.o $(B)/harness/micro.o $(B)/harness/gbshim.o
PROGS += $(B)/snapbench

$(B)/snapbench: $(SNAPBENCH_OBJS) $(B)/libsnap.a
	$(CXX) $(ALL_CXXFLAGS) $^ -o $@ $(LDLIBS) -lbenchmark

$(B)/harness/snapbench.o: CPPFLAGS += -DSNAP_SRCDIR='"$(CURDIR)"'

# The revision recorded in result files; rewritten only when it changes.
$(B)/revision.h: FORCE
	@mkdir -p $(B)
	@echo '#define SNAP_REVISION "$(REVISION)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(B)/harness/result.o: $(B)/revision.h
$(B)/harness/result.o: CPPFLAGS += -I$(B)

# The kernel world speaks lib/test_snapbench's uapi, taken from the series
# itself (no kernel tree needed to build it).
KERNEL_UAPI_PATCH = $(wildcard kernel-patches/v6.12/*-lib-test_snapbench-*.patch)
$(B)/guest/test_snapbench.h: $(KERNEL_UAPI_PATCH)
	@mkdir -p $(dir $@)
	awk '/^\+\+\+ b\/include\/uapi\/linux\/test_snapbench.h/ { on = 1; next } \
	     on && /^diff --git/ { exit } on && /^\+/ { print substr($$0, 2) }' $< > $@.tmp
	@test -s $@.tmp || { echo "$<: no include/uapi/linux/test_snapbench.h in the patch" >&2; exit 1; }
	mv $@.tmp $@
$(B)/harness/world_kernel.o: $(B)/guest/test_snapbench.h
$(B)/harness/world_kernel.o: CPPFLAGS += -I$(B)/guest

.PHONY: FORCE
FORCE:
