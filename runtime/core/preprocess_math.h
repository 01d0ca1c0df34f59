// Per-pixel math of the preprocess stage, shared by the CPU reference and the CUDA kernel
// (kernels/preprocess.cu); shaders/preprocess.comp mirrors it operation by operation.
// Evaluation order is fixed and no FMA contraction is allowed (built with -ffp-contract=off,
// nvcc --fmad=false), so all three produce the same roundings.
#pragma once

#include <math.h>

#include <cstdint>

#include "core/hd.h"
#include "preprocess_params.h"

namespace meshrt {

MESHRT_HD inline float preprocessTap(const gpu::PreprocessParams& p, const uint8_t* src, int x, int y,
                                     uint32_t c) {
  const int w = static_cast<int>(p.srcWidth);
  const int h = static_cast<int>(p.srcHeight);
  if (p.border == PREPROCESS_BORDER_ZERO) {
    if (x < 0 || y < 0 || x >= w || y >= h) return 0.0f;
  } else {
    x = x < 0 ? 0 : (x > w - 1 ? w - 1 : x);
    y = y < 0 ? 0 : (y > h - 1 ? h - 1 : y);
  }
  const uint32_t index = p.srcOffset + static_cast<uint32_t>(y) * p.srcRowStride +
                         static_cast<uint32_t>(x) * p.srcChannels + c;
  return static_cast<float>(src[index]);
}

MESHRT_HD inline float clampFloat(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Writes the 3 normalized channels of output pixel (x, y) into dst (NCHW, see PreprocessParams).
MESHRT_HD inline void preprocessPixel(const gpu::PreprocessParams& p, const uint8_t* src, uint32_t x,
                                      uint32_t y, float* dst) {
  const float ox = static_cast<float>(x) + 0.5f;
  const float oy = static_cast<float>(y) + 0.5f;
  const float* m = p.srcFromDst;
  float sx = m[0] * ox + m[1] * oy + m[2] - 0.5f;
  float sy = m[3] * ox + m[4] * oy + m[5] - 0.5f;
  sx = clampFloat(sx, -2.0f, static_cast<float>(p.srcWidth) + 1.0f);
  sy = clampFloat(sy, -2.0f, static_cast<float>(p.srcHeight) + 1.0f);
  const float x0f = floorf(sx);
  const float y0f = floorf(sy);
  const float fx = sx - x0f;
  const float fy = sy - y0f;
  const int x0 = static_cast<int>(x0f);
  const int y0 = static_cast<int>(y0f);

  const uint32_t plane = p.dstWidth * p.dstHeight;
  const uint32_t base = p.dstOffset + y * p.dstWidth + x;
  for (uint32_t c = 0; c < 3; ++c) {
    const float v00 = preprocessTap(p, src, x0, y0, c);
    const float v10 = preprocessTap(p, src, x0 + 1, y0, c);
    const float v01 = preprocessTap(p, src, x0, y0 + 1, c);
    const float v11 = preprocessTap(p, src, x0 + 1, y0 + 1, c);
    const float top = (1.0f - fx) * v00 + fx * v10;
    const float bottom = (1.0f - fx) * v01 + fx * v11;
    const float value = (1.0f - fy) * top + fy * bottom;
    dst[base + c * plane] = value * p.scale[c] + p.bias[c];
  }
}

}  // namespace meshrt
