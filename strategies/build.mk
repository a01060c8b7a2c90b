# SPDX-License-Identifier: GPL-2.0
# Every strategies/*.c is part of libsnap.a: a strategy is one file plus
# its line in registry.c.
LIB_SRCS += $(sort $(wildcard strategies/*.c))
C_TESTS  += strategy_semantics
