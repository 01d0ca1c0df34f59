#version 460
// UV splat backward (eqs. 2-3), one invocation per texel T with w-hat(T) > 0, over its
// lookup-table entries (quad e, corners p_k, weights w_k):
//   dL/dF_c(p_k) += (w_k / w-hat(T)) G_c(T)
//   dw_m = sum_c G_c(T) F_c(p_m) / w-hat(T); lambda = -J^{-T} (dL/ds, dL/dt)
// (dL/dw_m is sum_c G_c (F_c(p_m) - texture_c(T)) / w-hat; the texture term is the same for the
// four corners and dw/ds, dw/dt each sum to 0, so it cancels from (dL/ds, dL/dt) exactly and
// the forward texture is not read: docs/UV_SPLAT.md.)
//   dL/du(p_k) += w_k lambda.x Wt, dL/dv(p_k) += w_k lambda.y Ht
// Contributions are added with 64-bit integer atomics in fixed point (UV_SPLAT_GRAD_SCALE):
// integer sums do not depend on the order, so runs are bit-identical. With FEATURE_GRAD_GATHER
// (CPU devices, interleaved features) the feature gradient is not added here: each entry goes to
// its quad's record list, which uv_splat_feature_grad.comp gathers per pixel (entries past a
// quad's UV_SPLAT_QUAD_RECORDS still use the atomics), and the upstream gradient is interleaved
// like the features. Work per invocation is bounded by L * C (lavapipe's loop-iteration cap).
// Dispatch: (ceil(Wt / 8), ceil(Ht / 8)).
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_shader_atomic_int64 : require
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Uvs { float uvs[]; };
layout(std430, set = 0, binding = 1) readonly buffer PixelIds { uint pixelIds[]; };
// [C][H][W] (R32F texels), or [C/4][H][W][4] (RGBA32F) with FEATURES_INTERLEAVED (uv_splat_gather.comp).
layout(set = 0, binding = 2) uniform samplerBuffer features;
layout(constant_id = 0) const uint FEATURES_INTERLEAVED = 0u;
layout(constant_id = 1) const uint FEATURE_GRAD_GATHER = 0u;  // requires FEATURES_INTERLEAVED
layout(std430, set = 0, binding = 3) readonly buffer Lut { uint lut[]; };                   // [Ht][Wt][L]
layout(std430, set = 0, binding = 4) readonly buffer Weight { float weight[]; };            // [Ht][Wt]
// Read-only inputs are uniform texel buffers (texelFetch: a vector gather on lavapipe, where a
// storage-buffer read loops over the lanes). The upstream gradient, [C][Ht][Wt], in up to
// UV_SPLAT_BACKWARD_BINDINGS bindings of p.bindingChannels channels (one binding holds at most
// maxStorageBufferRange bytes: 128 MiB on lavapipe, 32 channels at 1024^2). With
// FEATURE_GRAD_GATHER it is [ceil(C/4)][Ht][Wt][4] in textureGrad0 (RGBA32F texels;
// textureGrad1..3 unused).
layout(set = 0, binding = 5) uniform samplerBuffer textureGrad0;
layout(set = 0, binding = 6) uniform samplerBuffer textureGrad1;
layout(set = 0, binding = 7) uniform samplerBuffer textureGrad2;
layout(set = 0, binding = 8) uniform samplerBuffer textureGrad3;
layout(std430, set = 0, binding = 9) buffer FeatureGrad { int64_t featureGrad[]; };  // [C][H][W], fixed point, zeroed
layout(std430, set = 0, binding = 10) buffer UvGrad { int64_t uvGrad[]; };           // [H][W][2], fixed point, zeroed
// FEATURE_GRAD_GATHER: entries per quad (zeroed; may exceed the capacity) and the records.
layout(std430, set = 0, binding = 11) buffer QuadRecordCount { uint quadRecordCount[]; };  // [(H-1)(W-1)]
layout(std430, set = 0, binding = 12) writeonly buffer QuadRecords { uvec2 quadRecords[]; };  // [quads][RECORDS][4]

layout(push_constant) uniform Push { UvSplatPush p; };

#include "uv_splat_math.glsl"
#include "uv_splat_fixed_point.glsl"

// Channel c of the planar upstream gradient at `texel`.
float loadGradient(uint c, uint texel) {
  uint binding = c / p.bindingChannels;
  uint index = (c - binding * p.bindingChannels) * p.textureWidth * p.textureHeight + texel;
  switch (binding) {
    case 0u: return texelFetch(textureGrad0, int(index)).r;
    case 1u: return texelFetch(textureGrad1, int(index)).r;
    case 2u: return texelFetch(textureGrad2, int(index)).r;
    default: return texelFetch(textureGrad3, int(index)).r;
  }
}

// Adds share_k G to the fixed-point feature gradient of channel c at the corners p_k.
void addFeatureTerms(uint c, float G, vec4 share, uint corner[4]) {
  uint plane = c * p.imageWidth * p.imageHeight;
  precise float g0 = share.x * G, g1 = share.y * G, g2 = share.z * G, g3 = share.w * G;
  atomicAdd(featureGrad[plane + corner[0]], toFixedPoint(g0));
  atomicAdd(featureGrad[plane + corner[1]], toFixedPoint(g1));
  atomicAdd(featureGrad[plane + corner[2]], toFixedPoint(g2));
  atomicAdd(featureGrad[plane + corner[3]], toFixedPoint(g3));
}

