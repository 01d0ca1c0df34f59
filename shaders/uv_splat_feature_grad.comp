#version 460
// UV splat backward, the feature gradient (eq. 2) without float atomics:
//   dL/dF_c(p) = sum over the used quads e with p as a corner k, over the texels T whose lookup
//                table holds e:  w_k(T, e) G_c(T) / w-hat(T)
// with G the upstream gradient [C][Ht][Wt]. One invocation per quad walks its texels once and
// adds the terms of all 4 corners. Quads of one parity class (qx % 2, qy % 2) share no corner
// pixel, so the four classes run as four dispatches in order (0,0), (1,0), (0,1), (1,1), and
// each quad adds to its corners with a plain read-modify-write: no races, one fixed order, runs
// bit-identical (uvSplatBackwardReference sums in the same order). A quad's texels go row by
// row in batches of UV_SPLAT_GRAD_BATCH (8) held in registers; per batch and corner, the terms
// are summed left to right and added to the pixel's value.
//
// Wide quads (candidate texels spanning more than UV_SPLAT_GATHER_SPAN columns or rows: seams,
// poles, a large texture) are left out, which bounds every invocation's loops (lavapipe ends an
// invocation after 65535 loop trips): uv_splat_backward.comp adds their terms in 64-bit fixed
// point to `wideSum`. Modes (p.gradMode):
//   0  before uv_splat_backward.comp: wide quads zero `wideSum` at their corners and flag them
//   1  the quads of class p.quadClass, as above
//   2  per pixel, last: flagged pixels add float(wideSum) * 2^-24
// Dispatch, per channel chunk [channelBase, channelBase + channels) (the gradient binding holds
// that chunk): mode 0 (ceil((W-1) / 8), ceil((H-1) / 8)), one invocation per quad; mode 1
// (ceil(ceil((W-1) / 2) / 8), ceil(ceil((H-1) / 2) / 8)), one per quad of the class; mode 2
// (ceil(W / 8), ceil(H / 8)), one per pixel.
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Uvs { float uvs[]; };
layout(std430, set = 0, binding = 1) readonly buffer PixelIds { uint pixelIds[]; };
layout(std430, set = 0, binding = 2) readonly buffer Lut { uint lut[]; };                  // [Ht][Wt][L]
layout(std430, set = 0, binding = 3) readonly buffer Weight { float weight[]; };           // [Ht][Wt], w-hat
layout(set = 0, binding = 4) uniform samplerBuffer textureGrad;  // [channels][Ht][Wt] (this chunk, R32F texels)
layout(std430, set = 0, binding = 5) buffer FeatureGrad { float featureGrad[]; };          // [C][H][W], zero-filled
layout(std430, set = 0, binding = 6) buffer WideSum { int64_t wideSum[]; };                // [C][H][W], fixed point
layout(std430, set = 0, binding = 7) buffer WideFlag { uint wideFlag[]; };                 // [H][W], zero-filled

layout(push_constant) uniform Push { UvSplatPush p; };

#include "uv_splat_math.glsl"

// Up to 8 texels of one quad in named registers (lavapipe keeps dynamically indexed local
// arrays in memory): texel index t, corner weights w (one vec4 per texel), w-hat h.
struct GradBatch {
  uvec4 tA, tB;
  vec4 hA, hB;
  vec4 w0, w1, w2, w3, w4, w5, w6, w7;
  uint count;
};

void batchAppend(inout GradBatch b, uint texel, vec4 w, float weightSum) {
  uint n = b.count;
  if (n < 4u) {
    b.tA[n] = texel;
    b.hA[n] = weightSum;
  } else {
    b.tB[n - 4u] = texel;
    b.hB[n - 4u] = weightSum;
  }
  if (n == 0u) b.w0 = w;
  else if (n == 1u) b.w1 = w;
  else if (n == 2u) b.w2 = w;
  else if (n == 3u) b.w3 = w;
  else if (n == 4u) b.w4 = w;
  else if (n == 5u) b.w5 = w;
  else if (n == 6u) b.w6 = w;
  else b.w7 = w;
  b.count = n + 1u;
}

// The terms w_k G / w-hat of one texel for the 4 corners.
vec4 terms(uint plane, uint texel, vec4 w, float weightSum) {
  float G = texelFetch(textureGrad, int(plane + texel)).r;
  precise float g0 = w.x * G / weightSum, g1 = w.y * G / weightSum, g2 = w.z * G / weightSum, g3 = w.w * G / weightSum;
  return vec4(g0, g1, g2, g3);
}

// Per corner, the batch's terms in channel plane `plane` of the gradient chunk, left to right.
vec4 batchSum(GradBatch b, uint plane) {
  precise vec4 sum = terms(plane, b.tA.x, b.w0, b.hA.x);
  if (b.count > 1u) sum = sum + terms(plane, b.tA.y, b.w1, b.hA.y);
  if (b.count > 2u) sum = sum + terms(plane, b.tA.z, b.w2, b.hA.z);
  if (b.count > 3u) sum = sum + terms(plane, b.tA.w, b.w3, b.hA.w);
  if (b.count > 4u) sum = sum + terms(plane, b.tB.x, b.w4, b.hB.x);
  if (b.count > 5u) sum = sum + terms(plane, b.tB.y, b.w5, b.hB.y);
  if (b.count > 6u) sum = sum + terms(plane, b.tB.z, b.w6, b.hB.z);
  if (b.count > 7u) sum = sum + terms(plane, b.tB.w, b.w7, b.hB.w);
  return sum;
}

