// The procedural appearance of a dataset sample (docs/DATASET.md "Appearance"): texture colour
// at a UV, background colour at a pixel, and the Lambert + ambient factor. Colours 0..1, written
// to the PNGs as round(255·value) (treated as sRGB values; no gamma conversion).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

#include "dataset/dataset_random.h"
#include "dataset/dataset_sample.h"

namespace meshrt::dataset {

// u, v in [0, 1] (v down). The folded UVs of the template make the texture mirror-symmetric.
inline std::array<float, 3> textureColour(const TextureParams& t, float u, float v) {
  const double along = u * std::cos(t.stripeAngle) + v * std::sin(t.stripeAngle);
  const double phase = along * t.stripeFrequency - std::floor(along * t.stripeFrequency);
  const std::array<float, 3>& colour = phase < t.stripeDuty ? t.stripe : t.base;
  const double noise = valueNoise(t.noiseSeed, u * t.noiseFrequency, v * t.noiseFrequency);
  const double gain = 1.0 + t.noiseAmplitude * (2.0 * noise - 1.0);
  return {static_cast<float>(colour[0] * gain), static_cast<float>(colour[1] * gain),
          static_cast<float>(colour[2] * gain)};
}

// x, y in [0, 1] across the image (pixel centre / size).
inline std::array<float, 3> backgroundColour(const BackgroundParams& b, double x, double y) {
  const double g = std::clamp(0.5 + (x - 0.5) * std::cos(b.angle) + (y - 0.5) * std::sin(b.angle), 0.0, 1.0);
  const double noise = valueNoise(b.noiseSeed, x * b.noiseFrequency, y * b.noiseFrequency);
  const double gain = 1.0 + b.noiseAmplitude * (2.0 * noise - 1.0);
  std::array<float, 3> out{};
  for (int c = 0; c < 3; ++c) out[c] = static_cast<float>((b.from[c] * (1.0 - g) + b.to[c] * g) * gain);
  return out;
}

// `normal`: camera frame, any length (normalized here).
inline float lambertAmbient(const LightParams& light, const double normal[3]) {
  const double length = std::sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]);
  double cosine = 0;
  if (length > 0) {
    cosine = (normal[0] * light.direction[0] + normal[1] * light.direction[1] + normal[2] * light.direction[2]) / length;
  }
  return static_cast<float>(light.ambient + (1.0 - light.ambient) * std::max(0.0, cosine));
}

inline uint8_t toByte(float value) {
  return static_cast<uint8_t>(std::lround(std::clamp(value, 0.0f, 1.0f) * 255.0f));
}

}  // namespace meshrt::dataset
