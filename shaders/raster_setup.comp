#version 460
// Raster pass 1: set up every (view, triangle) and count the tiles its bounding box touches.
// Dispatch: (ceil(T / 64), views in the chunk). Rules: shaders/include/raster_rules.glsl.
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "raster_params.h"

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Views { RasterView views[]; };
layout(std430, set = 0, binding = 1) readonly buffer Positions { float positions[]; };   // float3 per vertex
layout(std430, set = 0, binding = 2) readonly buffer Indices { uvec4 indices[]; };       // (i0, i1, i2, 0) per triangle
layout(std430, set = 0, binding = 3) writeonly buffer Setup { RasterTriangle setup[]; }; // [B][T]
layout(std430, set = 0, binding = 4) buffer TileCounts { uint tileCounts[]; };           // [B][tilesY][tilesX]

layout(push_constant) uniform Push { RasterPush p; };

#define RASTER_RULES_WITH_SETUP
#include "raster_rules.glsl"

void main() {
  uint t = gl_GlobalInvocationID.x;
  uint view = gl_WorkGroupID.y;
  if (t >= p.triangleCount) return;
  uvec4 corners = indices[t];
  RasterTriangle tri = rasterSetupTriangle(views[p.viewBase + view], corners.x, corners.y, corners.z, p.width, p.height,
                                           p.flags);
  setup[view * p.triangleCount + t] = tri;
  if ((tri.flags & RASTER_TRI_VALID) == 0u) return;
  uint tilesPerView = p.tilesX * p.tilesY;
  for (uint ty = tri.tileMin >> 16; ty <= (tri.tileMax >> 16); ++ty) {
    for (uint tx = tri.tileMin & 0xffffu; tx <= (tri.tileMax & 0xffffu); ++tx) {
      atomicAdd(tileCounts[view * tilesPerView + ty * p.tilesX + tx], 1u);
    }
  }
}
