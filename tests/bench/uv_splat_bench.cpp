// UV splat on Vulkan vs its CPU reference, same inputs: the level-4 icosphere at a seeded pose,
// image 256^2, texture 256^2, C = 3, 16, 128 (tests/support/uv_splat_scene.h).
// Vulkan forward = UvSplatStage::forward(): upload + insert + gather + wait + readback;
// Vulkan backward = UvSplatStage::backward(): upload of the upstream gradient + pass + wait + readback.
// Counters gpu_*_ms: GPU timestamp spans of the last iteration (the passes alone).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>

#include "stages/uv_splat.h"
#include "support/uv_splat_scene.h"
#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_timestamps.h"

namespace meshrt {
namespace {

const test::SplatScene& sceneWithChannels(int64_t channels, int64_t textureSize) {
  static std::map<std::pair<int64_t, int64_t>, test::SplatScene> scenes;
  const auto key = std::make_pair(channels, textureSize);
  auto it = scenes.find(key);
  if (it != scenes.end()) return it->second;
  return scenes.emplace(key, test::makeSplatScene(7, 256, uint32_t(channels), uint32_t(textureSize))).first->second;
}

std::vector<float> upstreamFor(const test::SplatScene& scene) {
  std::mt19937 random(8);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<float> values(size_t{scene.config.channels} * scene.config.textureWidth * scene.config.textureHeight);
  for (float& v : values) v = unit(random);
  return values;
}

struct VulkanSetup {
  std::unique_ptr<vk::Context> context;
  std::unique_ptr<vk::GpuAllocator> allocator;
  std::unique_ptr<vk::CommandStream> stream;
  std::unique_ptr<vk::GpuTimestamps> timestamps;
  std::unique_ptr<UvSplatStage> stage;
};

VulkanSetup* vulkan() {
  static VulkanSetup* setup = [] {
    auto* s = new VulkanSetup();
    auto context = vk::Context::create({});
    if (!context) return s;
    s->context = std::move(context.value());
    s->allocator = std::make_unique<vk::GpuAllocator>(*s->context);
    s->stream = std::move(vk::CommandStream::create(*s->context, 1).value());
    s->timestamps = std::move(vk::GpuTimestamps::create(*s->context, 8).value());
    s->stage = std::move(UvSplatStage::create(*s->context, *s->allocator).value());
    return s;
  }();
  return setup;
}

void recordSpans(benchmark::State& state, vk::GpuTimestamps& timestamps) {
  auto spans = timestamps.resolve();
  if (!spans) return;
  for (const auto& span : *spans) state.counters["gpu_" + span.name + "_ms"] = double(span.endNs - span.startNs) * 1e-6;
}

// Args: channels, texture size.
void uvSplatForwardVulkan(benchmark::State& state) {
  VulkanSetup* setup = vulkan();
  if (!setup->stage) {
    state.SkipWithError("no Vulkan device");
    return;
  }
  const test::SplatScene& scene = sceneWithChannels(state.range(0), state.range(1));
  for (auto _ : state) {
    auto forward = setup->stage->forward(*setup->stream, scene.config, scene.inputs(), setup->timestamps.get());
    if (!forward) {
      state.SkipWithError(forward.error().message.c_str());
      return;
    }
  }
  recordSpans(state, *setup->timestamps);
}

void uvSplatBackwardVulkan(benchmark::State& state) {
  VulkanSetup* setup = vulkan();
  if (!setup->stage) {
    state.SkipWithError("no Vulkan device");
    return;
  }
  const test::SplatScene& scene = sceneWithChannels(state.range(0), state.range(1));
  const std::vector<float> upstream = upstreamFor(scene);
  if (!setup->stage->forward(*setup->stream, scene.config, scene.inputs()).ok()) {
    state.SkipWithError("forward failed");
    return;
  }
  for (auto _ : state) {
    auto grads = setup->stage->backward(*setup->stream, upstream, setup->timestamps.get());
    if (!grads) {
      state.SkipWithError(grads.error().message.c_str());
      return;
    }
  }
  recordSpans(state, *setup->timestamps);
}

void uvSplatForwardCpuReference(benchmark::State& state) {
  const test::SplatScene& scene = sceneWithChannels(state.range(0), state.range(1));
  for (auto _ : state) {
    auto forward = uvSplatForwardReference(scene.config, scene.inputs());
    benchmark::DoNotOptimize(forward.ok());
  }
}

void uvSplatBackwardCpuReference(benchmark::State& state) {
  const test::SplatScene& scene = sceneWithChannels(state.range(0), state.range(1));
  const std::vector<float> upstream = upstreamFor(scene);
  auto forward = uvSplatForwardReference(scene.config, scene.inputs());
  for (auto _ : state) {
    auto grads = uvSplatBackwardReference(scene.config, scene.inputs(), *forward, upstream);
    benchmark::DoNotOptimize(grads.ok());
  }
}

void cases(benchmark::internal::Benchmark* benchmark) {
  for (int64_t channels : {3, 16, 128}) benchmark->Args({channels, 256});
}

BENCHMARK(uvSplatForwardVulkan)->Apply(cases)->ArgNames({"C", "tex"})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(uvSplatBackwardVulkan)->Apply(cases)->ArgNames({"C", "tex"})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(uvSplatForwardCpuReference)->Apply(cases)->ArgNames({"C", "tex"})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(uvSplatBackwardCpuReference)->Apply(cases)->ArgNames({"C", "tex"})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace meshrt
