#version 460
// UV splat backward per quad (CPU devices, planar features, C <= 4; docs/UV_SPLAT.md). One
// invocation per quad e of the image: it walks the quad's candidate texels as the insert pass
// does, keeps those T whose lookup table lists e (the entries (T, e) of the texel pass,
// uv_splat_backward.comp), and computes each entry's terms exactly as that pass does:
//   dL/dF_c(p_k) += fixed((w_k / w-hat(T)) G_c(T)),  dL/du(p_k) += fixed(w_k lambda.x Wt), ...
// It sums them for the quad's four corners in 64-bit integer registers and then adds each sum
// with one atomic per corner, channel and UV component. Integer sums do not depend on the
// grouping, so the result is bit-identical to the texel pass and to the CPU reference. Where the
// texture has 4x the image's resolution a quad holds ~27 entries: ~20 atomics per quad instead
// of 20 per entry.
// Work per invocation is bounded as in the insert pass (lavapipe ends an invocation after 65,535
// loop iterations; a candidate costs one plus up to L for its table lookup), by mode
// (specialization constant QUAD_MODE):
//   UV_SPLAT_QUAD_BACKWARD_NARROW: dispatch (ceil((W-1)/8), ceil((H-1)/8)); quads whose
//     candidate box is wider or taller than p.insertMaxSide are skipped (the insert pass listed
//     them in the wide list);
//   UV_SPLAT_QUAD_BACKWARD_LISTED: the wide list's quads, one 32 x 32 tile of candidates per
//     invocation, dispatched indirectly from the list's header as the insert pass's second pass.
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_shader_atomic_int64 : require
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Uvs { float uvs[]; };
layout(std430, set = 0, binding = 1) readonly buffer PixelIds { uint pixelIds[]; };
layout(set = 0, binding = 2) uniform samplerBuffer features;       // [C][H][W], R32F texels
layout(std430, set = 0, binding = 3) readonly buffer Lut { uint lut[]; };         // [Ht][Wt][L], ascending
layout(std430, set = 0, binding = 4) readonly buffer Weight { float weight[]; };  // [Ht][Wt]
layout(set = 0, binding = 5) uniform samplerBuffer textureGrad;    // [C][Ht][Wt], R32F texels
layout(std430, set = 0, binding = 6) buffer FeatureGrad { int64_t featureGrad[]; };  // [C][H][W], fixed point
layout(std430, set = 0, binding = 7) buffer UvGrad { int64_t uvGrad[]; };            // [H][W][2], fixed point
// The forward's wide list (uv_splat_insert.comp): header, then the keys of the wide quads.
layout(std430, set = 0, binding = 8) readonly buffer WideList { uint wideList[]; };

layout(push_constant) uniform Push { UvSplatPush p; };
layout(constant_id = 0) const uint QUAD_MODE = UV_SPLAT_QUAD_BACKWARD_NARROW;

#include "uv_splat_math.glsl"
#include "uv_splat_fixed_point.glsl"

void narrowQuad(uint qx, uint qy);
void backwardCandidates(UvQuad quad, uint qx, uint qy, ivec4 candidates);

void main() {
  if (QUAD_MODE == UV_SPLAT_QUAD_BACKWARD_LISTED) {
    uint index = gl_WorkGroupID.x * 64u + gl_LocalInvocationIndex;
    if (index >= wideList[3]) return;
    uint key = wideList[UV_SPLAT_WIDE_LIST_HEADER + index];
    uint qx = key % (p.imageWidth - 1u), qy = key / (p.imageWidth - 1u);
    UvQuad quad;
    uvSplatLoadQuad(qx, qy, false, quad);
    // Tile gl_WorkGroupID.z of the box (empty past it), as the insert pass's listed mode.
    backwardCandidates(quad, qx, qy, uvSplatCandidateTile(uvSplatCandidateTexels(quad), gl_WorkGroupID.z));
    return;
  }
  uint qx = gl_GlobalInvocationID.x, qy = gl_GlobalInvocationID.y;
  if (qx + 1u >= p.imageWidth || qy + 1u >= p.imageHeight) return;
  // As in the insert pass: the work sits in a loop that runs once, and only for quads on the
  // object, so groups of off-object quads skip it (lavapipe runs both sides of an `if`).
  for (uint once = uvSplatQuadOnObject(qx, qy) ? 0u : 1u; once < 1u; ++once) narrowQuad(qx, qy);
}

void narrowQuad(uint qx, uint qy) {
  UvQuad quad;
  if (!uvSplatLoadQuad(qx, qy, true, quad)) return;
  ivec4 range = uvSplatCandidateTexels(quad);
  if (uvSplatWideBox(range)) return;  // the wide list's: the second dispatch
  backwardCandidates(quad, qx, qy, range);
}

// Channel c (< 4) of a planar texel buffer holding `plane` texels per channel; 0 past C.
float planarChannel(bool gradient, uint c, uint plane, uint index) {
  if (c >= p.channels) return 0.0;
  int at = int(c * plane + index);
  return gradient ? texelFetch(textureGrad, at).r : texelFetch(features, at).r;
}

