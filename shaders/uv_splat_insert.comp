#version 460
// UV splat pass 1: insert every used quad into the lookup table of each texel it contains.
// Dispatch: (ceil((W - 1) / 8), ceil((H - 1) / 8), Z): one invocation per quad and every Z-th
// 32 x 32 tile of its candidate texels: Z = tilesX * tilesY on GPUs (bounded work per
// invocation), Z = 1 on CPU devices (lavapipe), where an invocation per tile would load and test
// every quad once per tile although most quads reach one tile. Lavapipe ends an invocation after
// 65535 loop iterations, so where a quad's candidate box may be wider or taller than
// p.insertMaxSide the pass runs in mode UV_SPLAT_INSERT_DEFER_WIDE (specialization constant
// INSERT_MODE): such quads are appended to the wide list instead, and a second, indirect dispatch
// (mode UV_SPLAT_INSERT_LISTED: (ceil(n / 64), 1, tilesX * tilesY)) inserts each listed quad's
// tiles, one per invocation. Each texel keeps
// its L smallest quad indices, ascending, via a chain of atomicMin; the final slots do not
// depend on the interleaving. Pairs past the L-th slot are counted in dropped[0].
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Uvs { float uvs[]; };          // see UvSplatPush.uvStride
layout(std430, set = 0, binding = 1) readonly buffer PixelIds { uint pixelIds[]; }; // UV_SPLAT_OFF_OBJECT = off
layout(std430, set = 0, binding = 2) buffer Lut { uint lut[]; };                    // [Ht][Wt][L], NO_QUAD-filled
layout(std430, set = 0, binding = 3) buffer Dropped { uint dropped[]; };            // [1], zeroed
// UV_SPLAT_WIDE_LIST_HEADER uints (dispatch arguments x, y, z of the listed pass; the count),
// then the keys of the deferred quads. Arrives as {0, 1, tilesX * tilesY, 0}.
layout(std430, set = 0, binding = 4) buffer WideList { uint wideList[]; };

layout(push_constant) uniform Push { UvSplatPush p; };
layout(constant_id = 0) const uint INSERT_MODE = UV_SPLAT_INSERT_ALL;

#include "uv_splat_math.glsl"

void insertQuad(uint qx, uint qy);
void insertTile(UvQuad quad, uint key, ivec4 range, uint tile);

void main() {
  if (INSERT_MODE == UV_SPLAT_INSERT_LISTED) {
    uint index = gl_WorkGroupID.x * 64u + gl_LocalInvocationIndex;
    if (index >= wideList[3]) return;
    uint key = wideList[UV_SPLAT_WIDE_LIST_HEADER + index];
    UvQuad quad;
    uvSplatLoadQuad(key % (p.imageWidth - 1u), key / (p.imageWidth - 1u), false, quad);
    insertTile(quad, key, uvSplatCandidateTexels(quad), gl_WorkGroupID.z);
    return;
  }
  uint qx = gl_GlobalInvocationID.x, qy = gl_GlobalInvocationID.y;
  if (qx + 1u >= p.imageWidth || qy + 1u >= p.imageHeight) return;
  // lavapipe runs both sides of an `if` under a lane mask but ends a loop once no lane is left
  // in it: the work of a quad sits in a loop that runs once, and only when its 4 pixels are on
  // the object, so groups of off-object quads (most of a window's border) skip it.
  for (uint once = uvSplatQuadOnObject(qx, qy) ? 0u : 1u; once < 1u; ++once) insertQuad(qx, qy);
}

void insertQuad(uint qx, uint qy) {
  UvQuad quad;
  if (!uvSplatLoadQuad(qx, qy, true, quad)) return;
  uint key = qy * (p.imageWidth - 1u) + qx;
  ivec4 range = uvSplatCandidateTexels(quad);
  if (INSERT_MODE == UV_SPLAT_INSERT_DEFER_WIDE && uvSplatWideBox(range)) {
    uint index = atomicAdd(wideList[3], 1u);
    wideList[UV_SPLAT_WIDE_LIST_HEADER + index] = key;
    atomicMax(wideList[0], index / 64u + 1u);  // groups of 64 invocations (8 x 8) in the listed pass
    return;
  }
  for (uint tile = gl_GlobalInvocationID.z; tile < p.insertTiles; tile += gl_NumWorkGroups.z) {
    if (range.z + int(tile / p.insertTilesX) * int(UV_SPLAT_INSERT_TILE) > range.w) break;  // tiles go row by row
    insertTile(quad, key, range, tile);
  }
}

// The candidates of `quad` in tile `tile` (row-major tiles of UV_SPLAT_INSERT_TILE texels over `range`).
void insertTile(UvQuad quad, uint key, ivec4 range, uint tile) {
  ivec4 box = uvSplatCandidateTile(range, tile);
  for (int j = box.z; j <= box.w; ++j) {
    for (int i = box.x; i <= box.y; ++i) {
      float s, t;
      if (!uvSplatInverseBilinear(quad, float(i), float(j), s, t)) continue;
      uint base = (uint(j) * p.textureWidth + uint(i)) * p.lutCapacity;
      uint carry = key;
      for (uint slot = 0u; slot < p.lutCapacity; ++slot) {
        uint old = atomicMin(lut[base + slot], carry);
        carry = max(old, carry);
        if (carry == UV_SPLAT_NO_QUAD) break;
      }
      if (carry != UV_SPLAT_NO_QUAD) atomicAdd(dropped[0], 1u);
    }
  }
}
