// The raster stage's rules, per triangle and per pixel, shared by the CPU reference and (as a
// MESHRT_HD header) a future CUDA path; shaders/raster_setup.comp and raster_tile.comp mirror
// them operation by operation (`precise`, no FMA), so ids match exactly and floats bit for bit.
//
// Rules:
// - Screen positions snap to 1/256 pixel; coverage is decided on integers (int64 edge
//   functions), so it is exact, identical everywhere, and watertight.
// - Pixel (i, j) is sampled at its centre (i+0.5, j+0.5) (DESIGN §5).
// - Fill rule: top-left. With the triangle oriented so its signed area is positive, a centre
//   exactly on an edge is inside only if the edge is a left edge (dy < 0) or a top edge
//   (dy == 0, dx > 0), in y-down pixel coordinates. Two triangles sharing an edge therefore
//   never both cover, and never both miss, a centre on it.
// - Front faces are counter-clockwise on screen (signed area < 0 in y-down coordinates), which
//   is what a counter-clockwise-from-outside triangle (DESIGN §5) looks like facing the camera.
// - Near plane: perspective triangles with any vertex at z < nearZ are rejected (not clipped);
//   those with every vertex beyond farZ too. Vertices projecting outside the ±2^21-pixel guard
//   band, NaN included, reject the triangle.
// - Depth: perspective camera z (metres or object units), weak perspective (R X)_z. Visibility:
//   nearest wins, ties go to the lower triangle id: key = orderable(q bits) << 32 | triangle id,
//   minimum, where q is the triangle's depth-order plane at the pixel centre (-1/z for
//   perspective, (R X)_z for weak perspective, both linear in screen space; rasterKeyDepth()).
//   The reported depth and barycentrics of the winner are perspective-correct (rasterInterpolate()).
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/hd.h"
#include "raster_params.h"

namespace meshrt {

MESHRT_HD inline uint32_t rasterFloatBits(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof(bits));
  return bits;
}

