# SPDX-License-Identifier: GPL-2.0
# harness/: the snapbench CLI and the libraries it is built from.
LIB_SRCS += harness/histogram.c harness/jsonw.c
C_TESTS  += histogram jsonw
