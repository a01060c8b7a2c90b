#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/model-check.t - spin model checks of the mirror designs, as TAP:
# expected outcomes of strategies/model/*.pml (skipped when spin is absent).
set -eu
cd "$(dirname "$0")/.."
if ! command -v spin >/dev/null 2>&1; then
	echo "1..0 # SKIP spin not installed (make model-check installs it)"
	exit 0
fi
exec strategies/model/check --out "${B:-build}/model"
