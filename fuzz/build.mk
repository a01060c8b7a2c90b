# SPDX-License-Identifier: GPL-2.0
# fuzz/: libFuzzer targets for the scenario-file parser and the options of
# `snapbench run`, and fuzz/readers.py for the Python readers of result
# files (check-result, snapreport), standard library only.  `make fuzz FUZZ_SECONDS=N` builds them with clang, ASan
# and UBSan in build/fuzz/ (its own tree, like the sanitizer builds) and runs
# each for N seconds (fuzz/run).  The replay test runs the seeds (fuzz/corpus/,
# the shipped scenario files) and fuzz/regressions/ through the same entry
# points, built without libFuzzer, under `make test`.
FUZZ_TARGETS := scenario run_args
FUZZ_SECONDS ?= 60
FUZZ_B       := build/fuzz
FUZZ_SAN     := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
FUZZ_OBJS    := $(FUZZ_TARGETS:%=$(B)/fuzz/%.o)

$(FUZZ_OBJS) $(B)/fuzz/replay.o: CPPFLAGS += -DSNAP_SRCDIR='"$(CURDIR)"'

TEST_PROGS += $(B)/tests/fuzz_replay.t
$(B)/tests/fuzz_replay.t: $(B)/fuzz/replay.o $(FUZZ_OBJS) $(B)/tests/tap.o $(B)/libsnap.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDLIBS)

# Inside the fuzz tree (B=build/fuzz): libFuzzer's main calls FUZZ_ENTRY.
.PRECIOUS: $(B)/fuzz/libfuzzer-%.o
$(B)/fuzz/libfuzzer-%.o: fuzz/libfuzzer.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -DFUZZ_ENTRY=fuzz_$* -c $< -o $@

$(B)/fuzz-%: $(B)/fuzz/%.o $(B)/fuzz/libfuzzer-%.o $(B)/libsnap.a
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $^ -o $@ $(LDLIBS)

.PHONY: fuzz
fuzz:	# clang and its runtimes, libFuzzer's among them, are the tsan group
	@harness/deps build tsan
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=clang CXX=clang++ SAN="$(FUZZ_SAN)" \
		CFLAGS="-O1 -g" $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz-%)
	@rc=0; for t in $(FUZZ_TARGETS); do fuzz/run $(FUZZ_B) $$t $(FUZZ_SECONDS) || rc=1; done; \
		echo "fuzz readers: $(FUZZ_SECONDS) s"; \
		fuzz/readers.py --seed $$(date +%s) --seconds $(FUZZ_SECONDS) \
			--crashes $(FUZZ_B)/crashes/readers \
			--replay $(wildcard fuzz/regressions/readers/*.json) \
			-- $(wildcard fuzz/corpus/readers/*.json) > $(FUZZ_B)/readers.log || rc=1; \
		grep -v '^ok ' $(FUZZ_B)/readers.log; exit $$rc
