#version 460
// Raster pass 4: one workgroup per (tile, view), one invocation per pixel (per column of ROWS
// pixels on CPU devices). Each pixel keeps the minimum key (orderable depth-order plane value
// << 32 | triangle id) over the tile's triangle list, so the result does not depend on list
// order. Then it resolves the winner: perspective-correct barycentrics, depth and interpolated
// vertex attributes. Dispatch: (tilesX, tilesY, B).
// Triangles are read from global memory per pixel: staging them through shared memory made
// this pass 1.7x slower on lavapipe (barriers), and GPU caches serve the broadcast reads.
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "raster_params.h"

// Each invocation handles ROWS pixels of one column of the 16 x 16 tile (rows y0, y0 + 16/ROWS, ...).
// ROWS is a specialization constant: 1 on GPUs (one invocation per pixel); on CPU devices
// (lavapipe) each invocation costs ~55 ns whatever it does, so fewer, longer ones are faster.
layout(constant_id = 0) const uint ROWS = 1u;
layout(local_size_x = 16, local_size_y_id = 1) in;

// RasterTriangle [B][T], read as 5 uvec4s per triangle (loadTriangle): lavapipe runs one loop
// over the SIMD lanes per read instruction at a per-pixel address, so 4 vec4 reads cost far
// less than 16 scalar ones.
layout(std430, set = 0, binding = 0) readonly buffer Setup { uvec4 setupWords[]; };
layout(std430, set = 0, binding = 1) readonly buffer List { uint list[]; };
layout(std430, set = 0, binding = 2) readonly buffer Offsets { uint offsets[]; };      // per tile
layout(std430, set = 0, binding = 3) readonly buffer Totals { uint totals[]; };
layout(std430, set = 0, binding = 4) readonly buffer Indices { uvec4 indices[]; };     // (i0, i1, i2, 0) per triangle
// Per vertex: u, v, nx, ny, nz, extra[E] (p.attributeStride floats), zero-padded to whole vec4s:
// on lavapipe a read at a per-pixel address is a loop over the SIMD lanes, one per load
// instruction, so one vec4 read costs about what one float read does.
layout(std430, set = 0, binding = 5) readonly buffer VertexAttributes { vec4 vertexAttributes[]; };
layout(std430, set = 0, binding = 6) writeonly buffer OutIds { uint outIds[]; };         // [B][H][W]
layout(std430, set = 0, binding = 7) writeonly buffer OutSurface { vec4 outSurface[]; }; // [B][H][W]
layout(std430, set = 0, binding = 8) writeonly buffer OutAttributes { float outAttributes[]; };  // [B][H][W][stride]

layout(push_constant) uniform Push { RasterPush p; };

#include "raster_rules.glsl"

const uint TRIANGLE_VEC4S = 5u;  // sizeof(RasterTriangle) / 16

// Triangle `index` of the setup buffer; the last vec4 (tileMin, tileMax, pad) is not needed here.
RasterTriangle loadTriangle(uint index) {
  uvec4 w0 = setupWords[TRIANGLE_VEC4S * index];       // x[0..2], y[0]
  uvec4 w1 = setupWords[TRIANGLE_VEC4S * index + 1u];  // y[1..2], invW[0..1]
  uvec4 w2 = setupWords[TRIANGLE_VEC4S * index + 2u];  // invW[2], depthOverW[0..2]
  uvec4 w3 = setupWords[TRIANGLE_VEC4S * index + 3u];  // keyOrigin, keyGradX, keyGradY, flags
  RasterTriangle tri;
  tri.x = int[3](int(w0.x), int(w0.y), int(w0.z));
  tri.y = int[3](int(w0.w), int(w1.x), int(w1.y));
  tri.invW = float[3](uintBitsToFloat(w1.z), uintBitsToFloat(w1.w), uintBitsToFloat(w2.x));
  tri.depthOverW = float[3](uintBitsToFloat(w2.y), uintBitsToFloat(w2.z), uintBitsToFloat(w2.w));
  tri.keyOrigin = uintBitsToFloat(w3.x);
  tri.keyGradX = uintBitsToFloat(w3.y);
  tri.keyGradY = uintBitsToFloat(w3.z);
  tri.flags = w3.w;
  tri.tileMin = 0u;
  tri.tileMax = 0u;
  tri.pad = uint[2](0u, 0u);
  return tri;
}

