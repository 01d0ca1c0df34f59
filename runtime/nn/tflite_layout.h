// Layout arithmetic of the TFLite importer: TFLite stores images NHWC and conv weights OHWI,
// the IR wants NCHW and OIHW (graph.h). Plain functions so tests can check them directly.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "nn/graph.h"

namespace meshrt::nn::tflite_layout {

// IEEE 754 binary16 → binary32, exact (subnormals, infinities and NaNs included).
inline float halfToFloat(uint16_t half) {
  const uint32_t sign = uint32_t(half >> 15) << 31;
  const uint32_t exponent = (half >> 10) & 0x1Fu;
  uint32_t mantissa = half & 0x3FFu;
  uint32_t bits = 0;
  if (exponent == 0x1Fu) {
    bits = sign | 0x7F800000u | (mantissa << 13);  // infinity or NaN
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);  // rebias 15 → 127
  } else if (mantissa != 0) {
    int shift = 0;  // subnormal half: normalize
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      ++shift;
    }
    bits = sign | (uint32_t(113 - shift) << 23) | ((mantissa & 0x3FFu) << 13);
  } else {
    bits = sign;  // ±0
  }
  float value = 0.0f;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

// [A][B][C][D] → [A][D][B][C]: NHWC → NCHW for activations and broadcast constants, and equally
// OHWI → OIHW for conv weights (O plays N, I plays C).
inline std::vector<float> lastAxisToSecond(const std::vector<float>& values, int64_t a, int64_t b, int64_t c, int64_t d) {
  std::vector<float> result(values.size());
  for (int64_t i0 = 0; i0 < a; ++i0)
    for (int64_t i1 = 0; i1 < b; ++i1)
      for (int64_t i2 = 0; i2 < c; ++i2)
        for (int64_t i3 = 0; i3 < d; ++i3) {
          result[((i0 * d + i3) * b + i1) * c + i2] = values[((i0 * b + i1) * c + i2) * d + i3];
        }
  return result;
}

// A 4-D NHWC shape as the IR's NCHW shape; other ranks are unchanged.
inline Shape nchwShape(const Shape& nhwc) {
  if (nhwc.size() != 4) return nhwc;
  return {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
}

// An axis of a 4-D NHWC tensor (already non-negative) as the NCHW axis.
inline int32_t nchwAxis(int32_t nhwcAxis) {
  static constexpr int32_t MAP[4] = {0, 2, 3, 1};
  return nhwcAxis >= 0 && nhwcAxis < 4 ? MAP[nhwcAxis] : nhwcAxis;
}

// NHWC and NCHW hold the same bytes in the same order when C == 1 or H*W == 1, so a reshape
// needs no transpose around it.
inline bool nhwcMatchesNchwInMemory(const Shape& nhwc) {
  return nhwc.size() != 4 || nhwc[3] == 1 || nhwc[1] * nhwc[2] == 1;
}

// TFLite SAME padding along one axis: output = ceil(size / stride); the odd pixel goes after.
struct SamePadding {
  int32_t before = 0, after = 0;
};
inline SamePadding samePadding(int64_t size, int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t out = (size + stride - 1) / stride;
  const int64_t needed = (out - 1) * stride + (kernel - 1) * dilation + 1 - size;
  const int64_t total = needed > 0 ? needed : 0;
  return {int32_t(total / 2), int32_t(total - total / 2)};
}

}  // namespace meshrt::nn::tflite_layout
