#version 460
// UV splat backward (eqs. 2-3) as a per-pixel gather: pixel p visits the (up to) 4 used quads
// it is a corner of, in ascending quad index, and for each the candidate texels (rows, then
// columns) whose lookup table holds that quad. Per (texel T, quad) entry, with p = corner k:
//   dL/dF_c(p) += w_k G_c(T) / w-hat(T)
//   dw_m = sum_c G_c(T) (F_c(p_m) - texture_c(T)) / w-hat(T); lambda = -J^{-T} (dL/ds, dL/dt)
//   dL/du(p) += w_k lambda.x Wt, dL/dv(p) += w_k lambda.y Ht
// Every output element is written by one invocation in a fixed order: bit-identical runs.
// Dispatch: (ceil(W / 8), ceil(H / 8)). featureGrad must be zeroed before.
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Uvs { float uvs[]; };
layout(std430, set = 0, binding = 1) readonly buffer PixelIds { uint pixelIds[]; };
layout(std430, set = 0, binding = 2) readonly buffer Features { float features[]; };      // [C][H][W]
layout(std430, set = 0, binding = 3) readonly buffer Lut { uint lut[]; };                 // [Ht][Wt][L]
layout(std430, set = 0, binding = 4) readonly buffer Texture { float texture[]; };        // [C][Ht][Wt]
layout(std430, set = 0, binding = 5) readonly buffer Weight { float weight[]; };          // [Ht][Wt]
layout(std430, set = 0, binding = 6) readonly buffer TextureGrad { float textureGrad[]; };// [C][Ht][Wt]
layout(std430, set = 0, binding = 7) buffer FeatureGrad { float featureGrad[]; };         // [C][H][W], zeroed
layout(std430, set = 0, binding = 8) writeonly buffer UvGrad { float uvGrad[]; };         // [H][W][2]

layout(push_constant) uniform Push { UvSplatPush p; };

#include "uv_splat_math.glsl"

bool lutContains(uint texel, uint key) {
  for (uint slot = 0u; slot < p.lutCapacity; ++slot) {
    uint entry = lut[texel * p.lutCapacity + slot];
    if (entry > key) return false;
    if (entry == key) return true;
  }
  return false;
}

void main() {
  uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
  if (x >= p.imageWidth || y >= p.imageHeight) return;
  uint pixel = y * p.imageWidth + x;
  uint pixels = p.imageWidth * p.imageHeight;
  uint texels = p.textureWidth * p.textureHeight;
  precise float gradU = 0.0, gradV = 0.0;
  if (uvSplatOnObject(pixel)) {
    // Quads (x-1, y-1), (x, y-1), (x-1, y), (x, y); this pixel is their corner 3, 4, 2, 1.
    const int quadDx[4] = int[4](-1, 0, -1, 0);
    const int quadDy[4] = int[4](-1, -1, 0, 0);
    const int cornerOf[4] = int[4](2, 3, 1, 0);
    for (int n = 0; n < 4; ++n) {
      int qxSigned = int(x) + quadDx[n], qySigned = int(y) + quadDy[n];
      if (qxSigned < 0 || qySigned < 0 || qxSigned + 1 >= int(p.imageWidth) || qySigned + 1 >= int(p.imageHeight)) continue;
      uint qx = uint(qxSigned), qy = uint(qySigned);
      int k = cornerOf[n];
      UvQuad quad;
      if (!uvSplatLoadQuad(qx, qy, true, quad)) continue;
      uint key = qy * (p.imageWidth - 1u) + qx;
      uint corner[4] = uint[4](uvSplatCornerPixel(qx, qy, 0), uvSplatCornerPixel(qx, qy, 1), uvSplatCornerPixel(qx, qy, 2),
                               uvSplatCornerPixel(qx, qy, 3));
      ivec4 range = uvSplatCandidateTexels(quad);
      int columns = range.y - range.x + 1;
      int count = range.y >= range.x && range.w >= range.z ? columns * (range.w - range.z + 1) : 0;
      // One flat loop over the candidate texels, rows then columns.
      for (int n = 0; n < count; ++n) {
        int i = range.x + n % columns, j = range.z + n / columns;
        uint texel = uint(j) * p.textureWidth + uint(i);
        float weightSum = weight[texel];
        float s, t;
        if (weightSum > 0.0 && lutContains(texel, key) && uvSplatInverseBilinear(quad, float(i), float(j), s, t)) {
          vec4 w = uvSplatWeights(s, t);
          float wk = w[k];
          precise float dw0 = 0.0, dw1 = 0.0, dw2 = 0.0, dw3 = 0.0;
          for (uint c = 0u; c < p.channels; ++c) {
            float G = textureGrad[c * texels + texel];
            float value = texture[c * texels + texel];
            uint plane = c * pixels;
            precise float featureStep = wk * G / weightSum;
            precise float accumulated = featureGrad[plane + pixel] + featureStep;
            featureGrad[plane + pixel] = accumulated;
            dw0 = dw0 + G * (features[plane + corner[0]] - value);
            dw1 = dw1 + G * (features[plane + corner[1]] - value);
            dw2 = dw2 + G * (features[plane + corner[2]] - value);
            dw3 = dw3 + G * (features[plane + corner[3]] - value);
          }
          precise vec4 dw = vec4(dw0 / weightSum, dw1 / weightSum, dw2 / weightSum, dw3 / weightSum);
          vec2 lambda;
          if (uvSplatPositionGradient(quad, s, t, dw, lambda)) {
            precise float stepU = wk * lambda.x * float(p.textureWidth);
            precise float stepV = wk * lambda.y * float(p.textureHeight);
            gradU = gradU + stepU;
            gradV = gradV + stepV;
          }
        }
      }
    }
  }
  uvGrad[2u * pixel] = gradU;
  uvGrad[2u * pixel + 1u] = gradV;
}
