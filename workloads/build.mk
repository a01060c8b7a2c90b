# SPDX-License-Identifier: GPL-2.0
LIB_SRCS += workloads/mm.c workloads/rwsem.c
C_TESTS  += stress
C_TESTS  += mirror_fault
