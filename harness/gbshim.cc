// SPDX-License-Identifier: GPL-2.0
/*
 * gbshim.cc - Google Benchmark behind a C interface: registration, batched
 * iteration, counters and the main entry.
 */
#include <benchmark/benchmark.h>

#include "harness/gbshim.h"

struct gb_state {
	benchmark::State *st;
};

struct gb_bench {
	benchmark::internal::Benchmark *b;
};

#define GB_MAX_BATCH	256

extern "C" struct gb_bench *gb_register(const char *name, gb_fn fn, void *arg)
{
	auto *h = new gb_bench;

	h->b = benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &st) {
		gb_state s = { &st };

		fn(&s, arg);
	});
	return h;
}

extern "C" void gb_threads(struct gb_bench *b, int n)
{
	b->b->Threads(n);
}

extern "C" void gb_min_time(struct gb_bench *b, double seconds)
{
	b->b->MinTime(seconds);
}

extern "C" size_t gb_keep_running_batch(struct gb_state *s)
{
	benchmark::IterationCount left = s->st->max_iterations - s->st->iterations();
	benchmark::IterationCount n = left < 1 ? 1 : left > GB_MAX_BATCH ? GB_MAX_BATCH : left;

	return s->st->KeepRunningBatch(n) ? (size_t)n : 0;
}

extern "C" int gb_thread_index(struct gb_state *s)
{
	return s->st->thread_index();
}

extern "C" void gb_counter(struct gb_state *s, const char *name, double value, int flags)
{
	int f = benchmark::Counter::kDefaults;

	if (flags & GB_COUNTER_RATE)
		f |= benchmark::Counter::kIsRate;
	if (flags & GB_COUNTER_AVG_THREADS)
		f |= benchmark::Counter::kAvgThreads;
	s->st->counters[name] = benchmark::Counter(value,
						   static_cast<benchmark::Counter::Flags>(f));
}

extern "C" int gb_main(int *argc, char **argv)
{
	benchmark::Initialize(argc, argv);
	if (benchmark::ReportUnrecognizedArguments(*argc, argv))
		return 2;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
