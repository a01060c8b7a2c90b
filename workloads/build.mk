# SPDX-License-Identifier: GPL-2.0
# Every workloads/*.c (the model) and workloads/storms/*.c is part of libsnap.a.
LIB_SRCS += $(sort $(wildcard workloads/*.c)) $(sort $(wildcard workloads/storms/*.c))
C_TESTS  += stress mirror_fault scenario
