// Params of the preprocess stage (crop, bilinear resize, normalize -> NCHW fp32).
// Shared by shaders/preprocess.comp (push constants), runtime/core/preprocess_math.h
// (CPU reference and CUDA kernel). C++ checks the layout in runtime/stages/preprocess.cpp.
#ifndef MESHRT_PREPROCESS_PARAMS_H
#define MESHRT_PREPROCESS_PARAMS_H

#include "gpu_types.h"

// What a bilinear tap outside the source frame reads.
#define PREPROCESS_BORDER_ZERO 0u       // value 0 (so the output is `bias`, i.e. black normalized)
#define PREPROCESS_BORDER_REPLICATE 1u  // the nearest frame pixel (clamp to edge)

MESHRT_GPU_NAMESPACE_BEGIN

struct PreprocessParams {
  // 2x3 row-major affine [a b c; d e f] mapping an output position to a source position,
  // both continuous pixel coordinates (x right, y down, origin at the top-left corner, pixel
  // (i, j) centred at (i+0.5, j+0.5)): src = (a*ox + b*oy + c, d*ox + e*oy + f).
  float srcFromDst[6];
  uint srcWidth;      // source frame width, pixels
  uint srcHeight;     // source frame height, pixels
  uint srcRowStride;  // bytes between the starts of two source rows
  uint srcChannels;   // bytes per source pixel: 3 (RGB8) or 4 (RGBA8, alpha ignored)
  uint srcOffset;     // byte offset of pixel (0, 0) in the source buffer
  uint dstWidth;      // output tensor width W, pixels
  uint dstHeight;     // output tensor height H, pixels
  uint dstOffset;     // float offset of the output in the destination buffer (batch slot)
  uint border;        // PREPROCESS_BORDER_*
  float scale[3];     // per output channel c (R, G, B): out = byteValue * scale[c] + bias[c]
  float bias[3];
};

MESHRT_GPU_NAMESPACE_END

#endif  // MESHRT_PREPROCESS_PARAMS_H
