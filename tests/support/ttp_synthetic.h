// Seeded synthetic TTP problems (acceptance 1 of issue 7): an icosphere template squashed to
// an ellipsoid, K random smooth basis fields, random poses and coefficients, 2D points on a
// 256-pixel crop with Gaussian noise, invisible points and down-weighted outliers. Shared by
// the unit tests, the benchmark and the PyTorch peer's case writer.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace meshrt::testing {

constexpr float CROP_PIXELS = 256.0f;                      // the crop the noise is stated on
constexpr float PIXELS_PER_UNIT = CROP_PIXELS / 2.0f;      // normalized [-1, 1] → pixels

struct TtpSyntheticModel {
  std::vector<float> vertices;  // N×3
  std::vector<float> basis;     // N×3×K
  uint32_t basisCount = 0;
};

struct TtpSyntheticCase {
  std::vector<float> points;      // N×2 observed (normalized crop coordinates)
  std::vector<float> visibility;  // N: 1 inlier, 0 invisible, 0.1 outlier
  std::vector<float> cleanPoints; // N×2 noise-free projections
  std::array<float, 9> rotation{};
  float scale = 0;
  std::array<float, 2> translation{};
  std::vector<float> coefficients;
};

struct TtpSyntheticOptions {
  float noisePixels = 0;          // σ of the Gaussian noise, pixels on the 256 crop
  float invisibleFraction = 0.3f; // v = 0
  float outlierFraction = 0.1f;   // v = 0.1, point moved uniformly in the crop
  float coefficientSigma = 0.5f;  // c ~ N(0, σ²)
};

// Icosphere with `subdivisions` levels (3 → 642 vertices), scaled by `axes` per axis.
std::vector<float> icosphere(int subdivisions, std::array<float, 3> axes);

// Template (642-vertex ellipsoid) plus K smooth basis fields a_k·sin(ω_k·X + φ_k).
TtpSyntheticModel makeTtpModel(uint32_t basisCount, uint32_t seed);

TtpSyntheticCase makeTtpCase(const TtpSyntheticModel& model, const TtpSyntheticOptions& options, uint32_t seed);

}  // namespace meshrt::testing
