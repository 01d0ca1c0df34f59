// Preprocess: the Vulkan stage vs the CPU reference, same inputs, one run.
// Vulkan time per iteration = record + submit + wait (the whole GPU round trip); the
// "gpu_ms" counter is the dispatch alone, from GPU timestamps.
#include <benchmark/benchmark.h>

#include <random>

#include "stages/preprocess.h"
#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_allocator.h"
#include "vk/gpu_timestamps.h"
#include "vk/staging.h"

namespace meshrt {
namespace {

struct Setup {
  FrameLayout frame{1280, 720, 3, 0};
  gpu::PreprocessParams params{};
  std::vector<uint8_t> pixels;
};

Setup makeSetup(uint32_t outSize) {
  Setup setup;
  PreprocessConfig config;
  config.crop = {640, 360, 500, 420, 0.3f};
  config.outWidth = config.outHeight = outSize;
  config.normalization = Normalization::MeanStd;
  setup.params = *makePreprocessParams(config, setup.frame);
  setup.pixels.resize(size_t{1280} * 720 * 3);
  std::mt19937 random(5);
  for (auto& value : setup.pixels) value = static_cast<uint8_t>(random());
  return setup;
}

void preprocessCpuReference(benchmark::State& state) {
  const Setup setup = makeSetup(static_cast<uint32_t>(state.range(0)));
  std::vector<float> out(preprocessOutputFloats(setup.params));
  for (auto _ : state) {
    preprocessReference(setup.params, setup.pixels.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * setup.params.dstWidth * setup.params.dstHeight);
}

void preprocessVulkan(benchmark::State& state) {
  const Setup setup = makeSetup(static_cast<uint32_t>(state.range(0)));
  auto context = vk::Context::create({});
  if (!context) {
    state.SkipWithError(context.error().message.c_str());
    return;
  }
  vk::GpuAllocator allocator(**context);
  auto stream = vk::CommandStream::create(**context, 1);
  auto stage = PreprocessStage::create(**context);
  auto timestamps = vk::GpuTimestamps::create(**context, 1);
  auto frame = allocator.createBuffer({setup.pixels.size(), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT});
  auto tensor = allocator.createBuffer({preprocessOutputFloats(setup.params) * sizeof(float), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT});
  if (!stream || !stage || !timestamps || !frame || !tensor ||
      !vk::uploadNow(**stream, allocator, *frame, std::as_bytes(std::span(setup.pixels))).ok()) {
    state.SkipWithError("Vulkan set-up failed");
    return;
  }
  double gpuMs = 0;
  for (auto _ : state) {
    auto cmd = (*stream)->begin();
    (*timestamps)->reset(*cmd);
    const int id = (*timestamps)->beginSpan(*cmd, "preprocess");
    (void)(*stage)->record(**stream, *frame, *tensor, setup.params);
    (*timestamps)->endSpan(*cmd, id);
    auto value = (*stream)->submit();
    (void)(*stream)->wait(*value);
    auto spans = (*timestamps)->resolve();
    if (spans && !spans->empty()) gpuMs += ((*spans)[0].endNs - (*spans)[0].startNs) * 1e-6;
  }
  state.counters["gpu_ms"] = benchmark::Counter(gpuMs / static_cast<double>(state.iterations()));
  state.SetItemsProcessed(state.iterations() * setup.params.dstWidth * setup.params.dstHeight);
}

BENCHMARK(preprocessCpuReference)->Arg(224)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(preprocessVulkan)->Arg(224)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace meshrt
