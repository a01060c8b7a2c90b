// SPDX-License-Identifier: GPL-2.0
/*
 * libfuzzer.c - libFuzzer's entry point for one target, FUZZ_ENTRY (set by
 * fuzz/build.mk: fuzz_scenario, fuzz_run_args).
 */
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FUZZ_ENTRY(data, size);
}
