// meshrt_uv_splat_cases: the C++ side of tools/uv_splat_peer.py (issue 4, acceptance 2 and 6).
//   meshrt_uv_splat_cases write DIR         the golden cases' inputs (small; committed)
//   meshrt_uv_splat_cases write-bench DIR   the benchmark cases' inputs (256^2 image)
//   meshrt_uv_splat_cases time DIR REPEATS  times UvSplatStage (Vulkan) forward and backward on
//                                           DIR's cases; prints JSON {name: {forward_ms, backward_ms,
//                                           forward_reuse_ms, backward_reuse_ms, gpu_span_ms: {pass: ms}}}
//                                           (medians; one warm-up run not counted; *_reuse_ms keep the
//                                           output vectors across calls; spans from extra runs)
// Inputs come from the raster stage's CPU reference: the UV-mapped icosphere (spherical UVs,
// tests/support/test_meshes.h) at seeded random rotations, perspective camera, back faces culled.
// Per case NAME: DIR/NAME_uvs.npy float32 [H][W][2] (0 where uncovered), DIR/NAME_mask.npy uint8
// [H][W] (1 = covered); DIR/cases.json lists the cases. Features and upstream gradients are not
// stored: both sides generate them from the seeds (tests/support/splitmix.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/npy_file.h"
#include "stages/raster.h"
#include "stages/uv_splat.h"
#include "support/splitmix.h"
#include "support/test_meshes.h"
#include "vk/command_stream.h"
#include "vk/context.h"
#include "vk/gpu_allocator.h"
#include "vk/gpu_timestamps.h"

namespace {

struct CaseSpec {
  const char* name;
  uint32_t channels, imageSize, textureSize, lutCapacity;
  uint32_t poseSeed;
  bool mirrored = false;  // a synthetic UV field folded about the image's vertical centre line
};

// Golden cases: C = 3, 16, 128; textures coarser and finer than the image; one case whose
// texture is so coarse that many quads share a texel and the lookup table overflows.
constexpr CaseSpec GOLDEN_CASES[] = {
    {"c3_img64_tex64", 3, 64, 64, 10, 1},
    {"c16_img48_tex96", 16, 48, 96, 10, 2},
    {"c128_img24_tex32", 128, 24, 32, 10, 3},
    {"c3_img64_tex16_lut2", 3, 64, 16, 2, 4},
    // Mirror-symmetric UVs, as symmetric templates share one UV half between their two sides
    // (CMR/UMR): every visible texel lies in a quad on each side, so a lookup table of 1 drops.
    {"c3_img40_tex48_mirror_lut1", 3, 40, 48, 1, 5, true},
};
constexpr CaseSpec BENCH_CASES[] = {
    {"c3_img256_tex256", 3, 256, 256, 10, 11},
    {"c16_img256_tex256", 16, 256, 256, 10, 11},
    {"c128_img256_tex256", 128, 256, 256, 10, 11},
    {"c3_img256_tex1024", 3, 256, 1024, 10, 11},
};

// u grows with the distance from the vertical centre line, v with y, both slightly curved.
void mirroredUvs(uint32_t size, std::vector<float>& uvs, std::vector<uint8_t>& mask) {
  const float half = 0.5f * static_cast<float>(size);
  for (uint32_t y = 0; y < size; ++y) {
    for (uint32_t x = 0; x < size; ++x) {
      const float fromCentre = std::abs(static_cast<float>(x) + 0.5f - half) / half;  // 0..1
      const float down = (static_cast<float>(y) + 0.5f) / static_cast<float>(size);   // 0..1
      const size_t p = size_t(y) * size + x;
      uvs[2 * p] = 0.1f + 0.8f * fromCentre + 0.02f * std::sin(6.0f * down);
      uvs[2 * p + 1] = 0.1f + 0.8f * down + 0.03f * fromCentre * fromCentre;
      mask[p] = 1;
    }
  }
}

// The raster reference's UVs and coverage of the icosphere at a seeded random rotation.
bool rasterizeSphere(const CaseSpec& spec, std::vector<float>& uvs, std::vector<uint8_t>& mask) {
  using namespace meshrt;
  const test::TestMesh sphere = test::makeIcosphere(3);
  std::mt19937 random(spec.poseSeed);
  const auto rotation = test::randomRotation(random);
  const float translation[3] = {0.0f, 0.0f, 3.0f};
  const float size = static_cast<float>(spec.imageSize);
  // Focal length 1.05 * size: the unit sphere at distance 3 fills about 75% of the image width.
  const gpu::RasterView view =
      perspectiveView(rotation.data(), translation, 1.05f * size, 1.05f * size, 0.5f * size, 0.5f * size);
  RasterConfig config;
  config.width = config.height = spec.imageSize;
  config.cullBackFaces = true;
  auto image = rasterReference(sphere.view(), {&view, 1}, config);
  if (!image.ok()) {
    std::fprintf(stderr, "meshrt_uv_splat_cases: %s\n", image.error().message.c_str());
    return false;
  }
  for (size_t p = 0; p < mask.size(); ++p) {
    if (image->triangleIds[p] == RASTER_NO_TRIANGLE) continue;
    mask[p] = 1;
    uvs[2 * p] = image->attributes[p * image->attributeStride];
    uvs[2 * p + 1] = image->attributes[p * image->attributeStride + 1];
  }
  return true;
}

bool writeCase(const std::string& dir, const CaseSpec& spec, nlohmann::json& list) {
  using namespace meshrt;
  const size_t pixels = size_t(spec.imageSize) * spec.imageSize;
  std::vector<float> uvs(pixels * 2, 0.0f);  // [H][W][2], 0 where uncovered
  std::vector<uint8_t> mask(pixels, 0);      // [H][W]
  if (spec.mirrored) {
    mirroredUvs(spec.imageSize, uvs, mask);
  } else if (!rasterizeSphere(spec, uvs, mask)) {
    return false;
  }
  const std::string base = dir + "/" + spec.name;
  const uint64_t uvShape[3] = {spec.imageSize, spec.imageSize, 2};
  const uint64_t maskShape[2] = {spec.imageSize, spec.imageSize};
  for (auto written : {writeNpy(base + "_uvs.npy", uvShape, uvs),
                       writeNpy(base + "_mask.npy", NpyType::Uint8, maskShape, mask.data())}) {
    if (!written.ok()) {
      std::fprintf(stderr, "meshrt_uv_splat_cases: %s\n", written.error().message.c_str());
      return false;
    }
  }
  list.push_back({{"name", spec.name},
                  {"channels", spec.channels},
                  {"imageWidth", spec.imageSize},
                  {"imageHeight", spec.imageSize},
                  {"textureWidth", spec.textureSize},
                  {"textureHeight", spec.textureSize},
                  {"maxQuadExtent", 0.2},
                  {"lutCapacity", spec.lutCapacity},
                  {"featureSeed", 100 + spec.poseSeed},
                  {"gradSeed", 200 + spec.poseSeed}});
  return true;
}

template <size_t N>
int writeCases(const std::string& dir, const CaseSpec (&cases)[N]) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& spec : cases) {
    if (!writeCase(dir, spec, list)) return 1;
  }
  const std::string path = dir + "/cases.json";
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file) {
    std::fprintf(stderr, "meshrt_uv_splat_cases: %s: cannot open for writing\n", path.c_str());
    return 1;
  }
  const std::string text = nlohmann::json{{"cases", list}}.dump(1) + "\n";
  const bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  return std::fclose(file) == 0 && ok ? 0 : 1;
}

