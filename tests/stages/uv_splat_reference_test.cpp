// The UV splat CPU reference on its own: backward vs central finite differences of a
// double-precision forward (relative L2 <= 1e-3), exact properties of the resampling
// (identity mapping, constant images, weights), the lookup-table rules, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/uv_splat_math.h"
#include "stages/uv_splat.h"

namespace meshrt::test {
namespace {

struct SplatCase {
  UvSplatConfig config;
  std::vector<float> features, uvs;
  std::vector<uint8_t> mask;
  UvSplatInputs inputs() const { return {features, uvs, mask}; }
};

// A smooth random UV field over a W x H image (a warped, rotated grid), features uniform in
// [-1, 1], and a disc-shaped mask with the centre on.
SplatCase smoothCase(uint32_t seed, uint32_t W, uint32_t H, uint32_t C, uint32_t Wt, uint32_t Ht) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  SplatCase c;
  c.config = {W, H, C, Wt, Ht, 0.2f, 10};
  const float angle = 0.4f * unit(random), scale = 0.055f + 0.01f * unit(random);
  const float a1 = 0.02f * unit(random), a2 = 0.02f * unit(random), phase = 3.0f * unit(random);
  for (uint32_t y = 0; y < H; ++y) {
    for (uint32_t x = 0; x < W; ++x) {
      const float dx = x - 0.5f * (W - 1), dy = y - 0.5f * (H - 1);
      const float u = 0.5f + scale * (std::cos(angle) * dx - std::sin(angle) * dy) + a1 * std::sin(0.7f * y + phase);
      const float v = 0.5f + scale * (std::sin(angle) * dx + std::cos(angle) * dy) + a2 * std::cos(0.6f * x - phase);
      c.uvs.push_back(u);
      c.uvs.push_back(v);
      c.mask.push_back(dx * dx + dy * dy <= 0.3f * W * H ? 1 : 0);
    }
  }
  for (size_t i = 0; i < size_t{C} * W * H; ++i) c.features.push_back(unit(random));
  return c;
}

double relativeL2(const std::vector<double>& a, const std::vector<double>& b) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (a[i] - b[i]) * (a[i] - b[i]);
    norm += b[i] * b[i];
  }
  return std::sqrt(diff / std::max(norm, 1e-300));
}

TEST(UvSplatReference, BackwardMatchesFiniteDifferences) {
  int checkedCases = 0;
  // C = 3 sums the feature gradient with fixed-point atomics only, C = 8 with the per-quad passes
  // (uvSplatGradientByAtomics).
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    const uint32_t channels = seed <= 2 ? 3 : 8;
    const SplatCase c = smoothCase(seed, 12, 12, channels, 16, 16);
    auto forward = uvSplatForwardReference(c.config, c.inputs());
    ASSERT_TRUE(forward.ok()) << forward.error().message;
    std::mt19937 random(100 + seed);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::vector<float> upstream(forward->texture.size());
    for (float& g : upstream) g = unit(random);
    auto grads = uvSplatBackwardReference(c.config, c.inputs(), *forward, upstream);
    ASSERT_TRUE(grads.ok()) << grads.error().message;

    // Loss L = sum(upstream * texture), in double, with the lookup table fixed per evaluation.
    std::vector<double> features(c.features.begin(), c.features.end()), uvs(c.uvs.begin(), c.uvs.end());
    const UvSplatForwardDouble base = uvSplatForwardDouble(c.config, features, uvs, c.mask);
    if (base.lut != forward->lut) continue;  // a texel within rounding of a quad edge: float and double disagree
    auto loss = [&](const UvSplatForwardDouble& f) {
      double sum = 0;
      for (size_t i = 0; i < upstream.size(); ++i) sum += double(upstream[i]) * f.texture[i];
      return sum;
    };
    std::vector<double> analytic, numeric;
    int skipped = 0;
    auto probe = [&](std::vector<double>& values, size_t index, double step, float gradient) {
      const double saved = values[index];
      values[index] = saved + step;
      const UvSplatForwardDouble plus = uvSplatForwardDouble(c.config, features, uvs, c.mask);
      values[index] = saved - step;
      const UvSplatForwardDouble minus = uvSplatForwardDouble(c.config, features, uvs, c.mask);
      values[index] = saved;
      if (plus.lut != base.lut || minus.lut != base.lut) {  // an inside/outside flip: not differentiable
        ++skipped;
        return;
      }
      numeric.push_back((loss(plus) - loss(minus)) / (2 * step));
      analytic.push_back(gradient);
    };
    for (size_t i = 0; i < features.size(); ++i) probe(features, i, 1e-4, grads->features[i]);
    const double featureError = relativeL2(analytic, numeric);
    analytic.clear();
    numeric.clear();
    for (size_t i = 0; i < uvs.size(); ++i) probe(uvs, i, 1e-6, grads->uvs[i]);
    const double uvError = relativeL2(analytic, numeric);
    std::printf("  seed %u, C = %u: features rel L2 %.3g, uvs rel L2 %.3g over %zu uv probes (%d skipped for flips)\n",
                seed, channels, featureError, uvError, numeric.size(), skipped);
    EXPECT_LE(featureError, 1e-3);
    EXPECT_LE(uvError, 1e-3);
    EXPECT_GT(numeric.size(), uvs.size() / 4) << "too few differentiable probes to mean anything";
    ++checkedCases;
  }
  EXPECT_GE(checkedCases, 2);
}

