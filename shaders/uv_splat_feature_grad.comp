#version 460
// UV splat backward, feature gradient as a per-pixel gather (eq. 2; CPU devices with interleaved
// features, docs/UV_SPLAT.md). One invocation per pixel p of the H x W image. p is corner k of at
// most four quads (k = 0: the quad at p, 1: at p - (1, 0), 2: at p - (1, 1), 3: at p - (0, 1);
// uvSplatCornerPixel); uv_splat_backward.comp recorded, for each (texel T, quad) entry, corner k's
// record (T, w_k / w-hat(T)). Then
//   dL/dF_c(p) = sum over those records of fixed(share * G_c(T))   (+ the atomics of entries past
//                                                                     a quad's record capacity)
// The terms are the texel pass's fixed-point numbers and the sums are integer sums, so the result
// is bit-identical to adding every term atomically (and to the CPU reference), in any record order.
// Work per invocation: ceil(C / 4) * 4 * UV_SPLAT_QUAD_RECORDS loop iterations at most (1,024 at
// C = 128), well under lavapipe's 65,535. Dispatch: (ceil(W / 8), ceil(H / 8)).
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer QuadRecordCount { uint quadRecordCount[]; };  // [(H-1)(W-1)]
// [quads][UV_SPLAT_QUAD_RECORDS][4] (texel, floatBitsToUint(share)), R32G32_UINT texels.
layout(set = 0, binding = 1) uniform usamplerBuffer quadRecords;
layout(set = 0, binding = 2) uniform samplerBuffer textureGrad;  // [ceil(C/4)][Ht][Wt][4], RGBA32F texels
// The atomics' part, [C][H][W] fixed point (zero where no quad of p overflowed).
layout(std430, set = 0, binding = 3) readonly buffer OverflowGrad { int64_t overflowGrad[]; };
layout(std430, set = 0, binding = 4) writeonly buffer FeatureGrad { float featureGrad[]; };  // [C][H][W]

layout(push_constant) uniform Push { UvSplatPush p; };

#include "uv_splat_fixed_point.glsl"

void main() {
  uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
  if (x >= p.imageWidth || y >= p.imageHeight) return;
  uint pixel = y * p.imageWidth + x;
  uint pixels = p.imageWidth * p.imageHeight;
  uint texels = p.textureWidth * p.textureHeight;
  uint quadsX = p.imageWidth - 1u, quadsY = p.imageHeight - 1u;
  // The records of the quads that have p as corner k: first record's texel index, count.
  uint recordBase[4], recordCount[4];
  bool overflow = false;
  for (int k = 0; k < 4; ++k) {
    uint dx = (k == 1 || k == 2) ? 1u : 0u, dy = k >= 2 ? 1u : 0u;
    recordBase[k] = 0u;
    recordCount[k] = 0u;
    if (x >= dx && y >= dy && x - dx < quadsX && y - dy < quadsY) {
      uint quad = (y - dy) * quadsX + (x - dx);
      uint count = quadRecordCount[quad];
      overflow = overflow || count > UV_SPLAT_QUAD_RECORDS;
      recordBase[k] = quad * UV_SPLAT_QUAD_RECORDS * 4u + uint(k);
      recordCount[k] = min(count, UV_SPLAT_QUAD_RECORDS);
    }
  }
  for (uint g = 0u; g < (p.channels + 3u) / 4u; ++g) {
    i64vec4 sum = i64vec4(0);
    uint gradBase = g * texels;
    for (int k = 0; k < 4; ++k) {
      for (uint r = 0u; r < recordCount[k]; ++r) {
        uvec2 record = texelFetch(quadRecords, int(recordBase[k] + 4u * r)).xy;
        vec4 G = texelFetch(textureGrad, int(gradBase + record.x));
        precise vec4 term = uintBitsToFloat(record.y) * G;
        sum += i64vec4(toFixedPoint(term.x), toFixedPoint(term.y), toFixedPoint(term.z), toFixedPoint(term.w));
      }
    }
    uint c = 4u * g;
    for (uint j = 0u; j < 4u; ++j) {
      if (c + j >= p.channels) break;
      uint index = (c + j) * pixels + pixel;
      int64_t total = sum[j] + (overflow ? overflowGrad[index] : 0l);
      featureGrad[index] = fromFixedPoint(total);
    }
  }
}
