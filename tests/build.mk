# SPDX-License-Identifier: GPL-2.0
# tests/: TAP tests run by prove.  A C test is tests/NAME.c; list it here.
# (C_TESTS may also be listed in the build.mk of the area a test covers.)
# Test scripts are tests/*.t (executable, any language, TAP on stdout).
C_TESTS      += seed_races
TEST_PROGS   += $(patsubst %,$(B)/tests/%.t,$(C_TESTS))
TEST_SCRIPTS += $(sort $(wildcard tests/*.t))
