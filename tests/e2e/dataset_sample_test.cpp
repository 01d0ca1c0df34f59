// The sampling of `meshrt render-dataset` (demo/dataset/dataset_sample.h): what docs/DATASET.md
// "render-dataset" promises about each distribution, checked over 4,000 draws, and the
// reproducibility of a draw from (seed, index).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "dataset/dataset_sample.h"

namespace meshrt::dataset {
namespace {

constexpr uint32_t K = 16;
constexpr uint32_t DRAWS = 4000;
constexpr double DEG = 180.0 / std::numbers::pi;

TEST(DatasetSample, SameSeedAndIndexGiveTheSameSample) {
  const DatasetSampling sampling;
  const DatasetSample a = drawSample(sampling, 3, 17, K), b = drawSample(sampling, 3, 17, K);
  const DatasetSample otherIndex = drawSample(sampling, 3, 18, K), otherSeed = drawSample(sampling, 4, 17, K);
  EXPECT_EQ(a.rotation, b.rotation);
  EXPECT_EQ(a.coefficients, b.coefficients);
  EXPECT_EQ(a.texture.noiseSeed, b.texture.noiseSeed);
  EXPECT_NE(a.rotation, otherIndex.rotation);
  EXPECT_NE(a.coefficients, otherSeed.coefficients);
}

TEST(DatasetSample, DistributionsAreTheDocumentedOnes) {
  const DatasetSampling sampling;
  double coefficientSum = 0, coefficientSquares = 0, heightSum = 0;
  double maxElevation = 0, maxRoll = 0;
  for (uint32_t index = 0; index < DRAWS; ++index) {
    const DatasetSample s = drawSample(sampling, 1, index, K);
    const auto& r = s.rotation;
    // A proper rotation (orthonormal rows, determinant +1).
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const double dot = r[3 * i] * r[3 * j] + r[3 * i + 1] * r[3 * j + 1] + r[3 * i + 2] * r[3 * j + 2];
        ASSERT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-12);
      }
    const double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) +
                       r[2] * (r[3] * r[7] - r[4] * r[6]);
    ASSERT_NEAR(det, 1.0, 1e-12);
    // The quaternion is the same rotation, w ≥ 0.
    const auto& q = s.quaternion;
    ASSERT_GE(q[0], 0.0);
    ASSERT_NEAR(r[1], 2 * (q[1] * q[2] - q[0] * q[3]), 1e-9);
    ASSERT_NEAR(r[5], 2 * (q[2] * q[3] - q[0] * q[1]), 1e-9);
    ASSERT_NEAR(r[6], 2 * (q[1] * q[3] - q[0] * q[2]), 1e-9);
    ASSERT_NEAR(r[0], 1 - 2 * (q[2] * q[2] + q[3] * q[3]), 1e-9);
    // View direction (toward the camera, object frame) = −(camera z axis) = −row 2: in the upper
    // hemisphere band, elevation ≤ 75°.
    const double height = -r[7];
    ASSERT_GE(height, 0.0);
    maxElevation = std::max(maxElevation, std::asin(height) * DEG);
    heightSum += height;
    // Roll: the object's +y seen in the image points up (−y in image) turned by at most 20°.
    const double upX = r[1], upY = r[4];  // camera x, y of the object's +y axis
    maxRoll = std::max(maxRoll, std::abs(std::atan2(upX, -upY)) * DEG);
    ASSERT_GE(s.scale, sampling.minScale);
    ASSERT_LE(s.scale, sampling.maxScale);
    for (double t : s.translation) ASSERT_LE(std::abs(t), sampling.maxTranslation);
    for (float c : s.coefficients) {
      coefficientSum += c;
      coefficientSquares += double{c} * c;
    }
    const auto& l = s.light.direction;
    ASSERT_NEAR(std::sqrt(l[0] * l[0] + l[1] * l[1] + l[2] * l[2]), 1.0, 1e-6);
    ASSERT_LE(l[2], -std::cos(75.0 / DEG) + 1e-6) << "toward the camera's side, within 75° of the axis";
    ASSERT_GE(s.light.ambient, 0.2f);
    ASSERT_LE(s.light.ambient, 0.6f);
  }
  EXPECT_LE(maxElevation, sampling.maxElevationDeg + 1e-9);
  EXPECT_GT(maxElevation, sampling.maxElevationDeg - 1.0) << "the band is used up to its top";
  EXPECT_LE(maxRoll, sampling.maxRollDeg + 1e-6);
  EXPECT_GT(maxRoll, sampling.maxRollDeg - 1.0);
  // sin(elevation) uniform on [0, sin 75°]: its mean is sin(75°)/2 (±0.01 at 4,000 draws: σ/√n ≈ 0.0044).
  EXPECT_NEAR(heightSum / DRAWS, std::sin(sampling.maxElevationDeg / DEG) / 2, 0.015);
  const double n = double{DRAWS} * K;
  const double mean = coefficientSum / n;
  EXPECT_NEAR(mean, 0.0, 0.02) << "σ/√n = 0.5/253";
  EXPECT_NEAR(std::sqrt(coefficientSquares / n - mean * mean), sampling.coefficientSigma, 0.02);
}

}  // namespace
}  // namespace meshrt::dataset
