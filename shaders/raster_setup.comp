#version 460
// Raster pass 1: set up every (view, triangle) and count the tiles its bounding box touches.
// Dispatch: (ceil(T / 64), views in the chunk). Rules: shaders/include/raster_rules.glsl.
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "raster_params.h"

layout(local_size_x = 64) in;

// Structs are read and written as uvec4s (loadView, storeTriangle) and positions as vec4s:
// lavapipe runs one loop over the SIMD lanes per buffer access at a per-invocation address, so
// one vec4 access costs about what one scalar access does.
layout(std430, set = 0, binding = 0) readonly buffer Views { uvec4 viewWords[]; };        // RasterView, 5 per view
layout(std430, set = 0, binding = 1) readonly buffer Positions { vec4 positions[]; };     // (x, y, z, 0) per vertex
layout(std430, set = 0, binding = 2) readonly buffer Indices { uvec4 indices[]; };       // (i0, i1, i2, 0) per triangle
layout(std430, set = 0, binding = 3) writeonly buffer Setup { uvec4 setupWords[]; };     // RasterTriangle [B][T], 5 each
layout(std430, set = 0, binding = 4) buffer TileCounts { uint tileCounts[]; };           // [B][tilesY][tilesX]

layout(push_constant) uniform Push { RasterPush p; };

#define RASTER_RULES_WITH_SETUP
#include "raster_rules.glsl"

const uint STRUCT_VEC4S = 5u;  // sizeof(RasterView) / 16 == sizeof(RasterTriangle) / 16

RasterView loadView(uint index) {
  uvec4 w0 = viewWords[STRUCT_VEC4S * index];       // rotation[0..3]
  uvec4 w1 = viewWords[STRUCT_VEC4S * index + 1u];  // rotation[4..7]
  uvec4 w2 = viewWords[STRUCT_VEC4S * index + 2u];  // rotation[8], translation[0..2]
  uvec4 w3 = viewWords[STRUCT_VEC4S * index + 3u];  // fx, fy, cx, cy
  uvec4 w4 = viewWords[STRUCT_VEC4S * index + 4u];  // nearZ, farZ, weakScale, model
  RasterView view;
  view.rotation = float[9](uintBitsToFloat(w0.x), uintBitsToFloat(w0.y), uintBitsToFloat(w0.z), uintBitsToFloat(w0.w),
                           uintBitsToFloat(w1.x), uintBitsToFloat(w1.y), uintBitsToFloat(w1.z), uintBitsToFloat(w1.w),
                           uintBitsToFloat(w2.x));
  view.translation = float[3](uintBitsToFloat(w2.y), uintBitsToFloat(w2.z), uintBitsToFloat(w2.w));
  view.fx = uintBitsToFloat(w3.x);
  view.fy = uintBitsToFloat(w3.y);
  view.cx = uintBitsToFloat(w3.z);
  view.cy = uintBitsToFloat(w3.w);
  view.nearZ = uintBitsToFloat(w4.x);
  view.farZ = uintBitsToFloat(w4.y);
  view.weakScale = uintBitsToFloat(w4.z);
  view.model = w4.w;
  return view;
}

void storeTriangle(uint index, RasterTriangle tri) {
  setupWords[STRUCT_VEC4S * index] = uvec4(tri.x[0], tri.x[1], tri.x[2], tri.y[0]);
  setupWords[STRUCT_VEC4S * index + 1u] = uvec4(tri.y[1], tri.y[2], floatBitsToUint(tri.invW[0]), floatBitsToUint(tri.invW[1]));
  setupWords[STRUCT_VEC4S * index + 2u] = uvec4(floatBitsToUint(tri.invW[2]), floatBitsToUint(tri.depthOverW[0]),
                                                floatBitsToUint(tri.depthOverW[1]), floatBitsToUint(tri.depthOverW[2]));
  setupWords[STRUCT_VEC4S * index + 3u] = uvec4(floatBitsToUint(tri.keyOrigin), floatBitsToUint(tri.keyGradX),
                                                floatBitsToUint(tri.keyGradY), tri.flags);
  setupWords[STRUCT_VEC4S * index + 4u] = uvec4(tri.tileMin, tri.tileMax, tri.pad[0], tri.pad[1]);
}

void main() {
  uint t = gl_GlobalInvocationID.x;
  uint view = gl_WorkGroupID.y;
  if (t >= p.triangleCount) return;
  uvec4 corners = indices[t];
  RasterTriangle tri = rasterSetupTriangle(loadView(p.viewBase + view), corners.x, corners.y, corners.z, p.width, p.height,
                                           p.flags);
  storeTriangle(view * p.triangleCount + t, tri);
  if ((tri.flags & RASTER_TRI_VALID) == 0u) return;
  uint tilesPerView = p.tilesX * p.tilesY;
  for (uint ty = tri.tileMin >> 16; ty <= (tri.tileMax >> 16); ++ty) {
    for (uint tx = tri.tileMin & 0xffffu; tx <= (tri.tileMax & 0xffffu); ++tx) {
      atomicAdd(tileCounts[view * tilesPerView + ty * p.tilesX + tx], 1u);
    }
  }
}
