# SPDX-License-Identifier: GPL-2.0
# tests/: TAP tests run by prove.  A C test is tests/NAME.c; list it here.
# (C_TESTS may also be listed in the build.mk of the area a test covers.)
# Test scripts are tests/*.t (executable, any language, TAP on stdout).
C_TESTS      += seed_races
TEST_PROGS   += $(patsubst %,$(B)/tests/%.t,$(C_TESTS))
TEST_SCRIPTS += $(sort $(wildcard tests/*.t))

# An LD_PRELOAD stand-in for lib/test_snapbench (tests/kernel-world.t), so
# that the kernel world runs on any machine; not with the sanitizers'
# runtimes, which must come first.
ifeq ($(SAN),)
PROGS += $(B)/tests/fake_snapbench.so
endif
$(B)/tests/fake_snapbench.so: tests/fake_snapbench.c $(B)/guest/test_snapbench.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(B)/guest $(ALL_CFLAGS) -fPIC -shared $< -o $@ -ldl