TEST(UvSplatReference, IdentityMappingReproducesTheImage) {
  // u = (x + 0.5) / W puts pixel (x, y) exactly on texel (x, y) (powers of two: no rounding):
  // every texel is a quad corner, its weights are one-hot, and the texture equals the image.
  const uint32_t W = 8, H = 4, C = 2;
  SplatCase c;
  c.config = {W, H, C, W, H, 0.3f, 10};  // quads span 1/4 in v
  std::mt19937 random(5);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  for (uint32_t y = 0; y < H; ++y) {
    for (uint32_t x = 0; x < W; ++x) {
      c.uvs.push_back((x + 0.5f) / W);
      c.uvs.push_back((y + 0.5f) / H);
      c.mask.push_back(1);
    }
  }
  for (size_t i = 0; i < size_t{C} * W * H; ++i) c.features.push_back(unit(random));
  auto forward = uvSplatForwardReference(c.config, c.inputs());
  ASSERT_TRUE(forward.ok()) << forward.error().message;
  EXPECT_EQ(forward->droppedEntries, 0u);
  for (size_t texel = 0; texel < size_t{W} * H; ++texel) {
    const uint32_t x = texel % W, y = texel / W;
    const uint32_t quads = (x > 0 ? 1 : 0) + (x + 1 < W ? 1 : 0);
    const uint32_t rows = (y > 0 ? 1 : 0) + (y + 1 < H ? 1 : 0);
    ASSERT_FLOAT_EQ(forward->weight[texel], float(quads * rows)) << texel;  // one per quad touching the corner
    for (uint32_t ch = 0; ch < C; ++ch) {
      ASSERT_NEAR(forward->texture[ch * W * H + texel], c.features[ch * W * H + texel], 1e-6f) << texel;
    }
  }
}

TEST(UvSplatReference, ConstantImageGivesConstantTexture) {
  SplatCase c = smoothCase(7, 24, 20, 3, 32, 32);
  for (size_t i = 0; i < c.features.size(); ++i) c.features[i] = 0.25f + 0.5f * float(i / (24 * 20));  // per channel
  auto forward = uvSplatForwardReference(c.config, c.inputs());
  ASSERT_TRUE(forward.ok());
  size_t visible = 0;
  for (size_t texel = 0; texel < forward->weight.size(); ++texel) {
    if (forward->weight[texel] <= 0) {
      for (uint32_t ch = 0; ch < 3; ++ch) ASSERT_EQ(forward->texture[ch * 1024 + texel], 0.0f);
      continue;
    }
    ++visible;
    for (uint32_t ch = 0; ch < 3; ++ch) ASSERT_NEAR(forward->texture[ch * 1024 + texel], 0.25f + 0.5f * ch, 1e-6f);
  }
  EXPECT_GT(visible, 50u);
  // Moving the UVs over a constant image changes nothing, and the UV gradient is exactly 0 in
  // float as well: an entry's four dot products sum_c G_c F_c(p_k) are equal, and the weights'
  // derivatives cancel term by term (docs/UV_SPLAT.md "The texture term cancels").
  std::mt19937 random(5);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<float> upstream(forward->texture.size());
  for (float& g : upstream) g = unit(random);
  auto grads = uvSplatBackwardReference(c.config, c.inputs(), *forward, upstream);
  ASSERT_TRUE(grads.ok()) << grads.error().message;
  size_t nonzero = 0;
  for (float g : grads->uvs) nonzero += g != 0.0f;
  EXPECT_EQ(nonzero, 0u);
  float featureGradSum = 0.0f;
  for (float g : grads->features) featureGradSum += std::abs(g);
  EXPECT_GT(featureGradSum, 0.0f) << "the feature gradient is not zero";
}

