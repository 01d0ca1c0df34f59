// Raster stage on Vulkan vs its CPU reference, same inputs, one run. Cases: meshes of 1,280
// (icosphere level 3), 20,480 (icosphere level 5) and 199,712 (316 x 316 grid) triangles;
// 256^2 and 1024^2 targets; 1 and 144 views (random rotations, perspective, back faces culled).
// Vulkan time = RasterStage::run(): upload + all passes + wait (the whole round trip).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "stages/raster.h"
#include "support/test_meshes.h"
#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_timestamps.h"

namespace meshrt {
namespace {

const test::TestMesh& meshWithTriangles(int64_t triangles) {
  static std::map<int64_t, test::TestMesh> meshes;
  auto it = meshes.find(triangles);
  if (it != meshes.end()) return it->second;
  test::TestMesh mesh = triangles == 1280    ? test::makeIcosphere(3)
                        : triangles == 20480 ? test::makeIcosphere(5)
                                             : test::makeGrid(316);
  if (triangles == 199712) {  // bend the grid into a bowl so depth varies; keep it in front of the camera
    for (size_t v = 0; v < mesh.positions.size(); v += 3) {
      const float x = mesh.positions[v], y = mesh.positions[v + 1];
      mesh.positions[v + 2] = 0.3f * (x * x + y * y);
    }
  }
  return meshes.emplace(triangles, std::move(mesh)).first->second;
}

std::vector<gpu::RasterView> makeViews(int64_t count, uint32_t size) {
  std::mt19937 random(3);
  std::vector<gpu::RasterView> views;
  for (int64_t i = 0; i < count; ++i) {
    const auto rotation = count == 1 ? test::rotationFromAxisAngle(0.3f, 0.5f, 0.1f) : test::randomRotation(random);
    const float translation[3] = {0.0f, 0.0f, 3.2f};
    views.push_back(perspectiveView(rotation.data(), translation, 1.1f * size, 1.1f * size, 0.5f * size, 0.5f * size));
  }
  return views;
}

struct VulkanSetup {
  std::unique_ptr<vk::Context> context;
  std::unique_ptr<vk::GpuAllocator> allocator;
  std::unique_ptr<vk::CommandStream> stream;
  std::unique_ptr<RasterStage> stage;
  std::unique_ptr<vk::GpuTimestamps> timestamps;
};

VulkanSetup* vulkan() {
  static VulkanSetup* setup = [] {
    auto* s = new VulkanSetup();
    auto context = vk::Context::create({});
    if (!context) return s;
    s->context = std::move(context.value());
    s->allocator = std::make_unique<vk::GpuAllocator>(*s->context);
    s->stream = std::move(vk::CommandStream::create(*s->context, 1).value());
    s->stage = std::move(RasterStage::create(*s->context, *s->allocator).value());
    auto timestamps = vk::GpuTimestamps::create(*s->context, 64);
    if (timestamps) s->timestamps = std::move(timestamps.value());
    return s;
  }();
  return setup;
}

// Args: triangles, target size, views.
void rasterVulkan(benchmark::State& state) {
  VulkanSetup* setup = vulkan();
  if (!setup->stage) {
    state.SkipWithError("no Vulkan device");
    return;
  }
  const test::TestMesh& mesh = meshWithTriangles(state.range(0));
  const uint32_t size = static_cast<uint32_t>(state.range(1));
  const auto views = makeViews(state.range(2), size);
  const RasterConfig config{size, size, true};
  for (auto _ : state) {
    auto ran = setup->stage->run(*setup->stream, mesh.view(), views, config);
    if (!ran) {
      state.SkipWithError(ran.error().message.c_str());
      return;
    }
  }
  // Per-pass GPU time (ms, median of 5 extra runs with timestamps, after the timed loop so the
  // timed runs carry no query overhead). Counters gpu_<pass>_ms; a pass of several chunks sums.
  if (setup->timestamps) {
    std::map<std::string, std::vector<double>> passMs;
    for (int run = 0; run < 5; ++run) {
      if (!setup->stage->run(*setup->stream, mesh.view(), views, config, setup->timestamps.get())) break;
      auto spans = setup->timestamps->resolve();
      if (!spans) break;
      std::map<std::string, double> sums;
      for (const vk::GpuSpan& span : *spans) sums[span.name] += 1e-6 * double(span.endNs - span.startNs);
      for (const auto& [name, ms] : sums) passMs[name].push_back(ms);
    }
    for (auto& [name, samples] : passMs) {
      std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
      const std::string pass = name.rfind("raster_", 0) == 0 ? name.substr(7) : name;
      state.counters["gpu_" + pass + "_ms"] = samples[samples.size() / 2];
    }
  }
  state.counters["chunks"] = setup->stage->chunksInLastRun();
  state.counters["list_entries"] = setup->stage->listEntries();
}

void rasterCpuReference(benchmark::State& state) {
  const test::TestMesh& mesh = meshWithTriangles(state.range(0));
  const uint32_t size = static_cast<uint32_t>(state.range(1));
  const auto views = makeViews(state.range(2), size);
  const RasterConfig config{size, size, true};
  for (auto _ : state) {
    auto image = rasterReference(mesh.view(), views, config);
    benchmark::DoNotOptimize(image.ok());
  }
}

void cases(benchmark::internal::Benchmark* benchmark) {
  for (int64_t triangles : {1280, 20480, 199712}) {
    for (int64_t size : {256, 1024}) benchmark->Args({triangles, size, 1});
    benchmark->Args({triangles, 256, 144});
  }
}

BENCHMARK(rasterVulkan)->Apply(cases)->ArgNames({"tris", "size", "views"})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(rasterCpuReference)->Apply(cases)->ArgNames({"tris", "size", "views"})->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace meshrt
