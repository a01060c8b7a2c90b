# SPDX-License-Identifier: GPL-2.0
# strategies/model/build.mk - `make model-check`: check the Promela models of
# the mirror designs with spin (see strategies/model/README.md).
# The same checks run under `make test` through tests/model-check.t.

.PHONY: model-check
model-check:
	@harness/deps model
	strategies/model/check --out $(B)/model
