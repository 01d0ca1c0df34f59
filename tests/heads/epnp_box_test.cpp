// Objectron box lifting: boxes projected with a known camera (640×480, f = 500 px).
// Noise-free: rotation < 0.5°, size ratios and translation direction within 1% (issue 7,
// acceptance 2). Noisy keypoints: median errors grow with σ and stay bounded. Degenerate or
// reordered keypoints: a named error, never NaN.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "core/so3_math.h"
#include "heads/epnp_box.h"

namespace meshrt {
namespace {

constexpr float DEGREES = 180.0f / std::numbers::pi_v<float>;
const PinholeIntrinsics CAMERA{500, 500, 320, 240};

struct TrueBox {
  float rotation[9];
  float center[3];
  float size[3];
  std::array<float, 18> keypoints;
};

TrueBox makeBox(std::mt19937& random, float noisePixels) {
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  TrueBox box;
  const float axisAngle[3] = {gauss(random), gauss(random), gauss(random)};
  so3Exp(axisAngle, box.rotation);
  box.center[0] = 0.4f * (uniform(random) - 0.5f);
  box.center[1] = 0.3f * (uniform(random) - 0.5f);
  box.center[2] = 1.5f + uniform(random);
  for (float& s : box.size) s = 0.2f + 0.3f * uniform(random);
  for (int i = 0; i < BOX_KEYPOINTS; ++i) {
    const auto unit = unitBoxKeypoint(i);
    const float local[3] = {unit[0] * box.size[0], unit[1] * box.size[1], unit[2] * box.size[2]};
    float x[3];
    mul33x3(box.rotation, local, x);
    for (int d = 0; d < 3; ++d) x[d] += box.center[d];
    box.keypoints[i * 2] = CAMERA.fx * x[0] / x[2] + CAMERA.cx + noisePixels * gauss(random);
    box.keypoints[i * 2 + 1] = CAMERA.fy * x[1] / x[2] + CAMERA.cy + noisePixels * gauss(random);
  }
  return box;
}

struct Errors {
  float rotationDeg, sizeRatio, direction;
};

Errors compare(const TrueBox& truth, const Box3d& fit) {
  Errors e;
  e.rotationDeg = so3AngleBetween(truth.rotation, fit.rotation.data()) * DEGREES;
  // Size ratios (scale-free): y/x and z/x.
  const float trueYx = truth.size[1] / truth.size[0], trueZx = truth.size[2] / truth.size[0];
  const float fitYx = fit.size[1] / fit.size[0], fitZx = fit.size[2] / fit.size[0];
  e.sizeRatio = std::max(std::fabs(fitYx / trueYx - 1), std::fabs(fitZx / trueZx - 1));
  const float norm = std::sqrt(dot3(truth.center, truth.center));
  float cosine = 0;
  for (int d = 0; d < 3; ++d) cosine += truth.center[d] / norm * fit.translation[d];
  e.direction = std::sqrt(std::max(0.0f, 1 - cosine * cosine));  // sin of the angle between
  return e;
}

TEST(EpnpBox, NoiseFreeBoxesAreRecovered) {
  std::mt19937 random(11);
  for (int trial = 0; trial < 50; ++trial) {
    const TrueBox truth = makeBox(random, 0.0f);
    auto fit = liftBoxEpnp(truth.keypoints, {CAMERA});
    ASSERT_TRUE(fit.ok()) << fit.error().message;
    const Errors e = compare(truth, *fit);
    EXPECT_LT(e.rotationDeg, 0.5f) << trial;
    EXPECT_LT(e.sizeRatio, 0.01f) << trial;
    EXPECT_LT(e.direction, 0.01f) << trial;
    EXPECT_NEAR(std::sqrt(dot3(fit->translation.data(), fit->translation.data())), 1.0f, 1e-5f);
    EXPECT_LT(fit->rmsErrorPixels, 0.01f);
    // Relative size: the true size over the true distance.
    const float distance = std::sqrt(dot3(truth.center, truth.center));
    EXPECT_NEAR(fit->size[0], truth.size[0] / distance, 0.01f * truth.size[0] / distance);
  }
}

TEST(EpnpBox, ErrorsGrowSmoothlyWithNoise) {
  float previous = 0;
  for (float sigma : {0.5f, 1.0f, 2.0f, 4.0f}) {
    std::mt19937 random(12);
    std::vector<float> rotationErrors, failures;
    for (int trial = 0; trial < 60; ++trial) {
      const TrueBox truth = makeBox(random, sigma);
      auto fit = liftBoxEpnp(truth.keypoints, {CAMERA});
      ASSERT_TRUE(fit.ok()) << sigma << ": " << fit.error().message;
      for (float value : fit->rotation) ASSERT_TRUE(std::isfinite(value));
      rotationErrors.push_back(compare(truth, *fit).rotationDeg);
    }
    std::sort(rotationErrors.begin(), rotationErrors.end());
    const float median = rotationErrors[rotationErrors.size() / 2];
    std::printf("sigma %.1f px: median rotation error %.3f deg\n", sigma, median);
    EXPECT_GT(median, previous);           // more noise, more error
    EXPECT_LT(median, 1.5f * sigma + 0.2f);  // and no jump: about 1° per px here at most
    previous = median;
  }
}

TEST(EpnpBox, ReorderedKeypointsFailClearly) {
  std::mt19937 random(13);
  int failures = 0;
  for (int trial = 0; trial < 20; ++trial) {
    TrueBox truth = makeBox(random, 0.0f);
    std::swap(truth.keypoints[2 * 1], truth.keypoints[2 * 8]);  // corners 1 and 8 swapped
    std::swap(truth.keypoints[2 * 1 + 1], truth.keypoints[2 * 8 + 1]);
    auto fit = liftBoxEpnp(truth.keypoints, {CAMERA});
    if (!fit.ok()) {
      ++failures;
      EXPECT_NE(fit.error().message.find("epnp_box: keypoints"), std::string::npos) << fit.error().message;
    }
  }
  EXPECT_EQ(failures, 20);
}

TEST(EpnpBox, DegenerateKeypointsFailWithoutNaN) {
  std::array<float, 18> same;
  same.fill(100.0f);
  auto coincident = liftBoxEpnp(same, {CAMERA});
  ASSERT_FALSE(coincident.ok());
  EXPECT_EQ(coincident.error().message.rfind("epnp_box: keypoints: degenerate", 0), 0u) << coincident.error().message;

  std::array<float, 18> line;
  for (int i = 0; i < 9; ++i) line[i * 2] = 100.0f + 10 * i, line[i * 2 + 1] = 50.0f + 5 * i;
  auto collinear = liftBoxEpnp(line, {CAMERA});
  ASSERT_FALSE(collinear.ok());
  EXPECT_EQ(collinear.error().message.rfind("epnp_box: keypoints", 0), 0u);

  std::array<float, 18> nan = line;
  nan[7] = std::nanf("");
  auto bad = liftBoxEpnp(nan, {CAMERA});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "epnp_box: keypoints[3]: not finite");

