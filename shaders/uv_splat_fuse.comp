#version 460
// Temporal texture fusion, per texel: the frame's splat holds C feature channels and, as
// channel C, the splatted confidence k (0 where invisible). Where k > 0:
//   T_c <- (A T_c + k F_c) / (A + k),  A <- min(A + k, maxConfidence).
// With flags & 1 (reset) the state is zeroed first. Mirrors uvSplatFuseReference.
// Dispatch: (ceil(Wt / 8), ceil(Ht / 8)).
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Frame { float frame[]; };        // [C + 1][Ht][Wt]
layout(std430, set = 0, binding = 1) buffer StateTexture { float stateTexture[]; };   // [C][Ht][Wt]
layout(std430, set = 0, binding = 2) buffer Confidence { float confidence[]; };       // [Ht][Wt]

layout(push_constant) uniform Push { UvSplatPush p; };

void main() {
  uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
  if (i >= p.textureWidth || j >= p.textureHeight) return;
  uint texels = p.textureWidth * p.textureHeight;
  uint texel = j * p.textureWidth + i;
  bool reset = (p.flags & 1u) != 0u;
  if (reset) {
    confidence[texel] = 0.0;
    for (uint c = 0u; c < p.channels; ++c) stateTexture[c * texels + texel] = 0.0;
  }
  float kappa = frame[p.channels * texels + texel];
  if (!(kappa > 0.0)) return;
  float previous = confidence[texel];
  precise float total = previous + kappa;
  for (uint c = 0u; c < p.channels; ++c) {
    precise float value = (previous * stateTexture[c * texels + texel] + kappa * frame[c * texels + texel]) / total;
    stateTexture[c * texels + texel] = value;
  }
  confidence[texel] = min(total, p.maxConfidence);
}
