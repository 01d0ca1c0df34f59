// The CPU reference itself, checked against values worked out by hand: pixel-centre
// conventions (DESIGN §5), crop geometry, rotation direction, letterbox, border rules.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "stages/preprocess.h"

namespace meshrt {
namespace {

// A w x h RGB frame where R = x, G = y, B = 200 at every pixel.
std::vector<uint8_t> coordinateFrame(uint32_t w, uint32_t h) {
  std::vector<uint8_t> pixels(size_t{w} * h * 3);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = &pixels[(size_t{y} * w + x) * 3];
      p[0] = static_cast<uint8_t>(x);
      p[1] = static_cast<uint8_t>(y);
      p[2] = 200;
    }
  }
  return pixels;
}

struct Output {
  std::vector<float> values;
  uint32_t w, h;
  float at(uint32_t c, uint32_t x, uint32_t y) const { return values[(size_t{c} * h + y) * w + x]; }
};

Output run(const PreprocessConfig& config, const FrameLayout& frame, const std::vector<uint8_t>& pixels) {
  auto params = makePreprocessParams(config, frame);
  EXPECT_TRUE(params.ok()) << params.error().message;
  Output out{std::vector<float>(preprocessOutputFloats(*params)), config.outWidth, config.outHeight};
  preprocessReference(*params, pixels.data(), out.values.data());
  return out;
}

PreprocessConfig rawConfig(CropRect crop, uint32_t w, uint32_t h) {
  PreprocessConfig config;
  config.crop = crop;
  config.outWidth = w;
  config.outHeight = h;
  config.normalization = Normalization::ZeroToOne;
  return config;
}

constexpr float EXACT = 1e-6f;  // values are k/255; float error of one rounding

TEST(PreprocessReference, IdentityCropReproducesThePixels) {
  const auto pixels = coordinateFrame(40, 30);
  const Output out = run(rawConfig({20, 15, 40, 30, 0}, 40, 30), {40, 30, 3, 0}, pixels);
  for (uint32_t y = 0; y < 30; ++y) {
    for (uint32_t x = 0; x < 40; ++x) {
      ASSERT_NEAR(out.at(0, x, y), x / 255.0f, EXACT) << x << "," << y;
      ASSERT_NEAR(out.at(1, x, y), y / 255.0f, EXACT);
      ASSERT_NEAR(out.at(2, x, y), 200 / 255.0f, EXACT);
    }
  }
}

TEST(PreprocessReference, DownscaleByTwoAveragesPixelPairs) {
  // Output pixel i covers source [2i, 2i+2); its centre 2i+1 lies between source centres
  // 2i+0.5 and 2i+1.5, so the bilinear value is their mean: x = 2i + 0.5.
  const auto pixels = coordinateFrame(64, 8);
  const Output out = run(rawConfig({32, 4, 64, 8, 0}, 32, 4), {64, 8, 3, 0}, pixels);
  for (uint32_t x = 0; x < 32; ++x) EXPECT_NEAR(out.at(0, x, 1), (2 * x + 0.5f) / 255.0f, EXACT);
  EXPECT_NEAR(out.at(1, 0, 1), 2.5f / 255.0f, EXACT);
}

TEST(PreprocessReference, MirrorXIsTheColumnFlippedOutput) {
  // Stretch 128 -> 64 (an integer scale: the mirrored source positions are exact in float), a
  // non-integer 100 x 70 -> 64 x 48 crop, and a rotated letterbox: column x of the mirrored
  // output is column W - 1 - x of the plain one (bit for bit in the first case).
  std::vector<uint8_t> pixels(size_t{128} * 96 * 3);
  uint32_t state = 7;
  for (uint8_t& value : pixels) value = static_cast<uint8_t>((state = state * 1664525u + 1013904223u) >> 24);
  PreprocessConfig cases[3] = {rawConfig({64, 48, 128, 96, 0}, 64, 48), rawConfig({50, 40, 100, 70, 0}, 64, 48),
                               rawConfig({70, 50, 90, 60, 0.4f}, 40, 40)};
  cases[2].letterbox = true;
  for (int c = 0; c < 3; ++c) {
    const Output plain = run(cases[c], {128, 96, 3, 0}, pixels);
    PreprocessConfig mirrored = cases[c];
    mirrored.mirrorX = true;
    const Output flipped = run(mirrored, {128, 96, 3, 0}, pixels);
    const float tolerance = c == 0 ? 0.0f : 2e-5f;  // float rounding of the mirrored source position
    for (uint32_t ch = 0; ch < 3; ++ch) {
      for (uint32_t y = 0; y < plain.h; ++y) {
        for (uint32_t x = 0; x < plain.w; ++x) {
          ASSERT_NEAR(flipped.at(ch, x, y), plain.at(ch, plain.w - 1 - x, y), tolerance)
              << "case " << c << " channel " << ch << " at " << x << "," << y;
        }
      }
    }
  }
}

