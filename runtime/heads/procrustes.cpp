#include "heads/procrustes.h"

#include <cmath>
#include <string>

#include "core/so3_math.h"

namespace meshrt {

Result<SimilarityTransform> solveSimilarityProcrustes(std::span<const float> source, std::span<const float> target,
                                                      std::span<const float> weights) {
  constexpr const char* CONTEXT = "procrustes";
  if (source.size() % 3 != 0 || source.size() < 9) {
    return makeError(std::string(CONTEXT) + ": source", "needs N×3 values with N >= 3, got " + std::to_string(source.size()));
  }
  const size_t count = source.size() / 3;
  if (target.size() != source.size()) {
    return makeError(std::string(CONTEXT) + ": target", std::to_string(target.size()) + " values, expected " +
                                                            std::to_string(source.size()));
  }
  if (!weights.empty() && weights.size() != count) {
    return makeError(std::string(CONTEXT) + ": weights", std::to_string(weights.size()) + " values, expected " +
                                                             std::to_string(count));
  }
  for (size_t i = 0; i < source.size(); ++i) {
    if (!std::isfinite(source[i])) return makeError(std::string(CONTEXT) + ": source[" + std::to_string(i) + "]", "not finite");
    if (!std::isfinite(target[i])) return makeError(std::string(CONTEXT) + ": target[" + std::to_string(i) + "]", "not finite");
  }
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      return makeError(std::string(CONTEXT) + ": weights[" + std::to_string(i) + "]", "must be finite and >= 0");
    }
  }
  auto weight = [&](size_t i) { return weights.empty() ? 1.0 : static_cast<double>(weights[i]); };
  double total = 0, sourceMean[3] = {0, 0, 0}, targetMean[3] = {0, 0, 0};
  for (size_t i = 0; i < count; ++i) {
    total += weight(i);
    for (int d = 0; d < 3; ++d) {
      sourceMean[d] += weight(i) * source[i * 3 + d];
      targetMean[d] += weight(i) * target[i * 3 + d];
    }
  }
  if (!(total > 0)) return makeError(std::string(CONTEXT) + ": weights", "all zero");
  for (int d = 0; d < 3; ++d) sourceMean[d] /= total, targetMean[d] /= total;
  double covariance[9] = {};  // Σ w (y − ȳ)(x − x̄)^T
  double sourceSpread = 0;
  for (size_t i = 0; i < count; ++i) {
    double x[3], y[3];
    for (int d = 0; d < 3; ++d) x[d] = source[i * 3 + d] - sourceMean[d], y[d] = target[i * 3 + d] - targetMean[d];
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) covariance[r * 3 + c] += weight(i) * y[r] * x[c];
    sourceSpread += weight(i) * dot3(x, x);
  }
  // Rank check: the source must span at least a plane (collinear points leave a free turn).
  double gram[9] = {};
  for (size_t i = 0; i < count; ++i) {
    double x[3];
    for (int d = 0; d < 3; ++d) x[d] = source[i * 3 + d] - sourceMean[d];
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) gram[r * 3 + c] += weight(i) * x[r] * x[c];
  }
  double vectors[9];
  jacobiEigenSymmetric(gram, vectors, 3);
  const double largest = std::fmax(gram[0], std::fmax(gram[4], gram[8]));
  const double middle = gram[0] + gram[4] + gram[8] - largest - std::fmin(gram[0], std::fmin(gram[4], gram[8]));
  if (!(largest > 0) || middle < 1e-9 * largest) {
    return makeError(std::string(CONTEXT) + ": source", "points are coincident or collinear");
  }
  double rotation[9];
  nearestRotation(covariance, rotation);
  double trace = 0;
  for (int i = 0; i < 9; ++i) trace += rotation[i] * covariance[i];
  SimilarityTransform out;
  const double scale = trace / sourceSpread;
  out.scale = static_cast<float>(scale);
  for (int i = 0; i < 9; ++i) out.rotation[i] = static_cast<float>(rotation[i]);
  double rotatedMean[3];
  mul33x3(rotation, sourceMean, rotatedMean);
  for (int d = 0; d < 3; ++d) out.translation[d] = static_cast<float>(targetMean[d] - scale * rotatedMean[d]);
  double error = 0;
  for (size_t i = 0; i < count; ++i) {
    double x[3] = {source[i * 3], source[i * 3 + 1], source[i * 3 + 2]}, y[3];
    mul33x3(rotation, x, y);
    for (int d = 0; d < 3; ++d) {
      const double e = target[i * 3 + d] - (scale * y[d] + out.translation[d]);
      error += weight(i) * e * e;
    }
  }
  out.rmsError = static_cast<float>(std::sqrt(error / total));
  return out;
}

}  // namespace meshrt
