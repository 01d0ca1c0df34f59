// The UV splat stage on Vulkan vs its CPU reference, on raster output of the UV-mapped
// icosphere at seeded random poses. Tolerances: texture, weight and gradients within relative
// L2 1e-5; lookup table and dropped count exact. Also: the device-buffer entry point on the
// raster stage's own buffers, bit-identical repeated runs, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <tuple>

#include "stages/raster.h"
#include "stages/uv_splat.h"
#include "support/test_meshes.h"
#include "support/uv_splat_scene.h"
#include "support/vulkan_environment.h"
#include "vk/staging.h"

namespace meshrt::test {
namespace {

constexpr double TOLERANCE = 1e-5;

double relativeL2(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0, norm = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    norm += double(b[i]) * b[i];
  }
  return norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

std::vector<float> randomUpstream(size_t count, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float& v : values) v = unit(random);
  return values;
}

class UvSplatTest : public VulkanTest {
 protected:
  void SetUp() override {
    VulkanTest::SetUp();
    auto created = UvSplatStage::create(context(), *allocator);
    ASSERT_TRUE(created.ok()) << created.error().message;
    stage = std::move(created.value());
  }
  void TearDown() override {
    stage.reset();
    VulkanTest::TearDown();
  }

  void compareForward(const UvSplatForward& gpu, const UvSplatForward& reference, const char* what) {
    const double textureError = relativeL2(gpu.texture, reference.texture);
    const double weightError = relativeL2(gpu.weight, reference.weight);
    size_t visible = 0, lutMismatches = 0;
    for (float w : reference.weight) visible += w > 0;
    ASSERT_EQ(gpu.lut.size(), reference.lut.size()) << what;
    for (size_t i = 0; i < gpu.lut.size(); ++i) lutMismatches += gpu.lut[i] != reference.lut[i];
    std::printf("  %-40s %zu visible texels, dropped %llu, texture rel L2 %.3g, weight %.3g\n", what, visible,
                static_cast<unsigned long long>(reference.droppedEntries), textureError, weightError);
    EXPECT_LE(textureError, TOLERANCE) << what;
    EXPECT_LE(weightError, TOLERANCE) << what;
    EXPECT_EQ(lutMismatches, 0u) << what;
    EXPECT_EQ(gpu.droppedEntries, reference.droppedEntries) << what;
    EXPECT_GT(visible, 100u) << what << ": the scene should cover part of the texture";
  }