TEST(PreprocessReference, QuarterTurnMapsOutputXToSourceY) {
  // Rotation +90 degrees (clockwise on screen): the crop's x axis points along source +y.
  const auto pixels = coordinateFrame(21, 21);
  const Output out = run(rawConfig({10.5f, 10.5f, 21, 21, std::numbers::pi_v<float> / 2}, 21, 21), {21, 21, 3, 0}, pixels);
  // Output (x, y) samples source (20 - y, x): R = 20 - y, G = x.
  for (uint32_t y = 1; y < 20; ++y) {
    for (uint32_t x = 1; x < 20; ++x) {
      EXPECT_NEAR(out.at(0, x, y), (20.0f - y) / 255.0f, 1e-5f) << x << "," << y;
      EXPECT_NEAR(out.at(1, x, y), x / 255.0f, 1e-5f) << x << "," << y;
    }
  }
}

TEST(PreprocessReference, LetterboxKeepsAspectAndBorderRuleFillsTheBars) {
  // A 20x10 frame into 20x20 letterboxed: scale 1, content rows 5..14, bars above and below.
  const auto pixels = coordinateFrame(20, 10);
  PreprocessConfig config = rawConfig({10, 5, 20, 10, 0}, 20, 20);
  config.letterbox = true;
  config.border = BorderMode::Zero;
  Output out = run(config, {20, 10, 3, 0}, pixels);
  EXPECT_NEAR(out.at(1, 7, 5), 0.0f, EXACT);          // first content row = source row 0
  EXPECT_NEAR(out.at(1, 7, 14), 9 / 255.0f, EXACT);   // last content row = source row 9
  EXPECT_NEAR(out.at(2, 7, 0), 0.0f, EXACT);          // bar: zero border
  EXPECT_NEAR(out.at(0, 7, 12), 7 / 255.0f, EXACT);   // x unchanged: uniform scale 1
  config.border = BorderMode::Replicate;
  out = run(config, {20, 10, 3, 0}, pixels);
  EXPECT_NEAR(out.at(2, 7, 0), 200 / 255.0f, EXACT);  // bar: replicated edge row 0
  EXPECT_NEAR(out.at(1, 7, 19), 9 / 255.0f, EXACT);   // bottom bar: edge row 9
}

TEST(PreprocessReference, NormalizationModes) {
  const std::vector<uint8_t> pixels(4 * 4 * 3, 51);  // 51 / 255 = 0.2
  PreprocessConfig config = rawConfig({2, 2, 4, 4, 0}, 2, 2);
  config.normalization = Normalization::MinusOneToOne;
  EXPECT_NEAR(run(config, {4, 4, 3, 0}, pixels).at(0, 0, 0), 0.2f * 2 - 1, 1e-6f);
  config.normalization = Normalization::MeanStd;
  const Output out = run(config, {4, 4, 3, 0}, pixels);
  for (uint32_t c = 0; c < 3; ++c) EXPECT_NEAR(out.at(c, 1, 1), (0.2f - config.mean[c]) / config.std[c], 1e-6f);
}

TEST(PreprocessReference, InvalidConfigsNameTheField) {
  PreprocessConfig config = rawConfig({2, 2, 0, 4, 0}, 2, 2);
  auto params = makePreprocessParams(config, {4, 4, 3, 0});
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.error().message, "preprocess: crop.width/height: must be finite and > 0");
  config = rawConfig({2, 2, 4, 4, 0}, 2, 2);
  EXPECT_NE(makePreprocessParams(config, {4, 4, 2, 0}).error().message.find("frame.channels"), std::string::npos);
  EXPECT_NE(makePreprocessParams(config, {4, 4, 3, 5}).error().message.find("frame.rowStride"), std::string::npos);
  config.crop.rotationRad = NAN;
  EXPECT_FALSE(makePreprocessParams(config, {4, 4, 3, 0}).ok());
  config = rawConfig({2, 2, 4, 4, 0}, 0, 2);
  EXPECT_NE(makePreprocessParams(config, {4, 4, 3, 0}).error().message.find("outWidth"), std::string::npos);
}

}  // namespace
}  // namespace meshrt
