// Test-time mirroring (heads/deform_mirror.h).
#include "heads/deform_mirror.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meshrt {

Result<std::vector<uint32_t>> findMirrorPartners(std::span<const float> positions, std::span<const float> basis,
                                                 uint32_t basisCount, const std::string& what) {
  const size_t n = positions.size() / 3;
  float extent = 0.0f;
  for (const float value : positions) extent = std::max(extent, std::fabs(value));
  const double tolerance = 1e-5 * std::max(extent, 1e-6f);
  std::vector<uint32_t> partner(n);
  for (size_t i = 0; i < n; ++i) {
    const float* p = &positions[3 * i];
    double best = std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < n; ++j) {  // N² once per pipeline: 0.4 M distance tests for the bird
      const float* q = &positions[3 * j];
      const double dx = double{q[0]} + p[0], dy = double{q[1]} - p[1], dz = double{q[2]} - p[2];
      const double distance = dx * dx + dy * dy + dz * dz;
      if (distance < best) best = distance, partner[i] = static_cast<uint32_t>(j);
    }
    if (!(std::sqrt(best) <= tolerance)) {
      return makeError(what, "vertex " + std::to_string(i) + " has no mirror partner about x = 0 (test_time_mirror " +
                                 "needs a mirror-symmetric template)");
    }
  }
  float largest = 0.0f;
  for (const float value : basis) largest = std::max(largest, std::fabs(value));
  const float basisTolerance = 1e-5f * std::max(largest, 1e-6f);
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t d = 0; d < 3; ++d) {
      const float sign = d == 0 ? -1.0f : 1.0f;  // M = diag(−1, 1, 1)
      for (uint32_t k = 0; k < basisCount; ++k) {
        const float value = basis[(i * 3 + d) * basisCount + k];
        const float mirrored = basis[(partner[i] * 3 + d) * basisCount + k];
        if (!(std::fabs(mirrored - sign * value) <= basisTolerance)) {
          return makeError(what, "basis field " + std::to_string(k) + " is not mirror-symmetric about x = 0 " +
                                     "at vertex " + std::to_string(i) + " (test_time_mirror needs a symmetric basis)");
        }
      }
    }
  }
  return partner;
}

void averageMirroredRegress(std::span<float> regress, std::span<const float> mirrored) {
  regress[0] = 0.5f * (regress[0] + mirrored[0]);  // s
  regress[1] = 0.5f * (regress[1] - mirrored[1]);  // t_x: x → −x
  regress[2] = 0.5f * (regress[2] + mirrored[2]);  // t_y
  // q and M·R'·M's quaternion (w, x, −y, −z), each normalized, sign-aligned, summed.
  float own[4] = {regress[3], regress[4], regress[5], regress[6]};
  float back[4] = {mirrored[3], mirrored[4], -mirrored[5], -mirrored[6]};
  const auto normalize = [](float* q) {
    const float norm = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    if (!(norm > 1e-12f)) return false;
    for (int i = 0; i < 4; ++i) q[i] /= norm;
    return true;
  };
  const bool hasOwn = normalize(own), hasBack = normalize(back);
  const float dot = own[0] * back[0] + own[1] * back[1] + own[2] * back[2] + own[3] * back[3];
  const float sign = dot < 0.0f ? -1.0f : 1.0f;
  for (int i = 0; i < 4; ++i) {
    regress[3 + i] = (hasOwn ? own[i] : 0.0f) + (hasBack ? sign * back[i] : 0.0f);
  }
  for (size_t k = 7; k < regress.size(); ++k) regress[k] = 0.5f * (regress[k] + mirrored[k]);  // c: symmetric basis
}

void mirrorBackPoints(std::span<const float> mirroredPoints, std::span<const float> mirroredVisibility,
                      std::span<const uint32_t> partner, std::vector<float>& points, std::vector<float>& visibility) {
  points.resize(2 * partner.size());
  visibility.resize(partner.size());
  for (size_t i = 0; i < partner.size(); ++i) {
    const uint32_t j = partner[i];
    points[2 * i] = -mirroredPoints[2 * j];
    points[2 * i + 1] = mirroredPoints[2 * j + 1];
    visibility[i] = mirroredVisibility[j];
  }
}

void averageMirroredMask(std::span<float> mask, std::span<const float> mirrored, uint32_t width, uint32_t height) {
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      float& own = mask[size_t(y) * width + x];
      own = 0.5f * (own + mirrored[size_t(y) * width + (width - 1 - x)]);
    }
  }
}

}  // namespace meshrt