  // The body of QuadsAsWideAsTheThresholdMatchTheReference (below) for C = `channels`.
  void quadsAsWideAsTheThreshold(uint32_t channels) {
    constexpr uint32_t SIZE = 16, TEXTURE = 1024;
    constexpr uint32_t COLUMNS = 5;  // pixel columns on the object: 4 quads across, 0.19 of UV each
    constexpr uint32_t LAYERS = 3;   // folds: quad rows 0-1, 3-4 and 6-7 cover the same texels
    constexpr uint32_t NARROW_FIRST_ROW = 10;  // after the layers (rows 0-8) and an empty row 9
    UvSplatConfig config;
    config.imageWidth = config.imageHeight = SIZE;
    config.channels = channels;
    config.textureWidth = config.textureHeight = TEXTURE;
    std::vector<float> uvs(size_t{SIZE} * SIZE * 2, 0.0f);
    std::vector<uint8_t> mask(size_t{SIZE} * SIZE, 0);
    for (uint32_t layer = 0; layer < LAYERS; ++layer) {
      for (uint32_t row = 0; row < 3; ++row) {
        const uint32_t y = layer * 3 + row;
        for (uint32_t x = 0; x < COLUMNS; ++x) {
          const size_t pixel = size_t{y} * SIZE + x;
          mask[pixel] = 1;
          // A slight per-layer shift, so the layers' quads overlap without coinciding.
          uvs[2 * pixel] = 0.02f + 0.19f * float(x) + 0.003f * float(layer);
          uvs[2 * pixel + 1] = 0.02f + 0.19f * float(row) + 0.002f * float(layer);
        }
      }
    }
    // Narrow quads over the same texels (rows 10-12, 0.005 of UV per pixel: about 5 texels a
    // side): on CPU devices with C <= 4 the per-quad backward takes these and the texel pass the
    // wide ones, both adding to the same pixels' and texels' sums.
    for (uint32_t y = NARROW_FIRST_ROW; y < NARROW_FIRST_ROW + 3; ++y) {
      for (uint32_t x = 0; x < SIZE; ++x) {
        const size_t pixel = size_t{y} * SIZE + x;
        mask[pixel] = 1;
        uvs[2 * pixel] = 0.03f + 0.005f * float(x);
        uvs[2 * pixel + 1] = 0.03f + 0.005f * float(y - NARROW_FIRST_ROW);
      }
    }
    std::mt19937 random(41);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::vector<float> features(size_t{channels} * SIZE * SIZE);
    for (float& f : features) f = unit(random);
    const UvSplatInputs inputs{features, uvs, mask};
    auto reference = uvSplatForwardReference(config, inputs);
    ASSERT_TRUE(reference.ok()) << reference.error().message;
    auto gpu = stage->forward(*stream, config, inputs);
    ASSERT_TRUE(gpu.ok()) << gpu.error().message;
    char what[64];
    std::snprintf(what, sizeof(what), "wide folded quads, C=%u, texture 1024^2", channels);
    compareForward(*gpu, *reference, what);
    size_t stacked = 0;  // texels that hold more than one quad
    for (size_t texel = 0; texel < reference->weight.size(); ++texel) {
      stacked += reference->lut[texel * config.lutCapacity + 1] != UV_SPLAT_NO_QUAD;
    }
    EXPECT_GT(stacked, size_t{100000}) << "the layers should overlap";
    size_t narrowEntries = 0;  // table entries of the narrow quads (quad rows 10 and 11)
    for (uint32_t key : reference->lut) narrowEntries += key != UV_SPLAT_NO_QUAD && key / (SIZE - 1) >= NARROW_FIRST_ROW;
    EXPECT_GT(narrowEntries, size_t{200}) << "the narrow quads should be in the table";
    const std::vector<float> upstream = randomUpstream(reference->texture.size(), 42);
    auto referenceGrads = uvSplatBackwardReference(config, inputs, *reference, upstream);
    ASSERT_TRUE(referenceGrads.ok()) << referenceGrads.error().message;
    auto gpuGrads = stage->backward(*stream, upstream);
    ASSERT_TRUE(gpuGrads.ok()) << gpuGrads.error().message;
    EXPECT_LE(relativeL2(gpuGrads->features, referenceGrads->features), TOLERANCE) << what;
    EXPECT_LE(relativeL2(gpuGrads->uvs, referenceGrads->uvs), TOLERANCE) << what;
  }