// The entries of quad (qx, qy) among the candidate texels (i0, i1, j0, j1), inclusive.
void backwardCandidates(UvQuad quad, uint qx, uint qy, ivec4 candidates) {
  uint key = qy * (p.imageWidth - 1u) + qx;
  uint pixels = p.imageWidth * p.imageHeight, texels = p.textureWidth * p.textureHeight;
  uint corner[4] = uint[4](uvSplatCornerPixel(qx, qy, 0), uvSplatCornerPixel(qx, qy, 1), uvSplatCornerPixel(qx, qy, 2),
                           uvSplatCornerPixel(qx, qy, 3));
  // fc = F_c(p_k) over the corners k, channels 0..3 (0 past C). No array is indexed by a
  // variable here: lavapipe keeps such arrays in memory, one access per lane.
  vec4 f0 = vec4(planarChannel(false, 0u, pixels, corner[0]), planarChannel(false, 0u, pixels, corner[1]),
                 planarChannel(false, 0u, pixels, corner[2]), planarChannel(false, 0u, pixels, corner[3]));
  vec4 f1 = vec4(planarChannel(false, 1u, pixels, corner[0]), planarChannel(false, 1u, pixels, corner[1]),
                 planarChannel(false, 1u, pixels, corner[2]), planarChannel(false, 1u, pixels, corner[3]));
  vec4 f2 = vec4(planarChannel(false, 2u, pixels, corner[0]), planarChannel(false, 2u, pixels, corner[1]),
                 planarChannel(false, 2u, pixels, corner[2]), planarChannel(false, 2u, pixels, corner[3]));
  vec4 f3 = vec4(planarChannel(false, 3u, pixels, corner[0]), planarChannel(false, 3u, pixels, corner[1]),
                 planarChannel(false, 3u, pixels, corner[2]), planarChannel(false, 3u, pixels, corner[3]));
  // Fixed-point sums per corner k over channels 0..3, and of the UV terms over the corners.
  i64vec4 sum0 = i64vec4(0), sum1 = i64vec4(0), sum2 = i64vec4(0), sum3 = i64vec4(0);
  i64vec4 uSum = i64vec4(0), vSum = i64vec4(0);
  for (int j = candidates.z; j <= candidates.w; ++j) {
    for (int i = candidates.x; i <= candidates.y; ++i) {
      float s, t;
      if (!uvSplatInverseBilinear(quad, float(i), float(j), s, t)) continue;
      uint texel = uint(j) * p.textureWidth + uint(i);
      // Is (texel, quad) an entry? The table holds the L smallest keys, ascending.
      bool listed = false;
      for (uint slot = 0u; slot < p.lutCapacity; ++slot) {
        uint entry = lut[texel * p.lutCapacity + slot];
        listed = entry == key;
        if (entry >= key) break;  // found, passed it, or NO_QUAD
      }
      if (!listed) continue;
      float weightSum = weight[texel];
      vec4 w = uvSplatWeights(s, t);
      precise vec4 share = w / weightSum;
      // G over channels 0..3 (0 past C): the terms of padding channels are fixed(0) = 0.
      vec4 G = vec4(planarChannel(true, 0u, texels, texel), planarChannel(true, 1u, texels, texel),
                    planarChannel(true, 2u, texels, texel), planarChannel(true, 3u, texels, texel));
      precise vec4 term0 = share.x * G, term1 = share.y * G, term2 = share.z * G, term3 = share.w * G;
      sum0 += i64vec4(toFixedPoint(term0.x), toFixedPoint(term0.y), toFixedPoint(term0.z), toFixedPoint(term0.w));
      sum1 += i64vec4(toFixedPoint(term1.x), toFixedPoint(term1.y), toFixedPoint(term1.z), toFixedPoint(term1.w));
      sum2 += i64vec4(toFixedPoint(term2.x), toFixedPoint(term2.y), toFixedPoint(term2.z), toFixedPoint(term2.w));
      sum3 += i64vec4(toFixedPoint(term3.x), toFixedPoint(term3.y), toFixedPoint(term3.z), toFixedPoint(term3.w));
      // dL/dw_k * w-hat = sum_c G_c F_c(p_k), channel by channel as the texel pass adds them.
      precise vec4 dwSum = vec4(0.0) + G.x * f0;  // as the texel pass: from 0 (also for a -0 product)
      if (p.channels > 1u) dwSum = dwSum + G.y * f1;
      if (p.channels > 2u) dwSum = dwSum + G.z * f2;
      if (p.channels > 3u) dwSum = dwSum + G.w * f3;
      precise vec4 dw = dwSum / weightSum;
      vec2 lambda;
      if (!uvSplatPositionGradient(quad, s, t, dw, lambda)) continue;
      for (int k = 0; k < 4; ++k) {
        precise float du = w[k] * lambda.x * float(p.textureWidth);
        precise float dv = w[k] * lambda.y * float(p.textureHeight);
        uSum[k] += toFixedPoint(du);
        vSum[k] += toFixedPoint(dv);
      }
    }
  }
  for (uint c = 0u; c < p.channels; ++c) {
    if (sum0[c] != 0l) atomicAdd(featureGrad[c * pixels + corner[0]], sum0[c]);
    if (sum1[c] != 0l) atomicAdd(featureGrad[c * pixels + corner[1]], sum1[c]);
    if (sum2[c] != 0l) atomicAdd(featureGrad[c * pixels + corner[2]], sum2[c]);
    if (sum3[c] != 0l) atomicAdd(featureGrad[c * pixels + corner[3]], sum3[c]);
  }
  for (int k = 0; k < 4; ++k) {
    if (uSum[k] != 0l) atomicAdd(uvGrad[2u * corner[k]], uSum[k]);
    if (vSum[k] != 0l) atomicAdd(uvGrad[2u * corner[k] + 1u], vSum[k]);
  }
}
