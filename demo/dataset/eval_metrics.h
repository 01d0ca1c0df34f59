// The metrics of `meshrt eval` (docs/TRAINING.md "Evaluation"), one sample at a time, and their
// mean / median over samples. Pure host code (the predicted mask is rendered by the caller).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/image.h"
#include "meshrt/result.h"

namespace meshrt::dataset {

// Intersection over union of two masks of the same size (first channel, object where ≥ 128).
// 1 when both are empty.
Result<double> maskIou(const Image& predicted, const Image& truth);

// Geodesic rotation error in degrees: the angle of R_pred·R_gtᵀ (row-major rotations).
double rotationErrorDegrees(const std::array<float, 9>& predicted, const std::array<float, 9>& truth);

// Mean over vertices of |R_pred·X_pred,i − R_gt·X_gt,i| (object units: shape and rotation, no
// scale or translation). X: N×3, the same N on both sides.
double vertexError(const std::array<float, 9>& predictedRotation, std::span<const float> predictedVertices,
                   const std::array<float, 9>& truthRotation, std::span<const float> truthVertices);

// PCK: the fraction of the vertices visible in the truth (visibility ≠ 0) whose predicted 2D
// position (N×2, pixels) lies within `thresholdPixels` of the true one. NaN when none is visible.
double percentCorrectKeypoints(std::span<const float> predictedPixels, std::span<const float> truthPixels,
                               std::span<const uint8_t> truthVisibility, double thresholdPixels);

struct MetricSummary {
  double mean = 0, median = 0;
  uint32_t count = 0;  // finite values summarized (NaN values are left out)
};
MetricSummary summarize(std::span<const double> values);

}  // namespace meshrt::dataset
