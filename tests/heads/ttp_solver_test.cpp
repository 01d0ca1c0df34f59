// TTP solver (paper 002, eqs. 1–7) on seeded synthetic correspondences: N = 642, K = 16,
// 30% invisible points, 10% outliers at v = 0.1, noise σ = 0, 1, 3 px on a 256 crop.
// Tolerances (issue 7, acceptance 1): median rotation error < 0.5° at σ = 0, < 1° at σ = 1,
// < 3° at σ = 3; per-axis RMS reprojection error on the inliers (v = 1) within [0.8σ, 1.2σ],
// and < 0.1 px at σ = 0. Medians over 40 seeded cases each.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numbers>
#include <string>

#include "heads/ttp_solver.h"
#include "support/ttp_synthetic.h"

namespace meshrt {
namespace {

using testing::makeTtpCase;
using testing::makeTtpModel;
using testing::PIXELS_PER_UNIT;
using testing::TtpSyntheticCase;
using testing::TtpSyntheticModel;

constexpr float DEGREES = 180.0f / std::numbers::pi_v<float>;

TtpModel view(const TtpSyntheticModel& model) { return {model.vertices, model.basis, model.basisCount}; }

// Per-axis RMS of (observed − predicted) over the inliers (v = 1), in pixels.
float inlierRmsPixels(const TtpSyntheticModel& model, const TtpSyntheticCase& sample, const TtpSolution& solution) {
  const size_t count = model.vertices.size() / 3;
  const uint32_t k = model.basisCount;
  double sum = 0;
  size_t used = 0;
  for (size_t i = 0; i < count; ++i) {
    if (sample.visibility[i] != 1.0f) continue;
    float vertex[3];
    for (int d = 0; d < 3; ++d) {
      vertex[d] = model.vertices[i * 3 + d];
      for (uint32_t j = 0; j < k; ++j) vertex[d] += model.basis[(i * 3 + d) * k + j] * solution.coefficients[j];
    }
    float camera[3];
    mul33x3(solution.rotation.data(), vertex, camera);
    const double ex = sample.points[i * 2] - (solution.scale * camera[0] + solution.translation[0]);
    const double ey = sample.points[i * 2 + 1] - (solution.scale * camera[1] + solution.translation[1]);
    sum += ex * ex + ey * ey;
    ++used;
  }
  return static_cast<float>(std::sqrt(sum / (2.0 * used)) * PIXELS_PER_UNIT);
}

float median(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Accuracy {
  float medianRotationDeg;
  float medianRmsPixels;
};

Accuracy runCases(float noisePixels, uint32_t cases, float outlierFraction = 0.1f, float robustScale = 0.0f) {
  const TtpSyntheticModel model = makeTtpModel(16, 7);
  std::vector<float> rotationErrors, rms;
  for (uint32_t seed = 0; seed < cases; ++seed) {
    const TtpSyntheticCase sample = makeTtpCase(model, {noisePixels, 0.3f, outlierFraction}, 1000 + seed);
    TtpSolverParams params;
    params.robustScale = robustScale;
    auto solution = solveTtp(view(model), {sample.points, sample.visibility}, params);
    EXPECT_TRUE(solution.ok()) << solution.error().message;
    if (!solution.ok()) continue;
    rotationErrors.push_back(so3AngleBetween(solution->rotation.data(), sample.rotation.data()) * DEGREES);
    rms.push_back(inlierRmsPixels(model, sample, *solution));
  }
  const Accuracy accuracy{median(rotationErrors), median(rms)};
  std::printf("tau %.3f, sigma %.0f px, outliers %.0f%%: median rotation error %.3f deg, median inlier RMS %.3f px\n",
              robustScale, noisePixels, outlierFraction * 100, accuracy.medianRotationDeg, accuracy.medianRmsPixels);
  return accuracy;
}

// Acceptance 1 with the Cauchy-reweighted loss (τ = 0.04 normalized ≈ 2.6 px): the outliers
// stop pulling the fit, and the inlier residual falls to the noise level.
constexpr float TAU = 0.04f;

TEST(TtpSolver, NoiseFreeRecoversThePose) {
  const Accuracy accuracy = runCases(0.0f, 40, 0.1f, TAU);
  EXPECT_LT(accuracy.medianRotationDeg, 0.5f);
  EXPECT_LT(accuracy.medianRmsPixels, 0.1f);  // 4 alternations and γ = 1e-3 leave ~0.04 px
}

TEST(TtpSolver, OnePixelNoise) {
  const Accuracy accuracy = runCases(1.0f, 40, 0.1f, TAU);
  EXPECT_LT(accuracy.medianRotationDeg, 1.0f);
  EXPECT_GT(accuracy.medianRmsPixels, 0.8f * 1.0f);
  EXPECT_LT(accuracy.medianRmsPixels, 1.2f * 1.0f);
}

TEST(TtpSolver, ThreePixelNoise) {
  const Accuracy accuracy = runCases(3.0f, 40, 0.1f, TAU);
  EXPECT_LT(accuracy.medianRotationDeg, 3.0f);
  EXPECT_GT(accuracy.medianRmsPixels, 0.8f * 3.0f);
  EXPECT_LT(accuracy.medianRmsPixels, 1.2f * 3.0f);
}

// The paper's plain weighted loss (eq. 4, τ = 0). Without outliers it meets the same bounds;
// with them, the v = 0.1 points pull the fit (measured: 0.47° and 0.79 px at σ = 0), so the
// bounds there are looser and state that pull.
TEST(TtpSolver, PlainLossWithoutOutliers) {
  const Accuracy clean = runCases(0.0f, 40, 0.0f);
  EXPECT_LT(clean.medianRotationDeg, 0.5f);
  EXPECT_LT(clean.medianRmsPixels, 0.1f);
  const Accuracy noisy = runCases(3.0f, 40, 0.0f);
  EXPECT_LT(noisy.medianRotationDeg, 3.0f);
  EXPECT_GT(noisy.medianRmsPixels, 0.8f * 3.0f);
  EXPECT_LT(noisy.medianRmsPixels, 1.2f * 3.0f);
}

TEST(TtpSolver, PlainLossWithOutliers) {
  const Accuracy clean = runCases(0.0f, 40, 0.1f);
  EXPECT_LT(clean.medianRotationDeg, 1.0f);
  EXPECT_LT(clean.medianRmsPixels, 1.5f);
  const Accuracy noisy = runCases(3.0f, 40, 0.1f);
  EXPECT_LT(noisy.medianRotationDeg, 3.0f);
  EXPECT_LT(noisy.medianRmsPixels, 1.2f * 3.0f + 0.5f);
}

TEST(TtpSolver, RecoversScaleTranslationAndCoefficientsWithoutNoise) {
  const TtpSyntheticModel model = makeTtpModel(16, 7);
  const TtpSyntheticCase sample = makeTtpCase(model, {0.0f, 0.3f, 0.0f}, 42);  // no outliers
  TtpSolverParams params;
  params.gamma = 1e-6f;
  params.alternations = 16;
  auto solution = solveTtp(view(model), {sample.points, sample.visibility}, params);
  ASSERT_TRUE(solution.ok()) << solution.error().message;
  EXPECT_LT(so3AngleBetween(solution->rotation.data(), sample.rotation.data()) * DEGREES, 0.05f);
  EXPECT_NEAR(solution->scale, sample.scale, 1e-3f * sample.scale);
  EXPECT_NEAR(solution->translation[0], sample.translation[0], 1e-3f);
  EXPECT_NEAR(solution->translation[1], sample.translation[1], 1e-3f);
  // Some fields are weakly observable in 2D; block-coordinate descent converges on them slowly.
  for (uint32_t k = 0; k < model.basisCount; ++k) EXPECT_NEAR(solution->coefficients[k], sample.coefficients[k], 0.1f) << k;
  EXPECT_LT(solution->loss, 1e-5f);  // about 0.02 px RMS
}

TEST(TtpSolver, WarmStartTracksASmallMotionInOneAlternation) {
  const TtpSyntheticModel model = makeTtpModel(16, 7);
  const TtpSyntheticCase first = makeTtpCase(model, {1.0f}, 5);
  auto previous = solveTtp(view(model), {first.points, first.visibility}, {});
  ASSERT_TRUE(previous.ok());
  // The next frame: the same object turned by 3 degrees.
  const float turn[3] = {0.03f, -0.04f, 0.02f};
  float step[9], moved[9];
  so3Exp(turn, step);
  mul33(step, first.rotation.data(), moved);
  TtpSyntheticCase next = first;
  const size_t count = model.vertices.size() / 3;
  for (size_t i = 0; i < count; ++i) {
    if (first.visibility[i] != 1.0f) continue;
    float vertex[3];
    for (int d = 0; d < 3; ++d) {
      vertex[d] = model.vertices[i * 3 + d];
      for (uint32_t j = 0; j < 16; ++j) vertex[d] += model.basis[(i * 3 + d) * 16 + j] * first.coefficients[j];
    }
    float camera[3];
    mul33x3(moved, vertex, camera);
    next.points[i * 2] = first.scale * camera[0] + first.translation[0];
    next.points[i * 2 + 1] = first.scale * camera[1] + first.translation[1];
  }
  TtpSolverParams params;
  params.alternations = 1;
  auto tracked = solveTtp(view(model), {next.points, next.visibility}, params, &*previous);
  ASSERT_TRUE(tracked.ok()) << tracked.error().message;
  EXPECT_LT(so3AngleBetween(tracked->rotation.data(), moved) * DEGREES, 1.0f);
}

TEST(TtpSolver, BatchHostRunEqualsPerSampleRunsBitForBit) {
  // The CUDA kernel runs ttpSolveBatchSample() per thread; its host twin must equal the
  // per-sample API exactly, so the CPU tests cover the kernel's math.
  const TtpSyntheticModel model = makeTtpModel(16, 7);
  constexpr int SAMPLES = 6;
  const size_t count = model.vertices.size() / 3;
  std::vector<float> points, visibility;
  std::vector<TtpSolution> expected;
  for (int s = 0; s < SAMPLES; ++s) {
    const TtpSyntheticCase sample = makeTtpCase(model, {2.0f}, 300 + s);
    points.insert(points.end(), sample.points.begin(), sample.points.end());
    visibility.insert(visibility.end(), sample.visibility.begin(), sample.visibility.end());
    auto solution = solveTtp(view(model), {sample.points, sample.visibility}, {});
    ASSERT_TRUE(solution.ok());
    expected.push_back(*solution);
  }
  std::vector<float> scratch(SAMPLES * static_cast<size_t>(ttpScratchSize(static_cast<int>(count))));
  std::vector<TtpState<float>> states(SAMPLES);
  const TtpSolverParams defaults;
  TtpBatchParams batch{points.data(), visibility.data(), model.vertices.data(), model.basis.data(), scratch.data(),
                       states.data(), SAMPLES, static_cast<int>(count), 16,
                       {defaults.gamma, static_cast<int>(defaults.alternations), static_cast<int>(defaults.poseIterations), 0, 0.0f}};
  ttpSolveBatchHost(batch);
  for (int s = 0; s < SAMPLES; ++s) {
    EXPECT_EQ(states[s].status, TTP_STATUS_OK);
    EXPECT_EQ(std::memcmp(states[s].rotation, expected[s].rotation.data(), sizeof(float) * 9), 0) << s;
    EXPECT_EQ(std::memcmp(states[s].coefficients, expected[s].coefficients.data(), sizeof(float) * 16), 0) << s;
    EXPECT_EQ(std::memcmp(&states[s].scale, &expected[s].scale, sizeof(float)), 0) << s;
    EXPECT_EQ(std::memcmp(states[s].translation, expected[s].translation.data(), sizeof(float) * 2), 0) << s;
    EXPECT_EQ(std::memcmp(&states[s].loss, &expected[s].loss, sizeof(float)), 0) << s;
  }
}

TEST(TtpSolver, RigidTemplateWithoutBasis) {
  TtpSyntheticModel model = makeTtpModel(0, 7);
  const TtpSyntheticCase sample = makeTtpCase(model, {0.0f}, 9);
  auto solution = solveTtp(view(model), {sample.points, sample.visibility}, {});
  ASSERT_TRUE(solution.ok()) << solution.error().message;
  EXPECT_TRUE(solution->coefficients.empty());
  EXPECT_LT(so3AngleBetween(solution->rotation.data(), sample.rotation.data()) * DEGREES, 0.5f);
}

// The finiteness scan (64 maxima of |bits| per pass, then the values left over): extreme finite
// values pass, ±infinity and NaN are found in the whole passes and in the tail, and named.
TEST(TtpSolver, NonFiniteModelValuesAreFoundAndNamed) {
  TtpSyntheticModel model = makeTtpModel(4, 7);
  const size_t last = model.basis.size() - 1;
  ASSERT_NE(model.basis.size() % 64, 0u);  // so the last value is in the tail
  model.basis[5] = std::numeric_limits<float>::max();
  model.basis[last] = -std::numeric_limits<float>::max();
  model.vertices[0] = -std::numeric_limits<float>::denorm_min();
  EXPECT_TRUE(validateTtpModel(view(model)).ok());

  model.basis[5] = -std::numeric_limits<float>::infinity();
  auto infinite = validateTtpModel(view(model));
  ASSERT_FALSE(infinite.ok());
  EXPECT_EQ(infinite.error().message, "ttp_solver: basis[5]: infinite");

  model.basis[5] = 0.0f;
  model.basis[last] = -std::nanf("");
  auto nan = validateTtpModel(view(model));
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().message, "ttp_solver: basis[" + std::to_string(last) + "]: NaN");
}

// solveTtp scans the model's values only when the solve fails or its result is not finite: a
// non-finite value of a weighted vertex still comes back as the named model value, not a result.
TEST(TtpSolver, SolveNamesANonFiniteModelValue) {
  TtpSyntheticModel model = makeTtpModel(4, 7);
  const TtpSyntheticCase sample = makeTtpCase(model, {1.0f}, 3);
  size_t weighted = 0;
  while (sample.visibility[weighted] < 1.0f) ++weighted;
  model.basis[weighted * 3 * 4 + 2] = std::nanf("");
  auto nan = solveTtp(view(model), {sample.points, sample.visibility}, {});
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().message, "ttp_solver: basis[" + std::to_string(weighted * 3 * 4 + 2) + "]: NaN");

