# SPDX-License-Identifier: GPL-2.0
# harness/: the snapbench CLI and the libraries it is built from.