double medianMs(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Vulkan forward = UvSplatStage::forward() (upload, insert, gather, wait, readback); backward =
// UvSplatStage::backward() (upstream-gradient upload, pass, wait, readback): the whole round
// trip each, as the PyTorch peer's times include everything too.
int timeCases(const std::string& dir, int repeats) {
  using namespace meshrt;
  std::ifstream file(dir + "/cases.json");
  if (!file) {
    std::fprintf(stderr, "meshrt_uv_splat_cases: %s/cases.json: cannot open\n", dir.c_str());
    return 1;
  }
  const auto cases = nlohmann::json::parse(file, nullptr, false);
  if (cases.is_discarded() || !cases.contains("cases")) {
    std::fprintf(stderr, "meshrt_uv_splat_cases: %s/cases.json: not the expected JSON\n", dir.c_str());
    return 1;
  }
  auto context = vk::Context::create({});
  if (!context.ok()) {
    std::fprintf(stderr, "meshrt_uv_splat_cases: %s\n", context.error().message.c_str());
    return 1;
  }
  vk::GpuAllocator allocator(*context.value());
  auto stream = vk::CommandStream::create(*context.value(), 1);
  auto stage = stream.ok() ? UvSplatStage::create(*context.value(), allocator)
                           : Result<std::unique_ptr<UvSplatStage>>(stream.error());
  if (!stage.ok()) {
    std::fprintf(stderr, "meshrt_uv_splat_cases: %s\n", stage.error().message.c_str());
    return 1;
  }
  auto timestamps = vk::GpuTimestamps::create(*context.value(), 16);
  if (!timestamps.ok()) {
    std::fprintf(stderr, "meshrt_uv_splat_cases: %s\n", timestamps.error().message.c_str());
    return 1;
  }
  nlohmann::json timings = nlohmann::json::object();
  for (const auto& testCase : cases["cases"]) {
    const std::string name = testCase["name"];
    UvSplatConfig config;
    config.imageWidth = testCase["imageWidth"];
    config.imageHeight = testCase["imageHeight"];
    config.channels = testCase["channels"];
    config.textureWidth = testCase["textureWidth"];
    config.textureHeight = testCase["textureHeight"];
    config.maxQuadExtent = testCase["maxQuadExtent"];
    config.lutCapacity = testCase["lutCapacity"];
    auto uvs = readNpy(dir + "/" + name + "_uvs.npy");
    auto mask = readNpy(dir + "/" + name + "_mask.npy");
    if (!uvs.ok() || !mask.ok()) {
      std::fprintf(stderr, "meshrt_uv_splat_cases: %s\n", (uvs.ok() ? mask.error() : uvs.error()).message.c_str());
      return 1;
    }
    const uint64_t pixels = uint64_t(config.imageWidth) * config.imageHeight;
    const uint64_t texels = uint64_t(config.textureWidth) * config.textureHeight;
    const auto features = test::splitmixSigned(testCase["featureSeed"], config.channels * pixels);
    const auto textureGrad = test::splitmixSigned(testCase["gradSeed"], config.channels * texels);
    const UvSplatInputs inputs{features, uvs->floats(), mask->uint8s()};
    std::vector<double> forwardMs, backwardMs;
    std::map<std::string, std::vector<double>> spanMs;  // GPU timestamp spans of each pass
    auto addSpans = [&]() {
      auto spans = timestamps.value()->resolve();
      if (!spans.ok()) return;
      for (const auto& span : *spans) spanMs[span.name].push_back(double(span.endNs - span.startNs) * 1e-6);
    };
    for (int run = 0; run <= repeats; ++run) {
      const auto start = std::chrono::steady_clock::now();
      auto forward = stage.value()->forward(*stream.value(), config, inputs);
      const auto middle = std::chrono::steady_clock::now();
      auto backward = forward.ok() ? stage.value()->backward(*stream.value(), textureGrad)
                                   : Result<UvSplatGradients>(forward.error());
      const auto end = std::chrono::steady_clock::now();
      if (!backward.ok()) {
        std::fprintf(stderr, "meshrt_uv_splat_cases: %s: %s\n", name.c_str(), backward.error().message.c_str());
        return 1;
      }
      if (run == 0) continue;  // warm-up: pipelines and buffers are created on first use
      forwardMs.push_back(std::chrono::duration<double, std::milli>(middle - start).count());
      backwardMs.push_back(std::chrono::duration<double, std::milli>(end - middle).count());
    }
    auto failed = [&](const Error& error) {
      std::fprintf(stderr, "meshrt_uv_splat_cases: %s: %s\n", name.c_str(), error.message.c_str());
      return 1;
    };
    // The same with outputs kept across calls (UvSplatForward / UvSplatGradients reused: no
    // per-call allocation and page faults), as a real-time caller would.
    std::vector<double> forwardReuseMs, backwardReuseMs;
    UvSplatForward keptForward;
    UvSplatGradients keptGrads;
    for (int run = 0; run <= repeats; ++run) {
      const auto start = std::chrono::steady_clock::now();
      auto forwardRan = stage.value()->forward(*stream.value(), config, inputs, keptForward);
      if (!forwardRan.ok()) return failed(forwardRan.error());
      const auto middle = std::chrono::steady_clock::now();
      auto backwardRan = stage.value()->backward(*stream.value(), textureGrad, keptGrads);
      if (!backwardRan.ok()) return failed(backwardRan.error());
      const auto end = std::chrono::steady_clock::now();
      if (run == 0) continue;
      forwardReuseMs.push_back(std::chrono::duration<double, std::milli>(middle - start).count());
      backwardReuseMs.push_back(std::chrono::duration<double, std::milli>(end - middle).count());
    }
    // Then as many runs with GPU timestamps, for the passes' spans (not in the times above).
    for (int run = 0; run < repeats; ++run) {
      auto forwardRan = stage.value()->forward(*stream.value(), config, inputs, timestamps.value().get());
      if (!forwardRan.ok()) return failed(forwardRan.error());
      addSpans();
      auto backwardRan = stage.value()->backward(*stream.value(), textureGrad, timestamps.value().get());
      if (!backwardRan.ok()) return failed(backwardRan.error());
      addSpans();
    }
    nlohmann::json gpu = nlohmann::json::object();
    for (const auto& [span, values] : spanMs) gpu[span] = medianMs(values);
    timings[name] = {{"forward_ms", medianMs(forwardMs)},
                     {"backward_ms", medianMs(backwardMs)},
                     {"forward_reuse_ms", medianMs(forwardReuseMs)},
                     {"backward_reuse_ms", medianMs(backwardReuseMs)},
                     {"gpu_span_ms", gpu}};
  }
  std::printf("%s\n", timings.dump(1).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[1] : "";  // write modes take one argument
  if (mode == "write") return writeCases(argv[2], GOLDEN_CASES);
  if (mode == "write-bench") return writeCases(argv[2], BENCH_CASES);
  if (argc == 4 && std::string(argv[1]) == "time" && std::atoi(argv[3]) > 0) return timeCases(argv[2], std::atoi(argv[3]));
  std::fprintf(stderr, "usage: meshrt_uv_splat_cases write DIR | write-bench DIR | time DIR REPEATS\n");
  return 2;
}