TEST(UvSplatReference, InverseBilinearRoundTrips) {
  std::mt19937 random(11);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int n = 0; n < 2000; ++n) {
    uvsplat::Quad<double> quad;
    // A convex-ish random quad around a unit square, corners jittered.
    const double base[4][2] = {{0, 0}, {4, 0}, {4, 4}, {0, 4}};
    for (int k = 0; k < 4; ++k) {
      quad.x[k] = base[k][0] + 1.5 * (unit(random) - 0.5);
      quad.y[k] = base[k][1] + 1.5 * (unit(random) - 0.5);
    }
    const uvsplat::QuadPoint<double> truth{unit(random), unit(random)};
    double w[4];
    uvsplat::cornerWeights(truth, w);
    EXPECT_NEAR(w[0] + w[1] + w[2] + w[3], 1.0, 1e-15);
    double px = 0, py = 0;
    for (int k = 0; k < 4; ++k) {
      px += w[k] * quad.x[k];
      py += w[k] * quad.y[k];
    }
    uvsplat::QuadPoint<double> found;
    ASSERT_TRUE(uvsplat::inverseBilinear(quad, px, py, found)) << n;
    EXPECT_NEAR(found.s, truth.s, 1e-9) << n;
    EXPECT_NEAR(found.t, truth.t, 1e-9) << n;
  }
  uvsplat::Quad<float> square{{0, 1, 1, 0}, {0, 0, 1, 1}};
  uvsplat::QuadPoint<float> point;
  EXPECT_FALSE(uvsplat::inverseBilinear(square, 1.5f, 0.5f, point));
  ASSERT_TRUE(uvsplat::inverseBilinear(square, 1.0f, 1.0f, point)) << "corners are inside";
  EXPECT_EQ(point.s, 1.0f);
  EXPECT_EQ(point.t, 1.0f);
}

TEST(UvSplatReference, LutInsertKeepsTheSmallestKeysInAnyOrder) {
  std::mt19937 random(3);
  for (uint32_t capacity : {1u, 3u, 10u}) {
    std::vector<uint32_t> keys(25);
    std::iota(keys.begin(), keys.end(), 100u);
    for (int trial = 0; trial < 20; ++trial) {
      std::shuffle(keys.begin(), keys.end(), random);
      std::vector<uint32_t> slots(capacity, UV_SPLAT_NO_QUAD);
      uint32_t dropped = 0;
      for (uint32_t key : keys) dropped += uvsplat::lutInsert(slots.data(), capacity, key) ? 0 : 1;
      for (uint32_t s = 0; s < capacity; ++s) ASSERT_EQ(slots[s], 100u + s);
      EXPECT_EQ(dropped, 25u - capacity);
    }
  }
}

