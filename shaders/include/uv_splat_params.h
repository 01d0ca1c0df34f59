// Structs and constants of the UV splat stage (paper 000, A.1), shared by
// shaders/uv_splat_*.comp and C++ (runtime/stages/uv_splat.{h,cpp}). All members are 4-byte scalars.
#ifndef MESHRT_UV_SPLAT_PARAMS_H
#define MESHRT_UV_SPLAT_PARAMS_H

#include "gpu_types.h"

#ifdef __cplusplus
namespace meshrt {
// An empty lookup-table slot (no quad). Quad indices are y * (W - 1) + x, so never this value.
inline constexpr std::uint32_t UV_SPLAT_NO_QUAD = 0xFFFFFFFFu;
}  // namespace meshrt
#else
#define UV_SPLAT_NO_QUAD 0xffffffffu
#endif

#define UV_SPLAT_MAX_CHANNELS 128u     // C
#define UV_SPLAT_MAX_LUT 32u           // lutCapacity
#define UV_SPLAT_MAX_SIZE 8192u        // image and texture width / height
#define UV_SPLAT_OFF_OBJECT 0xffffffffu  // pixel id of a pixel off the object (= RASTER_NO_TRIANGLE)
#define UV_SPLAT_INSERT_TILE 32u       // the insert pass covers a quad's candidate texels in 32 x 32
                                       // tiles, one invocation each: lavapipe ends any invocation after
                                       // 65535 loop iterations in total, so work per invocation is bounded
// Insert pass on CPU devices (one invocation per quad, all its tiles in a loop): lavapipe ends an
// invocation after 65535 loop iterations, and each candidate texel costs one plus up to L for its
// table insert. Loops run for the widest lane of an 8-lane group, so the bound is per side: a quad
// whose candidate box is wider or taller than UvSplatPush.insertMaxSide = floor(sqrt(
// UV_SPLAT_INSERT_BUDGET / (1 + L))) is deferred to a second, indirect dispatch that gives each of
// its 32 x 32 tiles an invocation (modes below). The host skips that dispatch when no quad the
// extent threshold admits can be that large (e.g. 256^2 textures at L = 10).
#define UV_SPLAT_INSERT_BUDGET 60000u
#define UV_SPLAT_INSERT_ALL 0u         // insert pass mode (specialization constant): every quad, its tiles z, z + Z, ...
#define UV_SPLAT_INSERT_DEFER_WIDE 1u  // ... the same, wide quads deferred to the list
#define UV_SPLAT_INSERT_LISTED 2u      // ... the second pass: the listed quads, one tile per invocation
#define UV_SPLAT_WIDE_LIST_HEADER 4u   // wide-quad list: uint [0..2] dispatch arguments (x, y, z), [3] count, then keys

// Backward accumulation in 64-bit fixed point (integer atomics: order-independent, so runs are
// bit-identical): value = round(x * 2^24), each contribution clamped to +-2^50 (|x| <= 6.7e7).
#define UV_SPLAT_GRAD_SCALE 16777216.0
#define UV_SPLAT_GRAD_LIMIT 1125899906842624.0
// Feature gradient as a per-pixel gather (CPU devices, interleaved features; docs/UV_SPLAT.md): the
// texel pass appends each entry to its quad's record list, corner k's record being (texel,
// floatBitsToUint(w_k / w-hat)), [quads][UV_SPLAT_QUAD_RECORDS][4] uvec2; entries past a quad's
// capacity add their share with the fixed-point atomics instead. The gather sums the fixed-point
// terms in registers (integer sums: the order of the records does not matter) and converts once:
// float(sum) * 2^-24, which equals the host's float(double(sum) / 2^24) while |sum| < 2^53.
#define UV_SPLAT_QUAD_RECORDS 8u
// Backward per quad (CPU devices, planar features; uv_splat_backward_quad.comp): up to this many
// channels, held as one vec4 per corner; a quad's terms are summed in registers, then added with
// one atomic per corner, channel and UV component.
#define UV_SPLAT_QUAD_BACKWARD_MAX_CHANNELS 4u
#define UV_SPLAT_QUAD_BACKWARD_NARROW 0u  // its mode (specialization constant): the quads that fit one invocation
#define UV_SPLAT_QUAD_BACKWARD_LISTED 1u  // ... the wide list's quads, a tile per invocation (indirect)
#define UV_SPLAT_BACKWARD_BINDINGS 4u  // the backward reads the upstream gradient through up to 4 bindings
#define UV_SPLAT_GATHER_BATCH 4u       // forward gather: lookup-table entries held in registers at a time
#define UV_SPLAT_GATHER_BATCH_MIN_CHANNELS 8u  // ... from this many channels up; fewer: one at a time
#define UV_SPLAT_INTERLEAVE_MIN_CHANNELS 8u    // host features interleaved [C/4][H][W][4] on CPU devices from
                                               // this many channels up (measured faster at C = 16 and 128,
                                               // slower at C = 3; 4..15 not measured)

MESHRT_GPU_NAMESPACE_BEGIN

// Push constants of every UV splat pass (68 bytes).
struct UvSplatPush {
  uint imageWidth;      // W, pixels
  uint imageHeight;     // H, pixels
  uint channels;        // C: channels of the features bound to this dispatch
  uint textureWidth;    // Wt, texels
  uint textureHeight;   // Ht, texels
  uint lutCapacity;     // L: quad slots per texel
  float maxQuadExtent;  // a quad is used only if its u and v ranges are both <= this (UV units)
  uint uvStride;        // floats per pixel in the UV buffer (2 for packed UVs, 5 + E for raster attributes)
  uint uvOffset;        // float index of u inside a pixel's record (v follows)
  uint firstPixel;      // pixel index of (0, 0) in the UV and pixel-id buffers (view b of a batch: b * H * W)
  float maxConfidence;  // fusion: the confidence cap A_max
  uint flags;           // fusion: 1 = reset the state before fusing
  uint channelBase;     // first channel of this dispatch (the gather is split by channels when the
                        // texture exceeds one storage-buffer binding)
  uint insertTilesX;    // insert pass: candidate tiles per quad along i (dispatch z = tilesX * tilesY)
  uint bindingChannels;  // backward: channels per texture / upstream-gradient binding
  uint insertTiles;     // insert pass: tilesX * tilesY; an invocation takes tiles z, z + dispatch z, ...
                        // (dispatch z = insertTiles: one tile each; 1 on CPU devices: all, in a loop)
  uint insertMaxSide;   // insert pass in mode UV_SPLAT_INSERT_DEFER_WIDE: wider or taller candidate boxes
                        // (texels) are deferred to the wide list
};

MESHRT_GPU_NAMESPACE_END

#endif  // MESHRT_UV_SPLAT_PARAMS_H
