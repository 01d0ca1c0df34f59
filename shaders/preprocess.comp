#version 460
// Preprocess: crop (affine, optionally rotated) + bilinear resize + normalize of an RGB8 or
// RGBA8 frame into an NCHW fp32 tensor. One invocation per output pixel, all 3 channels.
// The math mirrors runtime/core/preprocess_math.h operation by operation; `precise` forbids
// FMA contraction so both evaluate the same roundings (test tolerance: 1e-5 max abs).
#include "preprocess_params.h"

// Workgroup size from specialization constants 0 and 1 (runtime/stages/preprocess.cpp sets 16 x 16).
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;

// Source frame bytes, packed little-endian into 32-bit words (rows srcRowStride bytes apart).
layout(std430, set = 0, binding = 0) readonly buffer SourceFrame { uint srcWords[]; };
// Output tensor, NCHW fp32: element (c, y, x) at dstOffset + (c*H + y)*W + x.
layout(std430, set = 0, binding = 1) writeonly buffer OutputTensor { float dstValues[]; };

layout(push_constant) uniform Push { PreprocessParams p; };

float readByte(uint byteIndex) {
  return float((srcWords[byteIndex >> 2u] >> ((byteIndex & 3u) * 8u)) & 0xffu);
}

// One bilinear tap: integer pixel (x, y) of channel c, with the frame border rule applied.
float tap(int x, int y, uint c) {
  int w = int(p.srcWidth), h = int(p.srcHeight);
  if (p.border == PREPROCESS_BORDER_ZERO) {
    if (x < 0 || y < 0 || x >= w || y >= h) return 0.0;
  } else {
    x = clamp(x, 0, w - 1);
    y = clamp(y, 0, h - 1);
  }
  return readByte(p.srcOffset + uint(y) * p.srcRowStride + uint(x) * p.srcChannels + c);
}

void main() {
  uvec2 o = gl_GlobalInvocationID.xy;
  if (o.x >= p.dstWidth || o.y >= p.dstHeight) return;

  precise float ox = float(o.x) + 0.5;
  precise float oy = float(o.y) + 0.5;
  // Source position in "pixel index" space (centres at integers), clamped so that absurd
  // crops never overflow the int conversion; clamping there changes no output value.
  precise float sx = p.srcFromDst[0] * ox + p.srcFromDst[1] * oy + p.srcFromDst[2] - 0.5;
  precise float sy = p.srcFromDst[3] * ox + p.srcFromDst[4] * oy + p.srcFromDst[5] - 0.5;
  sx = clamp(sx, -2.0, float(p.srcWidth) + 1.0);
  sy = clamp(sy, -2.0, float(p.srcHeight) + 1.0);
  float x0f = floor(sx), y0f = floor(sy);
  precise float fx = sx - x0f;
  precise float fy = sy - y0f;
  int x0 = int(x0f), y0 = int(y0f);

  uint plane = p.dstWidth * p.dstHeight;
  uint base = p.dstOffset + o.y * p.dstWidth + o.x;
  for (uint c = 0u; c < 3u; ++c) {
    float v00 = tap(x0, y0, c), v10 = tap(x0 + 1, y0, c);
    float v01 = tap(x0, y0 + 1, c), v11 = tap(x0 + 1, y0 + 1, c);
    precise float top = (1.0 - fx) * v00 + fx * v10;
    precise float bottom = (1.0 - fx) * v01 + fx * v11;
    precise float value = (1.0 - fy) * top + fy * bottom;
    precise float normalized = value * p.scale[c] + p.bias[c];
    dstValues[base + c * plane] = normalized;
  }
}