TEST(UvSplatReference, OverfullTexelsDropAndCount) {
  // Pixels alternate between u (and v) = 0.5 -/+ 0.07: every quad is the same square around
  // the texture's centre, so its 2 x 2 texels are each covered by all 25 quads (<= 32 slots).
  SplatCase c = smoothCase(9, 6, 6, 1, 8, 8);
  for (size_t p = 0; p < 36; ++p) {
    c.uvs[2 * p] = 0.5f + ((p % 6) % 2 ? 0.07f : -0.07f) + 0.001f * float(p % 7);
    c.uvs[2 * p + 1] = 0.5f + ((p / 6) % 2 ? 0.07f : -0.07f) + 0.001f * float(p % 5);
    c.mask[p] = 1;
  }
  c.config.lutCapacity = 32;
  auto full = uvSplatForwardReference(c.config, c.inputs());
  ASSERT_TRUE(full.ok());
  c.config.lutCapacity = 2;
  auto small = uvSplatForwardReference(c.config, c.inputs());
  ASSERT_TRUE(small.ok());
  uint64_t pairs = 0, kept = 0;
  for (size_t texel = 0; texel < 64; ++texel) {
    const uint32_t* slots = &full->lut[texel * 32];
    const uint32_t count = uint32_t(std::find(slots, slots + 32, UV_SPLAT_NO_QUAD) - slots);
    ASSERT_TRUE(std::is_sorted(slots, slots + count));
    pairs += count;
    for (uint32_t s = 0; s < 2; ++s) {
      EXPECT_EQ(small->lut[texel * 2 + s], s < count ? slots[s] : UV_SPLAT_NO_QUAD) << texel;
      kept += s < count;
    }
  }
  EXPECT_EQ(full->droppedEntries, 0u);
  EXPECT_GT(pairs, kept);
  EXPECT_EQ(small->droppedEntries, pairs - kept);
}

TEST(UvSplatReference, QuadsWiderThanTheThresholdAreSkipped) {
  // A u seam: the right half of the image wraps to u near 0. Quads across it span ~0.9 in u.
  SplatCase c = smoothCase(4, 16, 8, 1, 32, 32);
  for (uint32_t y = 0; y < 8; ++y) {
    for (uint32_t x = 0; x < 16; ++x) {
      c.uvs[2 * (y * 16 + x)] = x < 8 ? 0.55f + 0.05f * x : 0.05f * (x - 8);
      c.uvs[2 * (y * 16 + x) + 1] = 0.3f + 0.05f * y;
      c.mask[y * 16 + x] = 1;
    }
  }
  auto forward = uvSplatForwardReference(c.config, c.inputs());
  ASSERT_TRUE(forward.ok());
  for (uint32_t key : forward->lut) {
    if (key != UV_SPLAT_NO_QUAD) {
      EXPECT_NE(key % 15, 7u) << "quad column 7 crosses the seam";
    }
  }
  // Texels between u = 0.35 and 0.55 (columns 11..17 of 32) are covered by nothing else.
  EXPECT_EQ(forward->weight[16 * 32 + 14], 0.0f);
}

TEST(UvSplatReference, BadInputNamesTheField) {
  const SplatCase good = smoothCase(1, 8, 8, 3, 16, 16);
  auto expectError = [&](const UvSplatConfig& config, const UvSplatInputs& inputs, const char* field) {
    auto forward = uvSplatForwardReference(config, inputs);
    ASSERT_FALSE(forward.ok()) << field;
    EXPECT_NE(forward.error().message.find(field), std::string::npos) << forward.error().message;
  };
  UvSplatConfig config = good.config;
  config.channels = 0;
  expectError(config, good.inputs(), "config.channels");
  config = good.config;
  config.channels = 129;
  expectError(config, good.inputs(), "config.channels");
  config = good.config;
  config.textureWidth = 0;
  expectError(config, good.inputs(), "config.textureWidth");
  config = good.config;
  config.lutCapacity = 33;
  expectError(config, good.inputs(), "config.lutCapacity");
  config = good.config;
  config.maxQuadExtent = NAN;
  expectError(config, good.inputs(), "config.maxQuadExtent");
  config = good.config;
  config.imageWidth = 9;
  expectError(config, good.inputs(), "features");
  std::vector<float> shortUvs(good.uvs.begin(), good.uvs.end() - 1);
  expectError(good.config, {good.features, shortUvs, good.mask}, "uvs");
  std::vector<uint8_t> shortMask(good.mask.begin(), good.mask.end() - 1);
  expectError(good.config, {good.features, good.uvs, shortMask}, "mask");
  std::vector<float> nanUvs = good.uvs;
  nanUvs[2 * (3 * 8 + 4) + 1] = NAN;  // pixel (row 3, column 4), masked in
  ASSERT_EQ(good.mask[3 * 8 + 4], 1);
  expectError(good.config, {good.features, nanUvs, good.mask}, "uvs[(3, 4)]");
  std::vector<uint8_t> offMask = good.mask;
  offMask[3 * 8 + 4] = 0;
  EXPECT_TRUE(uvSplatForwardReference(good.config, {good.features, nanUvs, offMask}).ok()) << "NaN off the object is fine";
  auto forward = uvSplatForwardReference(good.config, good.inputs());
  ASSERT_TRUE(forward.ok());
  std::vector<float> shortGrad(forward->texture.size() - 1);
  auto grads = uvSplatBackwardReference(good.config, good.inputs(), *forward, shortGrad);
  ASSERT_FALSE(grads.ok());
  EXPECT_NE(grads.error().message.find("textureGrad"), std::string::npos);
}

