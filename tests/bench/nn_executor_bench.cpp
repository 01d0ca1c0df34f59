// The encoder executors on a MobileNetV2-style network (tests/nn/mobilenet_like.h): the oneDNN
// CPU executor (1 and 2 threads) vs the naive reference, same graph, same input. Input
// [1][3][S][S] with S = the benchmark argument. Counters: planned arena vs unshared activation
// bytes, steps, reorders.
#include <benchmark/benchmark.h>

#include "nn/cpu_executor.h"
#include "nn/mobilenet_like.h"
#include "nn/reference_executor.h"
#include "support/splitmix.h"

namespace meshrt {
namespace {

void nnCpuExecutor(benchmark::State& state) {
  const int64_t size = state.range(0);
  test::GraphBuilder builder = test::makeMobileNetLike(size, 10, 7);
  if (auto shapes = nn::inferShapes(builder.graph()); !shapes) {
    state.SkipWithError(shapes.error().message.c_str());
    return;
  }
  auto executor = nn::CpuExecutor::create(builder.graph(), {static_cast<int>(state.range(1))});
  if (!executor) {
    state.SkipWithError(executor.error().message.c_str());
    return;
  }
  const std::vector<float> input = test::splitmixSigned(3, static_cast<uint64_t>(3 * size * size));
  std::vector<float> output(10);
  const std::span<const float> inputs[] = {input};
  const std::span<float> outputs[] = {output};
  for (auto _ : state) {
    if (!(*executor)->run(inputs, outputs)) state.SkipWithError("run failed");
    benchmark::DoNotOptimize(output.data());
  }
  const nn::CpuExecutorStats& stats = (*executor)->stats();
  state.counters["arena_KiB"] = static_cast<double>(stats.arenaBytes) / 1024.0;
  state.counters["unshared_KiB"] = static_cast<double>(stats.activationBytes) / 1024.0;
  state.counters["steps"] = static_cast<double>(stats.steps);
  state.counters["reorders"] = static_cast<double>(stats.reorderSteps);
}

void nnReferenceExecutor(benchmark::State& state) {
  const int64_t size = state.range(0);
  test::GraphBuilder builder = test::makeMobileNetLike(size, 10, 7);
  if (auto shapes = nn::inferShapes(builder.graph()); !shapes) {
    state.SkipWithError(shapes.error().message.c_str());
    return;
  }
  const std::vector<std::vector<float>> inputs{test::splitmixSigned(3, static_cast<uint64_t>(3 * size * size))};
  for (auto _ : state) {
    auto outputs = nn::runReference(builder.graph(), inputs);
    if (!outputs) state.SkipWithError(outputs.error().message.c_str());
    benchmark::DoNotOptimize(outputs);
  }
}

BENCHMARK(nnCpuExecutor)->ArgsProduct({{128, 224}, {1, 2}})->ArgNames({"size", "threads"})->Unit(benchmark::kMillisecond);
BENCHMARK(nnReferenceExecutor)->Arg(128)->ArgName("size")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace meshrt
