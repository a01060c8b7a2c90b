# SPDX-License-Identifier: GPL-2.0
# workloads/: the model, the scenarios and the storms.  Every workloads/*.c
# (the model) is part of libsnap.a, and so is every storm: a storm is one
# file, workloads/storms/NAME.c defining NAME_storm (workloads/storm.h), and
# the list of storms, storm-list.h, is made from the files found there.
STORM_NAMES := $(sort $(basename $(notdir $(wildcard workloads/storms/*.c))))
LIB_SRCS += $(sort $(wildcard workloads/*.c)) $(STORM_NAMES:%=workloads/storms/%.c)
C_TESTS  += stress mirror_fault scenario

# STORM(name) for each storm; rewritten only when the list changes.
$(B)/gen/storm-list.h: FORCE
	@mkdir -p $(dir $@)
	@printf '/* made by workloads/build.mk: one line per workloads/storms/NAME.c */\n' > $@.tmp
	@printf 'STORM(%s)\n' $(STORM_NAMES) >> $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
