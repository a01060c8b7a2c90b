# SPDX-License-Identifier: GPL-2.0
# harness/: the snapbench CLI and the libraries it is built from.
LIB_SRCS += harness/histogram.c harness/jsonw.c harness/topology.c \
	    harness/runner.c harness/result.c
C_TESTS  += histogram jsonw runner seed_findings topology
