// Preprocess on Vulkan vs its CPU reference on seeded random frames.
// Tolerance: 1e-5 max abs over every output element (in practice the two agree bit for bit:
// same operations, same order, no FMA contraction on either side).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "stages/preprocess.h"
#include "support/vulkan_environment.h"
#include "vk/staging.h"

namespace meshrt::test {
namespace {

constexpr float TOLERANCE = 1e-5f;

struct Case {
  const char* name;
  FrameLayout frame;
  PreprocessConfig config;
};

class PreprocessTest : public VulkanTest {
 protected:
  // Returns the max abs difference between the Vulkan stage and the CPU reference.
  float runCase(const Case& testCase, uint32_t seed) {
    auto params = makePreprocessParams(testCase.config, testCase.frame);
    EXPECT_TRUE(params.ok()) << params.error().message;
    if (!params.ok()) return INFINITY;
    std::mt19937 random(seed);
    const size_t frameBytes = size_t{params->srcRowStride} * params->srcHeight;
    std::vector<uint8_t> pixels((frameBytes + 3) / 4 * 4);
    for (auto& value : pixels) value = static_cast<uint8_t>(random());

    const size_t outFloats = params->dstOffset + preprocessOutputFloats(*params);
    std::vector<float> expected(outFloats, -7.0f);
    preprocessReference(*params, pixels.data(), expected.data());

    auto stage = PreprocessStage::create(context());
    EXPECT_TRUE(stage.ok()) << stage.error().message;
    auto frame = allocator->createBuffer({pixels.size(), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT});
    auto tensor = allocator->createBuffer({outFloats * sizeof(float), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                                                            VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                                                            VK_BUFFER_USAGE_TRANSFER_DST_BIT});
    EXPECT_TRUE(frame.ok() && tensor.ok());
    EXPECT_TRUE(vk::uploadNow(*stream, *allocator, *frame, std::as_bytes(std::span(pixels))).ok());
    // Fill the tensor with a sentinel so untouched elements (before dstOffset) are checked too.
    std::vector<float> sentinel(outFloats, -7.0f);
    EXPECT_TRUE(vk::uploadNow(*stream, *allocator, *tensor, std::as_bytes(std::span(sentinel))).ok());

    auto cmd = stream->begin();
    EXPECT_TRUE(cmd.ok());
    auto recorded = (*stage)->record(*stream, *frame, *tensor, *params);
    EXPECT_TRUE(recorded.ok()) << recorded.error().message;
    auto value = stream->submit();
    EXPECT_TRUE(value.ok() && stream->wait(*value).ok());
    auto bytes = vk::downloadNow(*stream, *allocator, *tensor, 0, outFloats * sizeof(float));
    EXPECT_TRUE(bytes.ok());
    const auto* actual = reinterpret_cast<const float*>(bytes->data());

    float maxAbs = 0;
    size_t worst = 0;
    for (size_t i = 0; i < outFloats; ++i) {
      const float diff = std::fabs(actual[i] - expected[i]);
      if (!(diff <= maxAbs)) {  // also catches NaN
        maxAbs = std::isnan(diff) ? INFINITY : diff;
        worst = i;
      }
    }
    std::printf("  %-34s seed %u: max abs error %.3g (element %zu of %zu)\n", testCase.name, seed, maxAbs, worst,
                outFloats);
    return maxAbs;
  }
};

PreprocessConfig stretch(float cx, float cy, float w, float h, uint32_t out) {
  PreprocessConfig config;
  config.crop = {cx, cy, w, h, 0.0f};
  config.outWidth = config.outHeight = out;
  return config;
}

TEST_F(PreprocessTest, OddSizedFrameToEncoderInputs) {
  Case small{"17x33 -> 224x224 full frame", {17, 33, 3, 0}, stretch(8.5f, 16.5f, 17, 33, 224)};
  Case large{"641x479 -> 256x256 mean/std", {641, 479, 3, 0}, stretch(320.5f, 239.5f, 641, 479, 256)};
  large.config.normalization = Normalization::MeanStd;
  for (uint32_t seed : {1u, 2u}) {
    EXPECT_LE(runCase(small, seed), TOLERANCE);
    EXPECT_LE(runCase(large, seed), TOLERANCE);
  }
}

TEST_F(PreprocessTest, RandomRotatedCropsBothBorderModes) {
  std::mt19937 random(42);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (uint32_t i = 0; i < 6; ++i) {
    Case testCase{i % 2 ? "rotated crop, zero border" : "rotated crop, replicate border", {641, 479, 3, 0}, {}};
    PreprocessConfig& config = testCase.config;
    // Crops that reach past the frame edges, so both border rules are exercised.
    config.crop = {unit(random) * 641, unit(random) * 479, 40 + unit(random) * 500, 40 + unit(random) * 500,
                   (unit(random) - 0.5f) * 6.2831853f};
    config.outWidth = 96 + static_cast<uint32_t>(unit(random) * 160);
    config.outHeight = 96 + static_cast<uint32_t>(unit(random) * 160);
    config.border = i % 2 ? BorderMode::Zero : BorderMode::Replicate;
    config.normalization = i % 3 == 0 ? Normalization::MinusOneToOne : Normalization::MeanStd;
    EXPECT_LE(runCase(testCase, 100 + i), TOLERANCE) << "crop " << i;
  }
}

TEST_F(PreprocessTest, LetterboxedCrops) {
  Case wide{"letterbox 300x120 -> 224x224", {641, 479, 3, 0}, stretch(320, 240, 300, 120, 224)};
  wide.config.letterbox = true;
  Case tall{"letterbox 17x33 -> 256x256, zero", {17, 33, 3, 0}, stretch(8.5f, 16.5f, 17, 33, 256)};
  tall.config.letterbox = true;
  tall.config.border = BorderMode::Zero;
  Case rotated{"letterbox rotated 0.7 rad", {641, 479, 3, 0}, stretch(200, 300, 400, 250, 192)};
  rotated.config.letterbox = true;
  rotated.config.crop.rotationRad = 0.7f;
  EXPECT_LE(runCase(wide, 7), TOLERANCE);
  EXPECT_LE(runCase(tall, 8), TOLERANCE);
  EXPECT_LE(runCase(rotated, 9), TOLERANCE);
}

TEST_F(PreprocessTest, MirroredCrops) {
  Case stretched{"mirrored 128x128 -> 64x64 full frame", {128, 128, 3, 0}, stretch(64, 64, 128, 128, 64)};
  stretched.config.mirrorX = true;
  stretched.config.normalization = Normalization::MinusOneToOne;
  Case rotated{"mirrored rotated crop, zero border", {641, 479, 3, 0}, stretch(100, 400, 300, 200, 160)};
  rotated.config.mirrorX = true;
  rotated.config.crop.rotationRad = -1.1f;
  rotated.config.border = BorderMode::Zero;
  EXPECT_LE(runCase(stretched, 11), TOLERANCE);
  EXPECT_LE(runCase(rotated, 12), TOLERANCE);
}

TEST_F(PreprocessTest, RgbaWithRowPaddingIntoABatchSlot) {
  Case testCase{"RGBA, padded rows, batch slot 1", {101, 77, 4, 101 * 4 + 12}, stretch(50, 38, 90, 60, 64)};
  testCase.config.outOffset = 3 * 64 * 64;  // second image of an N=2 batch
  EXPECT_LE(runCase(testCase, 11), TOLERANCE);
}

TEST_F(PreprocessTest, UndersizedBuffersAreRejected) {
  auto stage = PreprocessStage::create(context());
  ASSERT_TRUE(stage.ok());
  auto params = makePreprocessParams(stretch(32, 32, 64, 64, 32), {64, 64, 3, 0});
  ASSERT_TRUE(params.ok());
  auto frame = allocator->createBuffer({64 * 64 * 3 - 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT});
  auto tensor = allocator->createBuffer({3 * 32 * 32 * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT});
  ASSERT_TRUE(stream->begin().ok());
  auto recorded = (*stage)->record(*stream, *frame, *tensor, *params);
  ASSERT_FALSE(recorded.ok());
  EXPECT_NE(recorded.error().message.find("preprocess: frame"), std::string::npos);
  ASSERT_TRUE(stream->submit().ok());
  ASSERT_TRUE(stream->waitIdle().ok());
}

}  // namespace
}  // namespace meshrt::test