// Maps float bits to an unsigned key with the same order as the floats (negatives included).
MESHRT_HD inline uint32_t rasterOrderableDepth(float depth) {
  const uint32_t bits = rasterFloatBits(depth);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

// floor(a / b) for b > 0.
MESHRT_HD inline int64_t rasterFloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

MESHRT_HD inline bool rasterIsTopLeft(int dx, int dy) { return dy < 0 || (dy == 0 && dx > 0); }

// Edge function of edge a -> b at point p (sub-pixel units): > 0 on the interior side.
MESHRT_HD inline int64_t rasterEdge(int ax, int ay, int bx, int by, int64_t px, int64_t py) {
  return int64_t(bx - ax) * (py - ay) - int64_t(by - ay) * (px - ax);
}

// The depth-order plane through (x_k, y_k, v_k), v_k = -invW[k] (perspective) or depthOverW[k]
// (weak), after the FLIPPED swap; `doubleArea` = edge(v0, v1, v2) > 0 (sub-pixel units squared).
// Every operation is a single float rounding, mirrored in raster_rules.glsl (no FMA).
MESHRT_HD inline void rasterSetupKeyPlane(gpu::RasterTriangle& tri, int64_t doubleArea, bool perspective) {
  const float v0 = perspective ? -tri.invW[0] : tri.depthOverW[0];
  const float v1 = perspective ? -tri.invW[1] : tri.depthOverW[1];
  const float v2 = perspective ? -tri.invW[2] : tri.depthOverW[2];
  const float d1 = v1 - v0, d2 = v2 - v0;
  const float ex1 = float(tri.x[1] - tri.x[0]), ey1 = float(tri.y[1] - tri.y[0]);
  const float ex2 = float(tri.x[2] - tri.x[0]), ey2 = float(tri.y[2] - tri.y[0]);
  const float det = float(doubleArea);
  const float gxNumerator = d1 * ey2 - d2 * ey1;
  const float gyNumerator = d2 * ex1 - d1 * ex2;
  tri.keyOrigin = v0;
  tri.keyGradX = gxNumerator / det;
  tri.keyGradY = gyNumerator / det;
}

// Sets up triangle (i0, i1, i2) for one view. `positions` is float3 per vertex, object frame.
MESHRT_HD inline gpu::RasterTriangle rasterSetupTriangle(const gpu::RasterView& view, const float* positions,
                                                         uint32_t i0, uint32_t i1, uint32_t i2, uint32_t width,
                                                         uint32_t height, uint32_t flags) {
  gpu::RasterTriangle tri;
  memset(&tri, 0, sizeof(tri));
  const uint32_t index[3] = {i0, i1, i2};
  const float* r = view.rotation;
  bool valid = true;
  int allBeyondFar = 1;
  for (int k = 0; k < 3; ++k) {
    const float X = positions[3 * index[k]], Y = positions[3 * index[k] + 1], Z = positions[3 * index[k] + 2];
    const float camX = r[0] * X + r[1] * Y + r[2] * Z;
    const float camY = r[3] * X + r[4] * Y + r[5] * Z;
    const float camZ = r[6] * X + r[7] * Y + r[8] * Z;
    float sx, sy;
    if (view.model == RASTER_CAMERA_PERSPECTIVE) {
      const float z = camZ + view.translation[2];
      if (!(z >= view.nearZ)) valid = false;  // also rejects NaN
      if (!(z > view.farZ)) allBeyondFar = 0;
      const float invZ = 1.0f / z;
      sx = view.fx * ((camX + view.translation[0]) * invZ) + view.cx;
      sy = view.fy * ((camY + view.translation[1]) * invZ) + view.cy;
      tri.invW[k] = invZ;
      tri.depthOverW[k] = 1.0f;
    } else {
      allBeyondFar = 0;
      const float nx = view.weakScale * camX + view.translation[0];
      const float ny = view.weakScale * camY + view.translation[1];
      sx = (nx + 1.0f) * (0.5f * float(width));
      sy = (ny + 1.0f) * (0.5f * float(height));
      tri.invW[k] = 1.0f;
      tri.depthOverW[k] = camZ;
    }
    const float guard = float(RASTER_GUARD_BAND);
    if (!(sx >= -guard && sx <= guard && sy >= -guard && sy <= guard)) {
      valid = false;
      sx = 0.0f;
      sy = 0.0f;
    }
    tri.x[k] = int(floorf(sx * float(RASTER_SUBPIXEL_SCALE) + 0.5f));
    tri.y[k] = int(floorf(sy * float(RASTER_SUBPIXEL_SCALE) + 0.5f));
  }
  if (allBeyondFar) valid = false;

  const int64_t area = rasterEdge(tri.x[0], tri.y[0], tri.x[1], tri.y[1], tri.x[2], tri.y[2]);
  if (area == 0) valid = false;
  if ((flags & RASTER_FLAG_CULL_BACK) && area > 0) valid = false;  // clockwise on screen = back
  uint32_t triFlags = 0;
  if (area < 0) {  // orient so area > 0: swap vertices 1 and 2
    int tx = tri.x[1]; tri.x[1] = tri.x[2]; tri.x[2] = tx;
    int ty = tri.y[1]; tri.y[1] = tri.y[2]; tri.y[2] = ty;
    float tw = tri.invW[1]; tri.invW[1] = tri.invW[2]; tri.invW[2] = tw;
    float td = tri.depthOverW[1]; tri.depthOverW[1] = tri.depthOverW[2]; tri.depthOverW[2] = td;
    triFlags |= RASTER_TRI_FLIPPED;
  }
  // Pixel centres inside the bounding box, clamped to the target.
  int minX = tri.x[0], maxX = tri.x[0], minY = tri.y[0], maxY = tri.y[0];
  for (int k = 1; k < 3; ++k) {
    minX = tri.x[k] < minX ? tri.x[k] : minX;
    maxX = tri.x[k] > maxX ? tri.x[k] : maxX;
    minY = tri.y[k] < minY ? tri.y[k] : minY;
    maxY = tri.y[k] > maxY ? tri.y[k] : maxY;
  }
  const int64_t s = int64_t(RASTER_SUBPIXEL_SCALE);
  int64_t firstX = -rasterFloorDiv(-(int64_t(minX) - RASTER_SUBPIXEL_HALF), s);  // ceil
  int64_t lastX = rasterFloorDiv(int64_t(maxX) - RASTER_SUBPIXEL_HALF, s);
  int64_t firstY = -rasterFloorDiv(-(int64_t(minY) - RASTER_SUBPIXEL_HALF), s);
  int64_t lastY = rasterFloorDiv(int64_t(maxY) - RASTER_SUBPIXEL_HALF, s);
  firstX = firstX < 0 ? 0 : firstX;
  firstY = firstY < 0 ? 0 : firstY;
  lastX = lastX > int64_t(width) - 1 ? int64_t(width) - 1 : lastX;
  lastY = lastY > int64_t(height) - 1 ? int64_t(height) - 1 : lastY;
  if (firstX > lastX || firstY > lastY) valid = false;
  if (valid) {
    rasterSetupKeyPlane(tri, area < 0 ? -area : area, view.model == RASTER_CAMERA_PERSPECTIVE);
    triFlags |= RASTER_TRI_VALID;
    tri.tileMin = uint32_t(firstX / RASTER_TILE_SIZE) | (uint32_t(firstY / RASTER_TILE_SIZE) << 16);
    tri.tileMax = uint32_t(lastX / RASTER_TILE_SIZE) | (uint32_t(lastY / RASTER_TILE_SIZE) << 16);
  }
  tri.flags = triFlags;
  return tri;
}

// Edge values at the centre of pixel (px, py): e[k] weighs vertex k (after the FLIPPED swap).
// Returns whether the centre is covered under the top-left rule.
MESHRT_HD inline bool rasterCovers(const gpu::RasterTriangle& tri, uint32_t px, uint32_t py, int64_t e[3]) {
  const int64_t cx = int64_t(px) * int64_t(RASTER_SUBPIXEL_SCALE) + RASTER_SUBPIXEL_HALF;
  const int64_t cy = int64_t(py) * int64_t(RASTER_SUBPIXEL_SCALE) + RASTER_SUBPIXEL_HALF;
  bool inside = true;
  for (int k = 0; k < 3; ++k) {
    const int a = (k + 1) % 3, b = (k + 2) % 3;  // the edge opposite vertex k
    e[k] = rasterEdge(tri.x[a], tri.y[a], tri.x[b], tri.y[b], cx, cy);
    const bool topLeft = rasterIsTopLeft(tri.x[b] - tri.x[a], tri.y[b] - tri.y[a]);
    inside = inside && (e[k] > 0 || (e[k] == 0 && topLeft));
  }
  return inside;
}

// Screen-space barycentrics -> depth and perspective-correct barycentrics (vertex order after
// the FLIPPED swap). Returns the depth.
MESHRT_HD inline float rasterInterpolate(const gpu::RasterTriangle& tri, const int64_t e[3], float perspectiveBary[3]) {
  const float area = float(e[0] + e[1] + e[2]);
  const float b0 = float(e[0]) / area, b1 = float(e[1]) / area, b2 = float(e[2]) / area;
  const float w0 = b0 * tri.invW[0], w1 = b1 * tri.invW[1], w2 = b2 * tri.invW[2];
  const float sumW = w0 + w1 + w2;
  const float sumD = b0 * tri.depthOverW[0] + b1 * tri.depthOverW[1] + b2 * tri.depthOverW[2];
  perspectiveBary[0] = w0 / sumW;
  perspectiveBary[1] = w1 / sumW;
  perspectiveBary[2] = w2 / sumW;
  return sumD / sumW;
}

// The depth-order plane at the centre of pixel (px, py); smaller is nearer. The offsets from
// vertex 0 fit in int32 (|x| <= 2^29 sub-pixels in the guard band, centres < 2^21).
MESHRT_HD inline float rasterKeyDepth(const gpu::RasterTriangle& tri, uint32_t px, uint32_t py) {
  const int cx = int(px) * int(RASTER_SUBPIXEL_SCALE) + RASTER_SUBPIXEL_HALF;
  const int cy = int(py) * int(RASTER_SUBPIXEL_SCALE) + RASTER_SUBPIXEL_HALF;
  const float dx = float(cx - tri.x[0]), dy = float(cy - tri.y[0]);
  const float alongX = tri.keyGradX * dx;
  const float alongY = tri.keyGradY * dy;
  return (tri.keyOrigin + alongX) + alongY;
}

MESHRT_HD inline uint64_t rasterKey(float keyDepth, uint32_t triangle) {
  return (uint64_t(rasterOrderableDepth(keyDepth)) << 32) | triangle;
}

}  // namespace meshrt
