#version 460
// UV splat pass 2 (eq. 1 + averaging): per texel, over its lookup-table entries in ascending
// order, texture_c += w1 F_c(p1) + w2 F_c(p2) + w3 F_c(p3) + w4 F_c(p4) and w-hat += sum w;
// then texture_c /= w-hat (0 where w-hat = 0). A gather: no float atomics, bit-identical runs.
// Dispatch: (ceil(Wt / 8), ceil(Ht / 8)), once per channel chunk [channelBase, channelBase + channels).
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Uvs { float uvs[]; };
layout(std430, set = 0, binding = 1) readonly buffer PixelIds { uint pixelIds[]; };
layout(std430, set = 0, binding = 2) readonly buffer Features { float features[]; };  // [C][H][W], all channels
layout(std430, set = 0, binding = 3) readonly buffer Lut { uint lut[]; };             // [Ht][Wt][L]
layout(std430, set = 0, binding = 4) buffer Texture { float texture[]; };             // [channels][Ht][Wt] (this chunk)
layout(std430, set = 0, binding = 5) writeonly buffer Weight { float weight[]; };     // [Ht][Wt]

layout(push_constant) uniform Push { UvSplatPush p; };

#include "uv_splat_math.glsl"

void main() {
  uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
  if (i >= p.textureWidth || j >= p.textureHeight) return;
  uint texel = j * p.textureWidth + i;
  uint texels = p.textureWidth * p.textureHeight;
  uint pixels = p.imageWidth * p.imageHeight;
  // The texture chunk and the weights arrive zero-filled (vkCmdFillBuffer). Texels no entry
  // reaches keep those zeros; every write below sits in a loop, which lavapipe ends as soon as
  // no lane is left in it (an `if` would run under a lane mask), so empty groups skip them.
  bool touched = false;
  precise float weightSum = 0.0;
  for (uint slot = 0u; slot < p.lutCapacity; ++slot) {
    uint key = lut[texel * p.lutCapacity + slot];
    if (key == UV_SPLAT_NO_QUAD) break;
    uint qx = key % (p.imageWidth - 1u), qy = key / (p.imageWidth - 1u);
    UvQuad quad;
    uvSplatLoadQuad(qx, qy, false, quad);
    float s, t;
    if (!uvSplatInverseBilinear(quad, float(i), float(j), s, t)) continue;
    vec4 w = uvSplatWeights(s, t);
    uint c0 = uvSplatCornerPixel(qx, qy, 0), c1 = uvSplatCornerPixel(qx, qy, 1);
    uint c2 = uvSplatCornerPixel(qx, qy, 2), c3 = uvSplatCornerPixel(qx, qy, 3);
    for (uint c = 0u; c < p.channels; ++c) {
      uint plane = (p.channelBase + c) * pixels;
      precise float sum = w.x * features[plane + c0] + w.y * features[plane + c1] + w.z * features[plane + c2] +
                          w.w * features[plane + c3];
      precise float value = texture[c * texels + texel] + sum;
      texture[c * texels + texel] = value;
    }
    weightSum = weightSum + (w.x + w.y + w.z + w.w);
    touched = true;
  }
  for (uint once = (touched && p.channelBase == 0u) ? 0u : 1u; once < 1u; ++once) weight[texel] = weightSum;
  for (uint c = 0u; c < (touched ? p.channels : 0u); ++c) {
    precise float value = weightSum > 0.0 ? texture[c * texels + texel] / weightSum : 0.0;
    texture[c * texels + texel] = value;
  }
}
