// Seeded values both C++ tests and the Python tools can generate bit-for-bit (splitmix64), so
// goldens need not store their random inputs. tools/uv_splat_peer.py: splitmix_uniform().
#pragma once

#include <cstdint>
#include <vector>

namespace meshrt::test {

// Value `index` of stream `seed`, in [0, 1), a multiple of 2^-24 (exact in float32).
inline float splitmixUniform(uint64_t seed, uint64_t index) {
  uint64_t z = seed * 0xD1B54A32D192ED03ull + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * 0x1p-24f;
}

// `count` values in [-1, 1): 2 * splitmixUniform - 1 (exact in float32).
inline std::vector<float> splitmixSigned(uint64_t seed, uint64_t count) {
  std::vector<float> values(count);
  for (uint64_t i = 0; i < count; ++i) values[i] = 2.0f * splitmixUniform(seed, i) - 1.0f;
  return values;
}

}  // namespace meshrt::test
