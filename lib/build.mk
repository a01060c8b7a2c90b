# SPDX-License-Identifier: GPL-2.0
# lib/: the bottom layer, what every other directory may include: the clock,
# the random numbers and the number parser.  It includes nothing of ours
# above it (tests/layering.t).
LIB_SRCS += lib/number.c