void main() {
  uint view = gl_WorkGroupID.z;
  uint tilesPerView = p.tilesX * p.tilesY;
  uint tile = view * tilesPerView + gl_WorkGroupID.y * p.tilesX + gl_WorkGroupID.x;
  uint end = tile + 1u < p.viewCount * tilesPerView ? offsets[tile + 1u] : totals[0];
  end = min(end, p.listCapacity);
  uint start = min(offsets[tile], end);

  uint px = gl_WorkGroupID.x * RASTER_TILE_SIZE + gl_LocalInvocationID.x;
  uint rowStep = RASTER_TILE_SIZE / ROWS;
  uint firstRow = gl_WorkGroupID.y * RASTER_TILE_SIZE + gl_LocalInvocationID.y;
  uint64_t best[ROWS];
  for (uint r = 0u; r < ROWS; ++r) best[r] = ~uint64_t(0);
  if (px < p.width) {
    int centreX = int(px) * int(RASTER_SUBPIXEL_SCALE) + RASTER_SUBPIXEL_HALF;  // < 2^21: int32
    int centreY = int(firstRow) * int(RASTER_SUBPIXEL_SCALE) + RASTER_SUBPIXEL_HALF;
    for (uint i = start; i < end; ++i) {
      uint id = list[i];
      RasterTriangle tri = loadTriangle(view * p.triangleCount + id);
      // Edge values at this column's first row, then stepped down the rows: edge(a, b) grows by
      // dx = b.x - a.x per sub-pixel of y, so the values stay exactly those rasterCovers()
      // computes, with one int64 multiply per edge and triangle instead of two per pixel.
      int64_t e[3], step[3];
      bool topLeft[3];
      for (int k = 0; k < 3; ++k) {
        int a = (k + 1) % 3, b = (k + 2) % 3;
        e[k] = rasterEdge(tri.x[a], tri.y[a], tri.x[b], tri.y[b], int64_t(centreX), int64_t(centreY));
        step[k] = int64_t(tri.x[b] - tri.x[a]) * int64_t(RASTER_SUBPIXEL_SCALE * float(rowStep));
        topLeft[k] = rasterIsTopLeft(tri.x[b] - tri.x[a], tri.y[b] - tri.y[a]);
      }
      // The visibility key comes from the triangle's depth-order plane (raster_math.h
      // rasterKeyDepth): two products and two sums per pixel, no division and no int64->float
      // conversion. Centre offsets from vertex 0 are int32, sub-pixel units.
      int offsetX = centreX - tri.x[0];
      int offsetY = centreY - tri.y[0];
      for (uint r = 0u; r < ROWS; ++r) {
        uint py = firstRow + r * rowStep;
        bool inside = py < p.height;
        for (int k = 0; k < 3; ++k) inside = inside && (e[k] > 0 || (e[k] == 0 && topLeft[k]));
        if (inside) {
          float q = rasterKeyDepthAt(tri, offsetX, offsetY + int(r * rowStep) * int(RASTER_SUBPIXEL_SCALE));
          uint64_t key = (uint64_t(rasterOrderableDepth(q)) << 32) | uint64_t(id);
          best[r] = min(best[r], key);
        }
        for (int k = 0; k < 3; ++k) e[k] += step[k];
      }
    }
  }
  // Uncovered pixels keep the values the host cleared the outputs to (vkCmdFillBuffer):
  // id RASTER_NO_TRIANGLE, surface and attributes 0. Only covered rows are resolved, one per
  // iteration of a loop over a bit mask: CPU implementations (lavapipe) run every branch of
  // a SIMD group under a lane mask, so a per-row `if` would cost a full resolve for every
  // uncovered pixel; a loop costs as many iterations as the group's busiest column.
  uint coveredRows = 0u;  // bit r: row r of this invocation has a winner
  uint winner[ROWS];      // triangle id per row, RASTER_NO_TRIANGLE where uncovered
  for (uint r = 0u; r < ROWS; ++r) {
    winner[r] = uint(best[r] & 0xffffffffUL);
    uint py = firstRow + r * rowStep;
    if (px < p.width && py < p.height && best[r] != ~uint64_t(0)) coveredRows |= 1u << r;
  }
  while (coveredRows != 0u) {
    uint row = uint(findLSB(coveredRows));
    coveredRows &= coveredRows - 1u;
    uint id = winner[0];
    for (uint r = 1u; r < ROWS; ++r) id = r == row ? winner[r] : id;  // no indexing by a variable
    uint py = firstRow + row * rowStep;
    uint pixel = (view * p.height + py) * p.width + px;
    uint stride = p.attributeStride;
    RasterTriangle tri = loadTriangle(view * p.triangleCount + id);
    int64_t e[3];
    rasterCovers(tri, px, py, e);
    float bary[3];
    float depth = rasterInterpolate(tri, e, bary);
    if ((tri.flags & RASTER_TRI_FLIPPED) != 0u) {  // back to the mesh's vertex order
      float swapped = bary[1]; bary[1] = bary[2]; bary[2] = swapped;
    }
    uvec4 corners = indices[id];
    uint i0 = corners.x, i1 = corners.y, i2 = corners.z;
    uint vec4sPerVertex = (stride + 3u) / 4u;
    for (uint j = 0u; j < vec4sPerVertex; ++j) {
      vec4 a0 = vertexAttributes[i0 * vec4sPerVertex + j];
      vec4 a1 = vertexAttributes[i1 * vec4sPerVertex + j];
      vec4 a2 = vertexAttributes[i2 * vec4sPerVertex + j];
      precise vec4 value = bary[0] * a0 + bary[1] * a1 + bary[2] * a2;  // per component, as the reference
      for (uint c = 0u; c < 4u; ++c) {
        if (4u * j + c < stride) outAttributes[pixel * stride + 4u * j + c] = value[c];
      }
    }
    outIds[pixel] = id;
    outSurface[pixel] = vec4(bary[1], bary[2], depth, 1.0);
  }
}
