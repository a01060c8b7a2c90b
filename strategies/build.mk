# SPDX-License-Identifier: GPL-2.0
LIB_SRCS += strategies/registry.c strategies/seqretry.c strategies/rangelock.c
C_TESTS  += strategy_semantics