  std::unique_ptr<UvSplatStage> stage;
};

TEST_F(UvSplatTest, ForwardAndBackwardMatchReference) {
  struct Case { uint32_t channels, textureSize, seed; };
  // C = 128 at 1024^2 runs once, in its own test. C = 3 keeps the planar feature layout on
  // lavapipe; 10 (interleaved with two padding channels), 16 and 128 are interleaved.
  const Case cases[] = {{3, 256, 1}, {10, 256, 7}, {16, 256, 2}, {128, 256, 3}, {3, 1024, 4}, {16, 1024, 5}};
  for (const Case& c : cases) {
    const SplatScene scene = makeSplatScene(c.seed, 256, c.channels, c.textureSize);
    char what[96];
    std::snprintf(what, sizeof(what), "C=%u, image 256^2, texture %u^2", c.channels, c.textureSize);
    auto reference = uvSplatForwardReference(scene.config, scene.inputs());
    ASSERT_TRUE(reference.ok()) << reference.error().message;
    auto gpu = stage->forward(*stream, scene.config, scene.inputs());
    ASSERT_TRUE(gpu.ok()) << gpu.error().message;
    compareForward(*gpu, *reference, what);

    const std::vector<float> upstream = randomUpstream(reference->texture.size(), c.seed + 50);
    auto referenceGrads = uvSplatBackwardReference(scene.config, scene.inputs(), *reference, upstream);
    ASSERT_TRUE(referenceGrads.ok()) << referenceGrads.error().message;
    auto gpuGrads = stage->backward(*stream, upstream);
    ASSERT_TRUE(gpuGrads.ok()) << gpuGrads.error().message;
    const double featureError = relativeL2(gpuGrads->features, referenceGrads->features);
    const double uvError = relativeL2(gpuGrads->uvs, referenceGrads->uvs);
    std::printf("  %-40s backward: features rel L2 %.3g, uvs rel L2 %.3g\n", what, featureError, uvError);
    EXPECT_LE(featureError, TOLERANCE) << what;
    EXPECT_LE(uvError, TOLERANCE) << what;
  }
}

TEST_F(UvSplatTest, With128ChannelsAt1024MatchesReference) {
  // 128 x 1024^2 floats = 512 MiB: more than lavapipe binds at once (128 MiB), so the gather runs
  // in channel chunks and the backward reads the upstream gradient through 4 bindings.
  const SplatScene scene = makeSplatScene(6, 256, 128, 1024);
  auto reference = uvSplatForwardReference(scene.config, scene.inputs());
  ASSERT_TRUE(reference.ok()) << reference.error().message;
  auto gpu = stage->forward(*stream, scene.config, scene.inputs());
  ASSERT_TRUE(gpu.ok()) << gpu.error().message;
  compareForward(*gpu, *reference, "C=128, image 256^2, texture 1024^2");
  const std::vector<float> upstream = randomUpstream(reference->texture.size(), 56);
  auto referenceGrads = uvSplatBackwardReference(scene.config, scene.inputs(), *reference, upstream);
  ASSERT_TRUE(referenceGrads.ok()) << referenceGrads.error().message;
  auto gpuGrads = stage->backward(*stream, upstream);
  ASSERT_TRUE(gpuGrads.ok()) << gpuGrads.error().message;
  const double featureError = relativeL2(gpuGrads->features, referenceGrads->features);
  const double uvError = relativeL2(gpuGrads->uvs, referenceGrads->uvs);
  std::printf("  C=128, image 256^2, texture 1024^2        backward: features rel L2 %.3g, uvs rel L2 %.3g\n",
              featureError, uvError);
  EXPECT_LE(featureError, TOLERANCE);
  EXPECT_LE(uvError, TOLERANCE);
}

TEST_F(UvSplatTest, RasterBuffersFeedTheSplatWithoutAHostRoundTrip) {
  // The raster stage's triangle-id and attribute buffers (u, v at offset 0 of 5 + 3 floats),
  // view 1 of a batch of 2: same result as the host path, bit for bit.
  const TestMesh sphere = makeIcosphere(4);
  std::mt19937 random(12);
  std::vector<gpu::RasterView> views;
  for (int i = 0; i < 2; ++i) {
    const auto rotation = randomRotation(random);
    const float translation[3] = {0.0f, 0.0f, 3.0f};
    views.push_back(perspectiveView(rotation.data(), translation, 140, 140, 64, 64));
  }
  auto raster = RasterStage::create(context(), *allocator);
  ASSERT_TRUE(raster.ok());
  ASSERT_TRUE((*raster)->run(*stream, sphere.view(), views, {128, 128, true}).ok());
  auto image = (*raster)->download(*stream);
  ASSERT_TRUE(image.ok());
  const size_t pixels = 128 * 128;
  const UvSplatConfig config{128, 128, 4, 128, 128, 0.2f, 10};
  std::vector<float> features = randomUpstream(pixels * 4, 77), uvs(pixels * 2);
  std::vector<uint8_t> mask(pixels);
  for (size_t p = 0; p < pixels; ++p) {
    const size_t source = pixels + p;  // view 1
    mask[p] = image->triangleIds[source] != RASTER_NO_TRIANGLE;
    uvs[2 * p] = image->attributes[source * image->attributeStride];
    uvs[2 * p + 1] = image->attributes[source * image->attributeStride + 1];
  }
  auto hostPath = stage->forward(*stream, config, {features, uvs, mask});
  ASSERT_TRUE(hostPath.ok()) << hostPath.error().message;

  auto featureBuffer = allocator->createBuffer({features.size() * 4,
                                                VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                                                    VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                                vk::MemoryUsage::DeviceLocal, false, "test features"});
  ASSERT_TRUE(featureBuffer.ok());
  ASSERT_TRUE(vk::uploadNow(*stream, *allocator, *featureBuffer, std::as_bytes(std::span(features))).ok());
  UvSplatDeviceInputs inputs;
  inputs.features = &*featureBuffer;
  inputs.uvs = &(*raster)->attributes();
  inputs.uvStride = image->attributeStride;
  inputs.uvOffset = 0;
  inputs.pixelIds = &(*raster)->triangleIds();
  inputs.firstPixel = static_cast<uint32_t>(pixels);
  ASSERT_TRUE(stage->run(*stream, config, inputs).ok());
  auto devicePath = stage->downloadForward(*stream);
  ASSERT_TRUE(devicePath.ok());
  EXPECT_EQ(devicePath->texture, hostPath->texture);
  EXPECT_EQ(devicePath->weight, hostPath->weight);
  EXPECT_EQ(devicePath->lut, hostPath->lut);

  // Forward only, features from the host in the same submission (the live texturing's path):
  // the same texture and weight bit for bit, no lookup table read back.
  UvSplatConfig forwardOnly = config;
  forwardOnly.returnLookupTable = false;
  UvSplatDeviceInputs hostFeatureInputs = inputs;
  hostFeatureInputs.features = nullptr;
  hostFeatureInputs.hostFeatures = features;
  ASSERT_TRUE(stage->run(*stream, forwardOnly, hostFeatureInputs).ok());
  auto forwardOnlyPath = stage->downloadForward(*stream);
  ASSERT_TRUE(forwardOnlyPath.ok());
  EXPECT_EQ(std::memcmp(forwardOnlyPath->texture.data(), hostPath->texture.data(), hostPath->texture.size() * 4), 0);
  EXPECT_EQ(std::memcmp(forwardOnlyPath->weight.data(), hostPath->weight.data(), hostPath->weight.size() * 4), 0);
  EXPECT_TRUE(forwardOnlyPath->lut.empty());
  auto referenceForwardOnly = uvSplatForwardReference(forwardOnly, {features, uvs, mask});
  ASSERT_TRUE(referenceForwardOnly.ok());
  EXPECT_TRUE(referenceForwardOnly->lut.empty());
  hostFeatureInputs.hostFeatures = std::span(features).first(features.size() - 1);
  auto shortFeatures = stage->run(*stream, forwardOnly, hostFeatureInputs);
  ASSERT_FALSE(shortFeatures.ok());
  EXPECT_NE(shortFeatures.error().message.find("inputs.hostFeatures"), std::string::npos) << shortFeatures.error().message;
  ASSERT_TRUE(stage->run(*stream, config, inputs).ok());  // backward below reads the table of a full run

  const std::vector<float> upstream = randomUpstream(hostPath->texture.size(), 78);
  auto deviceGrads = stage->backward(*stream, upstream);
  ASSERT_TRUE(deviceGrads.ok());
  auto reference = uvSplatBackwardReference(config, {features, uvs, mask}, *hostPath, upstream);
  ASSERT_TRUE(reference.ok());
  EXPECT_LE(relativeL2(deviceGrads->features, reference->features), TOLERANCE);
  EXPECT_LE(relativeL2(deviceGrads->uvs, reference->uvs), TOLERANCE);
}

TEST_F(UvSplatTest, TenRunsAreBitIdentical) {
  const SplatScene scene = makeSplatScene(21, 256, 16, 512);
  const std::vector<float> upstream = randomUpstream(size_t{16} * 512 * 512, 22);
  UvSplatForward first;
  UvSplatGradients firstGrads;
  for (int run = 0; run < 10; ++run) {
    auto forward = stage->forward(*stream, scene.config, scene.inputs());
    ASSERT_TRUE(forward.ok()) << forward.error().message;
    auto grads = stage->backward(*stream, upstream);
    ASSERT_TRUE(grads.ok()) << grads.error().message;
    if (run == 0) {
      first = std::move(forward.value());
      firstGrads = std::move(grads.value());
      continue;
    }
    ASSERT_EQ(std::memcmp(forward->texture.data(), first.texture.data(), first.texture.size() * 4), 0) << run;
    ASSERT_EQ(std::memcmp(forward->weight.data(), first.weight.data(), first.weight.size() * 4), 0) << run;
    ASSERT_EQ(forward->lut, first.lut) << run;
    ASSERT_EQ(std::memcmp(grads->features.data(), firstGrads.features.data(), firstGrads.features.size() * 4), 0) << run;
    ASSERT_EQ(std::memcmp(grads->uvs.data(), firstGrads.uvs.data(), firstGrads.uvs.size() * 4), 0) << run;
  }
}

// forward()/backward() into outputs kept across calls (the real-time path: no per-call
// allocation) give, bit for bit, what fresh outputs get, also when the sizes shrink and C drops
// below UV_SPLAT_GATHER_BATCH_MIN_CHANNELS (the one-entry-at-a-time gather).
TEST_F(UvSplatTest, KeptOutputsEqualFreshOnes) {
  UvSplatForward kept;
  UvSplatGradients keptGrads;
  for (const auto& [seed, imageSize, channels, textureSize] :
       {std::tuple{31u, 256u, 16u, 256u}, std::tuple{32u, 128u, 3u, 128u}}) {
    const SplatScene scene = makeSplatScene(seed, imageSize, channels, textureSize);
    const std::vector<float> upstream = randomUpstream(size_t{channels} * textureSize * textureSize, seed + 1);
    auto fresh = stage->forward(*stream, scene.config, scene.inputs());
    ASSERT_TRUE(fresh.ok()) << fresh.error().message;
    auto freshGrads = stage->backward(*stream, upstream);
    ASSERT_TRUE(freshGrads.ok()) << freshGrads.error().message;
    ASSERT_TRUE(stage->forward(*stream, scene.config, scene.inputs(), kept).ok());
    ASSERT_TRUE(stage->backward(*stream, upstream, keptGrads).ok());
    ASSERT_EQ(kept.texture.size(), fresh->texture.size()) << channels;
    EXPECT_EQ(std::memcmp(kept.texture.data(), fresh->texture.data(), kept.texture.size() * 4), 0) << channels;
    EXPECT_EQ(std::memcmp(kept.weight.data(), fresh->weight.data(), kept.weight.size() * 4), 0) << channels;
    EXPECT_EQ(kept.lut, fresh->lut) << channels;
    ASSERT_EQ(keptGrads.features.size(), freshGrads->features.size()) << channels;
    EXPECT_EQ(std::memcmp(keptGrads.features.data(), freshGrads->features.data(), keptGrads.features.size() * 4), 0);
    EXPECT_EQ(std::memcmp(keptGrads.uvs.data(), freshGrads->uvs.data(), keptGrads.uvs.size() * 4), 0);
    EXPECT_GT(*std::max_element(kept.weight.begin(), kept.weight.end()), 0.0f) << "the scene must cover some texels";
  }
}

// The largest quads the threshold lets through, stacked: a far-away object whose pixels each
// span almost maxQuadExtent of the UV square, folded so that `layers` rows of quads cover the
// same texels (each texel's table holds several quads). At 1024^2 one quad reaches
// (0.19 * 1024)^2 = 38,000 texels, the work one insert invocation must finish on lavapipe
// (which ends an invocation after 65,535 loop iterations in total).
TEST_F(UvSplatTest, QuadsAsWideAsTheThresholdMatchTheReference) {
  // C = 3 keeps the planar layout; C = 8 is interleaved on lavapipe, where the backward gathers
  // the feature gradient per pixel: every quad here holds far more entries than its
  // UV_SPLAT_QUAD_RECORDS records, so the gather adds the atomics' part for all of them.
  for (const uint32_t channels : {3u, 8u}) {
    quadsAsWideAsTheThreshold(channels);
    if (HasFatalFailure()) return;
  }
}

TEST_F(UvSplatTest, BadInputIsAnErrorNotAHang) {
  const SplatScene scene = makeSplatScene(31, 32, 3, 32);
  auto expectError = [&](const UvSplatConfig& config, const UvSplatInputs& inputs, const char* field) {
    auto forward = stage->forward(*stream, config, inputs);
    ASSERT_FALSE(forward.ok()) << field;
    EXPECT_NE(forward.error().message.find(field), std::string::npos) << forward.error().message;
  };
  EXPECT_FALSE(stage->backward(*stream, std::vector<float>(3 * 32 * 32)).ok()) << "backward before forward";
  EXPECT_FALSE(stage->downloadForward(*stream).ok());
  UvSplatConfig config = scene.config;
  config.channels = 0;
  expectError(config, scene.inputs(), "config.channels");
  config = scene.config;
  config.textureHeight = 0;
  expectError(config, scene.inputs(), "config.textureWidth/textureHeight");
  config = scene.config;
  config.imageHeight = 31;
  expectError(config, scene.inputs(), "features");
  std::vector<float> nanUvs = scene.uvs;
  size_t onObject = 0;
  while (!scene.mask[onObject]) ++onObject;
  nanUvs[2 * onObject] = NAN;
  expectError(scene.config, {scene.features, nanUvs, scene.mask}, "uvs[(");
  UvSplatDeviceInputs missing;
  auto ran = stage->run(*stream, scene.config, missing);
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.error().message.find("inputs"), std::string::npos);
  // The stage still works afterwards.
  auto forward = stage->forward(*stream, scene.config, scene.inputs());
  ASSERT_TRUE(forward.ok()) << forward.error().message;
  EXPECT_FALSE(stage->backward(*stream, std::vector<float>(5)).ok());
}

}  // namespace
}  // namespace meshrt::test
