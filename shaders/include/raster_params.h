// Structs and constants of the raster stage, shared by shaders/raster_*.comp and C++
// (runtime/core/raster_math.h, runtime/stages/raster.{h,cpp}). All members are 4-byte scalars.
#ifndef MESHRT_RASTER_PARAMS_H
#define MESHRT_RASTER_PARAMS_H

#include "gpu_types.h"

#define RASTER_TILE_SIZE 16u              // tiles are 16 x 16 pixels; one workgroup each
#define RASTER_SUBPIXEL_SCALE 256.0       // screen positions snap to 1/256 pixel
#define RASTER_SUBPIXEL_HALF 128          // a pixel centre, in sub-pixel units
#define RASTER_GUARD_BAND 2097152.0       // |x|, |y| beyond this (pixels) rejects the triangle:
                                          // keeps edge functions inside int64 (2^21 px * 2^8)
#define RASTER_NO_TRIANGLE 0xffffffffu    // triangle id of an uncovered pixel
#define RASTER_CAMERA_PERSPECTIVE 0u
#define RASTER_CAMERA_WEAK 1u
#define RASTER_FLAG_CULL_BACK 1u          // drop back faces (clockwise on screen)
#define RASTER_SCAN_BLOCK 1024u           // items one scan workgroup handles (256 threads x 4)

// Triangle setup flags.
#define RASTER_TRI_VALID 1u               // survived culling, near plane, guard band, area != 0
#define RASTER_TRI_FLIPPED 2u             // vertices 1 and 2 swapped so that area > 0

MESHRT_GPU_NAMESPACE_BEGIN

// One view of the batch (a storage-buffer array element, 80 bytes).
struct RasterView {
  float rotation[9];     // R, row-major: object frame -> camera frame (OpenCV: x right, y down, z forward)
  float translation[3];  // perspective: t in the camera frame (object units); weak: (tx, ty, unused)
  float fx;              // perspective: focal lengths and principal point, pixels
  float fy;
  float cx;
  float cy;
  float nearZ;           // perspective: a triangle with any vertex at z < nearZ is rejected (no clipping)
  float farZ;            // perspective: a triangle with all vertices at z > farZ is rejected
  float weakScale;       // weak perspective: p = s * (R X)_xy + t in [-1, 1] over the square target
  uint model;            // RASTER_CAMERA_*
};

// Push constants of every raster pass (52 bytes).
struct RasterPush {
  uint width;           // target size, pixels (shared by every view of the batch)
  uint height;
  uint tilesX;          // ceil(width / 16)
  uint tilesY;          // ceil(height / 16)
  uint viewCount;       // views in this chunk of the batch
  uint triangleCount;   // T
  uint extraCount;      // E: floats of the extra per-vertex attribute (0..16)
  uint flags;           // RASTER_FLAG_*
  uint listCapacity;    // entries the tile list buffer holds
  uint scanCount;       // scan passes: items to scan
  uint scanLevel;       // scan passes: 0 = per-block scan, 1 = block sums, 2 = add block offsets
  uint attributeStride; // floats per pixel in the attribute output: 2 (uv) + 3 (normal) + E
  uint viewBase;        // index of this chunk's first view in the views buffer
};

// The setup of one triangle in one view (a storage-buffer array element, 80 bytes), written by
// raster_setup.comp and read by the bin and tile passes.
struct RasterTriangle {
  int x[3];             // vertex positions in sub-pixel units (1/256 px), after the FLIPPED swap
  int y[3];
  float invW[3];        // 1/z (perspective) or 1 (weak), per vertex, after the swap
  float depthOverW[3];  // depth_i * invW_i: 1 (perspective) or (R X)_z (weak)
  // Depth-order plane (valid triangles only): the visibility key's value at a pixel centre c
  // (sub-pixel units) is keyOrigin + keyGradX * (c.x - x[0]) + keyGradY * (c.y - y[0]); smaller is
  // nearer. It interpolates -1/z (perspective) or (R X)_z (weak) linearly in screen space, which
  // is exact for both up to rounding, so visibility needs no per-pixel division.
  float keyOrigin;      // -invW[0] (perspective) or depthOverW[0] (weak)
  float keyGradX;       // per sub-pixel unit of x
  float keyGradY;       // per sub-pixel unit of y
  uint flags;           // RASTER_TRI_*
  uint tileMin;         // first covered tile: x | (y << 16)
  uint tileMax;         // last covered tile (inclusive): x | (y << 16)
  uint pad[2];
};

MESHRT_GPU_NAMESPACE_END

#endif  // MESHRT_RASTER_PARAMS_H
