# SPDX-License-Identifier: GPL-2.0
LIB_SRCS += strategies/registry.c strategies/seqcount.c strategies/rangequeue.c \
	    strategies/waitstats.c strategies/inject.c \
	    strategies/seqretry.c strategies/rangelock.c strategies/hybrid.c \
	    strategies/rangelock2015.c strategies/validflag.c
C_TESTS  += strategy_semantics