TEST(UvSplatReference, FusionAveragesByConfidenceCapsAndResets) {
  UvSplatFusionState state;
  const std::vector<float> frameA = {1.0f, 4.0f}, frameB = {3.0f, 8.0f};  // C = 1, 2 x 1 texels
  const std::vector<float> seenBoth = {1.0f, 0.0f}, seenOne = {3.0f, 2.0f};
  ASSERT_TRUE(uvSplatFuseReference(state, 1, 2, 1, frameA, seenBoth, 5.0f, true).ok());
  EXPECT_EQ(state.texture, (std::vector<float>{1.0f, 0.0f}));  // texel 1 invisible: stays 0
  EXPECT_EQ(state.confidence, (std::vector<float>{1.0f, 0.0f}));
  ASSERT_TRUE(uvSplatFuseReference(state, 1, 2, 1, frameB, seenOne, 5.0f, false).ok());
  EXPECT_FLOAT_EQ(state.texture[0], (1.0f * 1.0f + 3.0f * 3.0f) / 4.0f);
  EXPECT_FLOAT_EQ(state.texture[1], 8.0f);
  EXPECT_EQ(state.confidence, (std::vector<float>{4.0f, 2.0f}));
  ASSERT_TRUE(uvSplatFuseReference(state, 1, 2, 1, frameB, seenOne, 5.0f, false).ok());
  EXPECT_EQ(state.confidence[0], 5.0f) << "capped at maxConfidence";
  ASSERT_TRUE(uvSplatFuseReference(state, 1, 2, 1, frameA, std::vector<float>{0.0f, 0.0f}, 5.0f, true).ok());
  EXPECT_EQ(state.texture, (std::vector<float>{0.0f, 0.0f})) << "reset";
  EXPECT_EQ(state.confidence, (std::vector<float>{0.0f, 0.0f}));
  EXPECT_FALSE(uvSplatFuseReference(state, 1, 2, 1, frameA, std::vector<float>{1.0f}, 5.0f, false).ok());
  EXPECT_FALSE(uvSplatFuseReference(state, 1, 2, 1, frameA, seenBoth, 0.0f, false).ok());
}

TEST(UvSplatReference, SamplingHitsTexelCentresAndClampsToEdge) {
  const UvSplatConfig config{4, 1, 1, 4, 2, 0.2f, 10};
  const std::vector<float> texture = {0, 1, 2, 3, 10, 11, 12, 13};  // [1][2][4]
  // u at texel centres of columns 0..2, v at row 0's centre; the last pixel far outside (clamped).
  const std::vector<float> uvs = {0.125f, 0.25f, 0.375f, 0.25f, 0.5f, 0.5f, 7.0f, -3.0f};
  const std::vector<uint8_t> mask = {1, 1, 1, 1};
  auto image = uvSplatSampleReference(config, texture, uvs, mask);
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ((*image)[0], 0.0f);
  EXPECT_EQ((*image)[1], 1.0f);
  EXPECT_FLOAT_EQ((*image)[2], 0.5f * (1.5f + 11.5f)) << "between columns 1, 2 and rows 0, 1";
  EXPECT_EQ((*image)[3], 3.0f) << "u, v beyond the texture: the corner texel";
  const std::vector<uint8_t> none = {0, 0, 0, 0};
  auto masked = uvSplatSampleReference(config, texture, uvs, none);
  EXPECT_EQ(*masked, (std::vector<float>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace meshrt::test
