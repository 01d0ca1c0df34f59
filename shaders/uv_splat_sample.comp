#version 460
// Texture sampling for rendering: bilinear lookup of texture [C][Ht][Wt] at each on-object
// pixel's UV (texel centres at ((i + 0.5) / Wt, (j + 0.5) / Ht), clamp to edge) -> image
// [C][H][W], 0 off the object. Mirrors uvsplat::bilinearTaps / bilinearSample.
// Dispatch: (ceil(W / 8), ceil(H / 8)).
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Uvs { float uvs[]; };
layout(std430, set = 0, binding = 1) readonly buffer PixelIds { uint pixelIds[]; };
layout(std430, set = 0, binding = 2) readonly buffer Texture { float texture[]; };  // [C][Ht][Wt]
layout(std430, set = 0, binding = 3) writeonly buffer Image { float image[]; };    // [C][H][W]

layout(push_constant) uniform Push { UvSplatPush p; };

#include "uv_splat_math.glsl"

void main() {
  uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
  if (x >= p.imageWidth || y >= p.imageHeight) return;
  uint pixel = y * p.imageWidth + x;
  uint pixels = p.imageWidth * p.imageHeight;
  if (!uvSplatOnObject(pixel)) {
    for (uint c = 0u; c < p.channels; ++c) image[c * pixels + pixel] = 0.0;
    return;
  }
  precise float tx = uvSplatU(pixel) * float(p.textureWidth) - 0.5;
  precise float ty = uvSplatV(pixel) * float(p.textureHeight) - 0.5;
  float fxClamped = min(max(tx, -1.0), float(p.textureWidth));
  float fyClamped = min(max(ty, -1.0), float(p.textureHeight));
  float x0 = floor(fxClamped), y0 = floor(fyClamped);
  int maxI = int(p.textureWidth) - 1, maxJ = int(p.textureHeight) - 1;
  uint i0 = uint(clamp(int(x0), 0, maxI)), i1 = uint(clamp(int(x0) + 1, 0, maxI));
  uint j0 = uint(clamp(int(y0), 0, maxJ)), j1 = uint(clamp(int(y0) + 1, 0, maxJ));
  precise float fx = fxClamped - x0;
  precise float fy = fyClamped - y0;
  uint texels = p.textureWidth * p.textureHeight;
  for (uint c = 0u; c < p.channels; ++c) {
    uint plane = c * texels;
    precise float top = texture[plane + j0 * p.textureWidth + i0] * (1.0 - fx) + texture[plane + j0 * p.textureWidth + i1] * fx;
    precise float bottom = texture[plane + j1 * p.textureWidth + i0] * (1.0 - fx) + texture[plane + j1 * p.textureWidth + i1] * fx;
    precise float value = top * (1.0 - fy) + bottom * fy;
    image[c * pixels + pixel] = value;
  }
}
