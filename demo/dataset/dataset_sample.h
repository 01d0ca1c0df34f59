// One random sample of `meshrt render-dataset` (docs/DATASET.md): everything that varies per
// image, drawn from (seed, sample index) alone, so a sample does not depend on the batch it is
// rendered in and the same seed always gives the same data.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace meshrt::dataset {

// The distributions (docs/DATASET.md "Sampling"; change them and the documentation together).
struct DatasetSampling {
  float maxElevationDeg = 75.0f;  // view direction uniform over the upper hemisphere, elevation 0..75°
  float maxRollDeg = 20.0f;       // in-plane camera roll, uniform ±20°
  float minScale = 1.1f;          // weak-perspective scale s, uniform (normalized crop units per object unit)
  float maxScale = 1.5f;
  float maxTranslation = 0.15f;   // t uniform in ±0.15 on each axis (normalized crop units)
  float coefficientSigma = 0.5f;  // deformation coefficients c_k ~ N(0, σ²), independent
};

// A procedural texture in UV space: a base colour, stripes of a second colour and value noise.
struct TextureParams {
  std::array<float, 3> base{}, stripe{};  // linear 0..1 RGB
  float stripeAngle = 0;      // radians, direction of the stripes in UV
  float stripeFrequency = 0;  // stripes per UV unit
  float stripeDuty = 0;       // 0..1, fraction of each period in the stripe colour (0: no stripes)
  float noiseAmplitude = 0;   // value-noise brightness modulation, ±
  float noiseFrequency = 0;   // lattice cells per UV unit
  uint64_t noiseSeed = 0;
};

// A procedural background: a linear gradient between two colours plus value noise.
struct BackgroundParams {
  std::array<float, 3> from{}, to{};
  float angle = 0;            // radians, gradient direction in the image
  float noiseAmplitude = 0;
  float noiseFrequency = 0;   // lattice cells across the image
  uint64_t noiseSeed = 0;
};

// Lambert + ambient: colour = texture · (ambient + (1 − ambient) · max(0, n · l)).
struct LightParams {
  std::array<float, 3> direction{};  // unit vector toward the light, camera frame (OpenCV), z < 0 (camera side)
  float ambient = 0;
};

struct DatasetSample {
  std::array<double, 9> rotation{};    // R, object → camera (OpenCV: x right, y down, z forward), row-major
  std::array<double, 4> quaternion{};  // the same rotation, (w, x, y, z), w ≥ 0
  double scale = 0;                    // s of p = s·(R X)_xy + t
  std::array<double, 2> translation{}; // t, normalized crop coordinates
  std::vector<float> coefficients;     // K
  TextureParams texture;
  BackgroundParams background;
  LightParams light;
};

// The output format of render-dataset (docs/DATASET.md "Format"): its version in dataset.json, and
// sample i's file name in images/ and masks/ ("%06u.png").
inline constexpr int DATASET_FORMAT = 1;
std::string sampleFileName(uint32_t index);

DatasetSample drawSample(const DatasetSampling& sampling, uint64_t seed, uint64_t index, uint32_t basisCount);

// (w, x, y, z) of a rotation matrix (row-major), w ≥ 0.
std::array<double, 4> quaternionFromRotation(const std::array<double, 9>& r);

}  // namespace meshrt::dataset
