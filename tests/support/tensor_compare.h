// Whole-tensor comparison (DESIGN §8: relative L2 error for tensors, exact match for integers).
#pragma once

#include <cmath>
#include <span>

namespace meshrt::test {

// ||actual - expected||_2 / max(||expected||_2, tiny), accumulated in double. NaN anywhere -> NaN.
inline double relativeL2(std::span<const float> actual, std::span<const float> expected) {
  if (actual.size() != expected.size()) return INFINITY;
  double difference = 0.0, reference = 0.0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double d = double(actual[i]) - double(expected[i]);
    difference += d * d;
    reference += double(expected[i]) * double(expected[i]);
  }
  return std::sqrt(difference) / std::max(std::sqrt(reference), 1e-30);
}

}  // namespace meshrt::test
