// Similarity Procrustes (Umeyama 1991) for the face head: landmarks ≈ s·R·canonical + t.
// The rotation comes from Horn's quaternion (core/so3_math.h nearestRotation), which is the
// same optimum as Umeyama's SVD with its reflection correction and never returns det −1.
#pragma once

#include <array>
#include <span>

#include "meshrt/result.h"

namespace meshrt {

struct SimilarityTransform {
  float scale = 1;                     // s (target units per source unit)
  std::array<float, 9> rotation{};     // R, source frame → target frame, row-major
  std::array<float, 3> translation{};  // t, target units
  float rmsError = 0;                  // weighted RMS of |target − (s·R·source + t)|
};

// source, target: N×3 (N ≥ 3, not all collinear); weights: N values ≥ 0 or empty (all 1).
Result<SimilarityTransform> solveSimilarityProcrustes(std::span<const float> source, std::span<const float> target,
                                                      std::span<const float> weights = {});

}  // namespace meshrt