// Adds the batch to the quad's 4 corner pixels in every channel of this chunk, then empties it.
// Only invocations with `ready` take part (a loop, so lavapipe skips it when none does).
void flush(inout GradBatch batch, bool ready, uvec4 corner) {
  uint texels = p.textureWidth * p.textureHeight;
  uint pixels = p.imageWidth * p.imageHeight;
  for (uint c = 0u; c < (ready ? p.channels : 0u); ++c) {
    vec4 sum = batchSum(batch, c * texels);
    uint plane = (p.channelBase + c) * pixels;
    precise float v0 = featureGrad[plane + corner.x] + sum.x;
    precise float v1 = featureGrad[plane + corner.y] + sum.y;
    precise float v2 = featureGrad[plane + corner.z] + sum.z;
    precise float v3 = featureGrad[plane + corner.w] + sum.w;
    featureGrad[plane + corner.x] = v0;
    featureGrad[plane + corner.y] = v1;
    featureGrad[plane + corner.z] = v2;
    featureGrad[plane + corner.w] = v3;
  }
  if (ready) batch.count = 0u;
}

// True when `key` is among the ascending entries of `texel`'s lookup table.
bool inLookupTable(uint texel, uint key) {
  for (uint slot = 0u; slot < p.lutCapacity; ++slot) {
    uint entry = lut[texel * p.lutCapacity + slot];
    if (entry >= key) return entry == key;  // NO_QUAD (0xffffffff) is above every key
  }
  return false;
}

void addWideSums(uint pixel) {
  uint pixels = p.imageWidth * p.imageHeight;
  bool flagged = wideFlag[pixel] != 0u;
  for (uint c = 0u; c < (flagged ? p.channels : 0u); ++c) {
    uint index = (p.channelBase + c) * pixels + pixel;
    precise float value = featureGrad[index] + float(wideSum[index]) * (1.0 / float(UV_SPLAT_GRAD_SCALE));
    featureGrad[index] = value;
  }
}

void main() {
  if (p.gradMode == 2u) {
    uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
    if (x < p.imageWidth && y < p.imageHeight) addWideSums(y * p.imageWidth + x);
    return;
  }
  // Modes 0 and 1 run one invocation per quad of the dispatch: in mode 1 invocation (a, b) is
  // quad (2a + class % 2, 2b + class / 2), in mode 0 quad (a, b).
  uint qx = gl_GlobalInvocationID.x, qy = gl_GlobalInvocationID.y;
  if (p.gradMode == 1u) {
    qx = 2u * qx + (p.quadClass & 1u);
    qy = 2u * qy + (p.quadClass >> 1u);
  }
  if (qx + 1u >= p.imageWidth || qy + 1u >= p.imageHeight) return;
  // A loop that runs once, and only for quads with 4 pixels on the object (lavapipe skips a loop
  // no lane is in; an `if` would run under a lane mask).
  bool onObject = uvSplatOnObject(uvSplatCornerPixel(qx, qy, 0)) && uvSplatOnObject(uvSplatCornerPixel(qx, qy, 1)) &&
                  uvSplatOnObject(uvSplatCornerPixel(qx, qy, 2)) && uvSplatOnObject(uvSplatCornerPixel(qx, qy, 3));
  for (uint once = onObject ? 0u : 1u; once < 1u; ++once) {
    UvQuad quad;
    if (!uvSplatLoadQuad(qx, qy, true, quad)) break;
    ivec4 range = uvSplatCandidateTexels(quad);
    bool wide = uvSplatIsWide(range);
    uvec4 corner = uvec4(uvSplatCornerPixel(qx, qy, 0), uvSplatCornerPixel(qx, qy, 1), uvSplatCornerPixel(qx, qy, 2),
                         uvSplatCornerPixel(qx, qy, 3));
    if (p.gradMode == 0u) {
      uint pixels = p.imageWidth * p.imageHeight;
      for (uint c = 0u; c < (wide ? p.channels : 0u); ++c) {
        uint plane = (p.channelBase + c) * pixels;
        wideSum[plane + corner.x] = 0l;
        wideSum[plane + corner.y] = 0l;
        wideSum[plane + corner.z] = 0l;
        wideSum[plane + corner.w] = 0l;
      }
      for (uint k = 0u; k < (wide ? 4u : 0u); ++k) wideFlag[corner[k]] = 1u;
      break;
    }
    if (wide) break;
    uint key = qy * (p.imageWidth - 1u) + qx;
    GradBatch batch = GradBatch(uvec4(0u), uvec4(0u), vec4(1.0), vec4(1.0), vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0),
                                vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0), 0u);
    for (int j = range.z; j <= range.w; ++j) {
      for (int i = range.x; i <= range.y; ++i) {
        float s, t;
        if (!uvSplatInverseBilinear(quad, float(i), float(j), s, t)) continue;
        uint texel = uint(j) * p.textureWidth + uint(i);
        if (p.lutComplete == 0u && !inLookupTable(texel, key)) continue;
        batchAppend(batch, texel, uvSplatWeights(s, t), weight[texel]);
        flush(batch, batch.count == UV_SPLAT_GRAD_BATCH, corner);
      }
    }
    flush(batch, batch.count > 0u, corner);
  }
}
