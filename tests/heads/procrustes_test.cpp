// Similarity Procrustes on seeded random point sets: exact recovery without noise (tolerance
// 1e-4 on R entries, s and t relative), no reflection even for a mirrored target, weights,
// and degenerate inputs that fail by name.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/so3_math.h"
#include "heads/procrustes.h"

namespace meshrt {
namespace {

TEST(Procrustes, RecoversSimilarityExactly) {
  std::mt19937 random(3);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> source(468 * 3), target(468 * 3);
    for (auto& value : source) value = gauss(random);
    const float axisAngle[3] = {gauss(random), gauss(random), gauss(random)};
    float rotation[9];
    so3Exp(axisAngle, rotation);
    const float scale = 0.5f + std::fabs(gauss(random));
    const float translation[3] = {gauss(random), gauss(random), 5.0f + gauss(random)};
    for (size_t i = 0; i < 468; ++i) {
      float rotated[3];
      mul33x3(rotation, &source[i * 3], rotated);
      for (int d = 0; d < 3; ++d) target[i * 3 + d] = scale * rotated[d] + translation[d];
    }
    auto fit = solveSimilarityProcrustes(source, target);
    ASSERT_TRUE(fit.ok()) << fit.error().message;
    for (int i = 0; i < 9; ++i) EXPECT_NEAR(fit->rotation[i], rotation[i], 1e-4f);
    EXPECT_NEAR(fit->scale, scale, 1e-4f * scale);
    for (int d = 0; d < 3; ++d) EXPECT_NEAR(fit->translation[d], translation[d], 1e-4f * 6);
    EXPECT_LT(fit->rmsError, 1e-4f);
  }
}

TEST(Procrustes, MirroredTargetStillGivesAProperRotation) {
  std::mt19937 random(4);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> source(30 * 3), target(30 * 3);
  for (auto& value : source) value = gauss(random);
  for (size_t i = 0; i < 30; ++i) {
    target[i * 3] = -source[i * 3];  // a reflection: no rotation maps source onto it
    target[i * 3 + 1] = source[i * 3 + 1];
    target[i * 3 + 2] = source[i * 3 + 2];
  }
  auto fit = solveSimilarityProcrustes(source, target);
  ASSERT_TRUE(fit.ok());
  const auto& r = fit->rotation;
  const float det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
  EXPECT_NEAR(det, 1.0f, 1e-4f);
  EXPECT_GT(fit->rmsError, 0.1f);
}

TEST(Procrustes, ZeroWeightsIgnoreOutliers) {
  std::vector<float> source = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
  std::vector<float> target = source;
  for (auto& value : target) value = 2 * value + 1;
  target[12] = 100;  // the last point is wrong, and weighted out
  const std::vector<float> weights = {1, 1, 1, 1, 0};
  auto fit = solveSimilarityProcrustes(source, target, weights);
  ASSERT_TRUE(fit.ok());
  EXPECT_NEAR(fit->scale, 2.0f, 1e-5f);
  EXPECT_NEAR(fit->translation[0], 1.0f, 1e-5f);
  EXPECT_NEAR(fit->rotation[0], 1.0f, 1e-5f);
}

TEST(Procrustes, DegenerateInputsFailByName) {
  const std::vector<float> collinear = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3};
  auto line = solveSimilarityProcrustes(collinear, collinear);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().message, "procrustes: source: points are coincident or collinear");
  auto mismatch = solveSimilarityProcrustes(collinear, std::span<const float>(collinear).first(9));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().message, "procrustes: target: 9 values, expected 12");
  std::vector<float> bad = {0, 0, 0, 1, 0, 0, 0, 1, 0, NAN, 0, 1};
  auto nan = solveSimilarityProcrustes(bad, collinear);
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().message, "procrustes: source[9]: not finite");
}

}  // namespace
}  // namespace meshrt
