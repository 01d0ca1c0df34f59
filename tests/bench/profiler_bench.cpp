// Cost of one profiler span (open + close + record), enabled and disabled.
#include <benchmark/benchmark.h>

#include "core/profiler.h"

namespace meshrt {
namespace {

void profilerSpan(benchmark::State& state) {
  Profiler profiler(1 << 20);
  profiler.setEnabled(state.range(0) != 0);
  int64_t frame = 0;
  int64_t recorded = 0;
  for (auto _ : state) {
    { auto span = profiler.span("preprocess"); }
    if (++recorded == (1 << 19)) {  // keep memory bounded on long runs
      recorded = 0;
      state.PauseTiming();
      profiler.clear();
      profiler.beginFrame(++frame);
      state.ResumeTiming();
    }
  }
}

BENCHMARK(profilerSpan)->Arg(1)->Arg(0)->ArgName("enabled");

}  // namespace
}  // namespace meshrt

BENCHMARK_MAIN();