// Channel c of one entry: adds share_k G to the feature gradient of the corners p_k (unless
// FEATURE_GRAD_GATHER), and G F(p_k) to dwSum[k]; f[k] = F_c(p_k).
void channelTerms(uint c, float G, vec4 share, uint corner[4], vec4 f, inout vec4 dwSum) {
  if (FEATURE_GRAD_GATHER == 0u) addFeatureTerms(c, G, share, corner);
  precise vec4 sum = dwSum + G * f;
  dwSum = sum;
}

// Channels 4g..4g+3 of the interleaved upstream gradient at `texel` (FEATURE_GRAD_GATHER only).
vec4 gradientGroup(uint g, uint texel) {
  return texelFetch(textureGrad0, int(g * p.textureWidth * p.textureHeight + texel));
}

// Channel c of the upstream gradient: from its interleaved group (FEATURE_GRAD_GATHER) or planar.
float gradient(uint c, uint texel, float fromGroup) {
  if (FEATURE_GRAD_GATHER != 0u) return fromGroup;
  return loadGradient(c, texel);
}

void main() {
  uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
  if (i >= p.textureWidth || j >= p.textureHeight) return;
  uint texel = j * p.textureWidth + i;
  uint pixels = p.imageWidth * p.imageHeight;
  float weightSum = weight[texel];
  if (!(weightSum > 0.0)) return;
  for (uint slot = 0u; slot < p.lutCapacity; ++slot) {
    uint key = lut[texel * p.lutCapacity + slot];
    if (key == UV_SPLAT_NO_QUAD) break;
    uint qx = key % (p.imageWidth - 1u), qy = key / (p.imageWidth - 1u);
    UvQuad quad;
    uvSplatLoadQuad(qx, qy, false, quad);
    float s, t;
    if (!uvSplatInverseBilinear(quad, float(i), float(j), s, t)) continue;
    vec4 w = uvSplatWeights(s, t);
    uint corner[4] = uint[4](uvSplatCornerPixel(qx, qy, 0), uvSplatCornerPixel(qx, qy, 1), uvSplatCornerPixel(qx, qy, 2),
                             uvSplatCornerPixel(qx, qy, 3));
    precise vec4 share = w / weightSum;
    precise vec4 dwSum = vec4(0.0);
    bool listed = false;  // FEATURE_GRAD_GATHER: the entry is in its quad's records
    if (FEATURE_GRAD_GATHER != 0u) {
      uint record = atomicAdd(quadRecordCount[key], 1u);
      listed = record < UV_SPLAT_QUAD_RECORDS;
      if (listed) {
        uint base = (key * UV_SPLAT_QUAD_RECORDS + record) * 4u;
        for (int k = 0; k < 4; ++k) quadRecords[base + uint(k)] = uvec2(texel, floatBitsToUint(share[k]));
      }
    }
    if (FEATURES_INTERLEAVED != 0u) {
      for (uint g = 0u; g < (p.channels + 3u) / 4u; ++g) {
        uint groupBase = g * pixels;
        vec4 f0 = texelFetch(features, int(groupBase + corner[0]));
        vec4 f1 = texelFetch(features, int(groupBase + corner[1]));
        vec4 f2 = texelFetch(features, int(groupBase + corner[2]));
        vec4 f3 = texelFetch(features, int(groupBase + corner[3]));
        vec4 G = FEATURE_GRAD_GATHER != 0u ? gradientGroup(g, texel) : vec4(0.0);
        uint c = 4u * g;
        channelTerms(c, gradient(c, texel, G.x), share, corner, vec4(f0.x, f1.x, f2.x, f3.x), dwSum);
        if (c + 1u < p.channels) {
          channelTerms(c + 1u, gradient(c + 1u, texel, G.y), share, corner, vec4(f0.y, f1.y, f2.y, f3.y), dwSum);
        }
        if (c + 2u < p.channels) {
          channelTerms(c + 2u, gradient(c + 2u, texel, G.z), share, corner, vec4(f0.z, f1.z, f2.z, f3.z), dwSum);
        }
        if (c + 3u < p.channels) {
          channelTerms(c + 3u, gradient(c + 3u, texel, G.w), share, corner, vec4(f0.w, f1.w, f2.w, f3.w), dwSum);
        }
      }
    } else {
      for (uint c = 0u; c < p.channels; ++c) {
        uint plane = c * pixels;
        vec4 f = vec4(texelFetch(features, int(plane + corner[0])).r, texelFetch(features, int(plane + corner[1])).r,
                      texelFetch(features, int(plane + corner[2])).r, texelFetch(features, int(plane + corner[3])).r);
        channelTerms(c, loadGradient(c, texel), share, corner, f, dwSum);
      }
    }
    // An entry past its quad's record capacity: the feature gradient by atomics (a loop, not an
    // `if`: lavapipe skips a loop that no lane enters, while it runs an `if` body with a mask).
    uint overflowChannels = FEATURE_GRAD_GATHER != 0u && !listed ? p.channels : 0u;
    for (uint c = 0u; c < overflowChannels; ++c) addFeatureTerms(c, gradientGroup(c / 4u, texel)[c % 4u], share, corner);
    precise vec4 dw = dwSum / weightSum;
    vec2 lambda;
    if (!uvSplatPositionGradient(quad, s, t, dw, lambda)) continue;
    for (int k = 0; k < 4; ++k) {
      precise float du = w[k] * lambda.x * float(p.textureWidth);
      precise float dv = w[k] * lambda.y * float(p.textureHeight);
      atomicAdd(uvGrad[2u * corner[k]], toFixedPoint(du));
      atomicAdd(uvGrad[2u * corner[k] + 1u], toFixedPoint(dv));
    }
  }
}