  model.basis[weighted * 3 * 4 + 2] = 0.0f;
  model.vertices[weighted * 3 + 1] = std::numeric_limits<float>::infinity();
  auto infinite = solveTtp(view(model), {sample.points, sample.visibility}, {});
  ASSERT_FALSE(infinite.ok());
  EXPECT_EQ(infinite.error().message, "ttp_solver: vertices[" + std::to_string(weighted * 3 + 1) + "]: infinite");
}

TEST(TtpSolver, InvalidInputsNameTheField) {
  const TtpSyntheticModel model = makeTtpModel(4, 7);
  TtpSyntheticCase sample = makeTtpCase(model, {0.0f}, 1);
  sample.visibility[3] = std::nanf("");
  auto nan = solveTtp(view(model), {sample.points, sample.visibility}, {});
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().message, "ttp_solver: visibility[3]: NaN");

  sample.visibility.assign(sample.visibility.size(), 0.0f);
  auto empty = solveTtp(view(model), {sample.points, sample.visibility}, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "ttp_solver: visibility: all weights are zero");

  auto shortPoints = solveTtp(view(model), {std::span<const float>(sample.points).first(10), sample.visibility}, {});
  ASSERT_FALSE(shortPoints.ok());
  EXPECT_EQ(shortPoints.error().message, "ttp_solver: points: 10 values, expected 1284");

  TtpSolverParams params;
  params.alternations = 0;
  auto noRounds = solveTtp(view(model), {sample.points, sample.visibility}, params);
  ASSERT_FALSE(noRounds.ok());
  EXPECT_EQ(noRounds.error().message, "ttp_solver: alternations: must be in 1..64");
}

TEST(TtpSolver, CoincidentPointsAreDegenerateNotNaN) {
  const TtpSyntheticModel model = makeTtpModel(4, 7);
  TtpSyntheticCase sample = makeTtpCase(model, {0.0f}, 1);
  sample.points.assign(sample.points.size(), 0.25f);
  auto solution = solveTtp(view(model), {sample.points, sample.visibility}, {});
  ASSERT_FALSE(solution.ok());
  EXPECT_EQ(solution.error().message, "ttp_solver: points: the weighted points have no 2D or 3D spread");
}

}  // namespace
}  // namespace meshrt
