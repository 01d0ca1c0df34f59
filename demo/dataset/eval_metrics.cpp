#include "dataset/eval_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>


namespace meshrt::dataset {

Result<double> maskIou(const Image& predicted, const Image& truth) {
  if (predicted.width != truth.width || predicted.height != truth.height) {
    return makeError("mask IoU", "sizes differ: " + std::to_string(predicted.width) + "x" +
                                     std::to_string(predicted.height) + " and " + std::to_string(truth.width) + "x" +
                                     std::to_string(truth.height));
  }
  uint64_t intersection = 0, unionCount = 0;
  for (uint32_t y = 0; y < truth.height; ++y) {
    for (uint32_t x = 0; x < truth.width; ++x) {
      const bool a = predicted.at(x, y)[0] >= 128, b = truth.at(x, y)[0] >= 128;
      intersection += (a && b) ? 1 : 0;
      unionCount += (a || b) ? 1 : 0;
    }
  }
  return unionCount == 0 ? 1.0 : double(intersection) / double(unionCount);
}

double rotationErrorDegrees(const std::array<float, 9>& predicted, const std::array<float, 9>& truth) {
  // M = R_pred·R_gtᵀ; its angle from sin θ = |skew(M)| and cos θ = (trace M − 1)/2 by atan2,
  // which stays accurate near 0° (acos of the trace alone loses ~0.02° to float rounding) and
  // gives exactly 0 for identical inputs (M is then symmetric bit for bit).
  double m[9];
  for (int row = 0; row < 3; ++row) {
    for (int column = 0; column < 3; ++column) {
      double sum = 0;
      for (int k = 0; k < 3; ++k) sum += double{predicted[3 * row + k]} * truth[3 * column + k];
      m[3 * row + column] = sum;
    }
  }
  const double sine = 0.5 * std::sqrt((m[7] - m[5]) * (m[7] - m[5]) + (m[2] - m[6]) * (m[2] - m[6]) +
                                      (m[3] - m[1]) * (m[3] - m[1]));
  const double cosine = 0.5 * (m[0] + m[4] + m[8] - 1.0);
  return std::atan2(sine, cosine) * 180.0 / std::numbers::pi;
}

double vertexError(const std::array<float, 9>& predictedRotation, std::span<const float> predictedVertices,
                   const std::array<float, 9>& truthRotation, std::span<const float> truthVertices) {
  const size_t n = std::min(predictedVertices.size(), truthVertices.size()) / 3;
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    double squared = 0;
    for (int row = 0; row < 3; ++row) {
      double p = 0, t = 0;
      for (int column = 0; column < 3; ++column) {
        p += double{predictedRotation[3 * row + column]} * predictedVertices[3 * i + column];
        t += double{truthRotation[3 * row + column]} * truthVertices[3 * i + column];
      }
      squared += (p - t) * (p - t);
    }
    sum += std::sqrt(squared);
  }
  return sum / double(n);
}

double percentCorrectKeypoints(std::span<const float> predictedPixels, std::span<const float> truthPixels,
                               std::span<const uint8_t> truthVisibility, double thresholdPixels) {
  uint32_t visible = 0, correct = 0;
  for (size_t i = 0; i < truthVisibility.size() && 2 * i + 1 < predictedPixels.size() && 2 * i + 1 < truthPixels.size();
       ++i) {
    if (truthVisibility[i] == 0) continue;
    ++visible;
    const double dx = double{predictedPixels[2 * i]} - truthPixels[2 * i];
    const double dy = double{predictedPixels[2 * i + 1]} - truthPixels[2 * i + 1];
    if (std::hypot(dx, dy) <= thresholdPixels) ++correct;
  }
  return visible == 0 ? std::numeric_limits<double>::quiet_NaN() : double(correct) / double(visible);
}

MetricSummary summarize(std::span<const double> values) {
  std::vector<double> finite;
  for (const double value : values)
    if (std::isfinite(value)) finite.push_back(value);
  MetricSummary summary;
  summary.count = uint32_t(finite.size());
  if (finite.empty()) {
    summary.mean = summary.median = std::numeric_limits<double>::quiet_NaN();
    return summary;
  }
  double sum = 0;
  for (const double value : finite) sum += value;
  summary.mean = sum / double(finite.size());
  std::sort(finite.begin(), finite.end());
  const size_t middle = finite.size() / 2;
  summary.median = finite.size() % 2 == 1 ? finite[middle] : 0.5 * (finite[middle - 1] + finite[middle]);
  return summary;
}

}  // namespace meshrt::dataset
