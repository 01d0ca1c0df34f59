// The random stream of the dataset: splitmix64 over (seed, sample, draw), portable and exact
// (std:: distributions differ between standard libraries, so none is used).
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

namespace meshrt::dataset {

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class SampleRandom {
 public:
  SampleRandom(uint64_t seed, uint64_t index) : mState(mix64(seed * 0xD1B54A32D192ED03ull + mix64(index + 1))) {}
  uint64_t bits() { return mix64(mState += 0x9E3779B97F4A7C15ull); }
  double uniform() { return static_cast<double>(bits() >> 11) * 0x1p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Box–Muller (one of the pair), N(0, 1).
  double gaussian() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  uint64_t mState;
};

// Value noise on an integer lattice: smooth (smoothstep-interpolated) values in [0, 1).
inline double latticeValue(uint64_t seed, int64_t i, int64_t j) {
  return static_cast<double>(mix64(seed ^ mix64(static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull +
                                                static_cast<uint64_t>(j))) >> 11) * 0x1p-53;
}
inline double valueNoise(uint64_t seed, double x, double y) {
  const double fx = std::floor(x), fy = std::floor(y);
  const auto i = static_cast<int64_t>(fx), j = static_cast<int64_t>(fy);
  double a = x - fx, b = y - fy;
  a = a * a * (3 - 2 * a);
  b = b * b * (3 - 2 * b);
  const double top = latticeValue(seed, i, j) * (1 - a) + latticeValue(seed, i + 1, j) * a;
  const double bottom = latticeValue(seed, i, j + 1) * (1 - a) + latticeValue(seed, i + 1, j + 1) * a;
  return top * (1 - b) + bottom * b;
}

}  // namespace meshrt::dataset