  auto noCamera = liftBoxEpnp(line, {});
  ASSERT_FALSE(noCamera.ok());
  EXPECT_EQ(noCamera.error().message.rfind("epnp_box: intrinsics", 0), 0u);
}

TEST(EpnpBox, ObjectronFrameConversionFlipsYAndZ) {
  std::array<float, 9> rotation = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  std::array<float, 3> translation = {0.1f, 0.2f, 0.97f};
  objectronFromOpencv(rotation, translation);
  EXPECT_EQ(rotation, (std::array<float, 9>{1, 0, 0, 0, -1, 0, 0, 0, -1}));
  EXPECT_EQ(translation, (std::array<float, 3>{0.1f, -0.2f, -0.97f}));  // in front = −z there
}

TEST(EpnpBox, KeypointOrderMatchesMediaPipe) {
  EXPECT_EQ(unitBoxKeypoint(0), (std::array<float, 3>{0, 0, 0}));
  EXPECT_EQ(unitBoxKeypoint(1), (std::array<float, 3>{-0.5f, -0.5f, -0.5f}));
  EXPECT_EQ(unitBoxKeypoint(2), (std::array<float, 3>{-0.5f, -0.5f, 0.5f}));
  EXPECT_EQ(unitBoxKeypoint(3), (std::array<float, 3>{-0.5f, 0.5f, -0.5f}));
  EXPECT_EQ(unitBoxKeypoint(5), (std::array<float, 3>{0.5f, -0.5f, -0.5f}));
  EXPECT_EQ(unitBoxKeypoint(8), (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
}

}  // namespace
}  // namespace meshrt
