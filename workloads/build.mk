# SPDX-License-Identifier: GPL-2.0
LIB_SRCS += workloads/mm.c workloads/rwsem.c workloads/scenario.c \
	    $(sort $(wildcard workloads/storms/*.c))
C_TESTS  += stress mirror_fault scenario
