#version 460
// UV splat pass 2 (eq. 1 + averaging): per texel, over its lookup-table entries in ascending
// order, texture_c += w1 F_c(p1) + w2 F_c(p2) + w3 F_c(p3) + w4 F_c(p4) and w-hat += sum w;
// then texture_c /= w-hat (0 where w-hat = 0). A gather: no float atomics, bit-identical runs.
// Dispatch: (ceil(Wt / 8), ceil(Ht / 8)), once per channel chunk [channelBase, channelBase + channels).
//
// Entries are held in registers in batches of GATHER_BATCH (a specialization constant: 4, or 1
// for few channels, where the batch's bookkeeping costs more than the texture writes it saves):
// their corner pixels and weights are computed once, then each channel sums the batch and
// writes the texel once. A texel whose entries fit one batch is written once per channel,
// already divided by w-hat; one with more adds each further batch to what the first wrote and
// divides at the end. The float operations and their order are those of the CPU reference
// either way.
//
// Features come in one of two layouts (specialization constant FEATURES_INTERLEAVED): planar
// [C][H][W] (R32F texels, one fetch per channel), or interleaved [ceil(C / 4)][H][W][4]
// (RGBA32F texels, zero-padded, one fetch per 4 channels), which the stage writes for host
// features on CPU devices, where a fetch costs the same whatever its width. Each channel's
// float operations and their order are the same in both.
#include "uv_splat_params.h"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Uvs { float uvs[]; };
layout(std430, set = 0, binding = 1) readonly buffer PixelIds { uint pixelIds[]; };
layout(set = 0, binding = 2) uniform samplerBuffer features;  // all channels: [C][H][W] (R32F) or [C/4][H][W][4] (RGBA32F)
layout(std430, set = 0, binding = 3) readonly buffer Lut { uint lut[]; };             // [Ht][Wt][L]
layout(std430, set = 0, binding = 4) buffer Texture { float texture[]; };             // [channels][Ht][Wt] (this chunk)
layout(std430, set = 0, binding = 5) writeonly buffer Weight { float weight[]; };     // [Ht][Wt]

layout(push_constant) uniform Push { UvSplatPush p; };
layout(constant_id = 0) const uint GATHER_BATCH = UV_SPLAT_GATHER_BATCH;  // 1..4 entries per batch
layout(constant_id = 1) const uint FEATURES_INTERLEAVED = 0u;              // 1: [C/4][H][W][4] features

#include "uv_splat_math.glsl"

// One batch of up to 4 entries in named registers (lavapipe keeps dynamically indexed local
// arrays in memory, per lane: the batch is unrolled instead). Entry e has corner pixels c<e>
// and weights w<e>.
struct EntryBatch {
  uvec4 c0, c1, c2, c3;
  vec4 w0, w1, w2, w3;
  uint count;
};

void batchAppend(inout EntryBatch batch, uvec4 corners, vec4 weights) {
  if (batch.count == 0u) {
    batch.c0 = corners;
    batch.w0 = weights;
  } else if (batch.count == 1u) {
    batch.c1 = corners;
    batch.w1 = weights;
  } else if (batch.count == 2u) {
    batch.c2 = corners;
    batch.w2 = weights;
  } else {
    batch.c3 = corners;
    batch.w3 = weights;
  }
  batch.count += 1u;
}

// w.x F(c.x) + w.y F(c.y) + w.z F(c.z) + w.w F(c.w) in channel plane `plane`, left to right.
float entrySum(uint plane, uvec4 c, vec4 w) {
  precise float sum = w.x * texelFetch(features, int(plane + c.x)).r + w.y * texelFetch(features, int(plane + c.y)).r +
                      w.z * texelFetch(features, int(plane + c.z)).r + w.w * texelFetch(features, int(plane + c.w)).r;
  return sum;
}

// The same for 4 channels of an interleaved group at `groupBase` (= group * H * W).
vec4 entrySum4(uint groupBase, uvec4 c, vec4 w) {
  precise vec4 sum = w.x * texelFetch(features, int(groupBase + c.x)) + w.y * texelFetch(features, int(groupBase + c.y)) +
                     w.z * texelFetch(features, int(groupBase + c.z)) + w.w * texelFetch(features, int(groupBase + c.w));
  return sum;
}

vec4 batchSum4(EntryBatch batch, uint groupBase, vec4 carried) {
  precise vec4 value = carried + entrySum4(groupBase, batch.c0, batch.w0);
  if (GATHER_BATCH > 1u && batch.count > 1u) value = value + entrySum4(groupBase, batch.c1, batch.w1);
  if (GATHER_BATCH > 2u && batch.count > 2u) value = value + entrySum4(groupBase, batch.c2, batch.w2);
  if (GATHER_BATCH > 3u && batch.count > 3u) value = value + entrySum4(groupBase, batch.c3, batch.w3);
  return value;
}

// Channels 4 g .. 4 g + 3 of this chunk's texture at `texel` (those below p.channels).
vec4 loadGroup(uint g, uint texel, uint texels) {
  vec4 value = vec4(0.0);
  uint c = 4u * g;
  value.x = texture[c * texels + texel];
  if (c + 1u < p.channels) value.y = texture[(c + 1u) * texels + texel];
  if (c + 2u < p.channels) value.z = texture[(c + 2u) * texels + texel];
  if (c + 3u < p.channels) value.w = texture[(c + 3u) * texels + texel];
  return value;
}

void storeGroup(uint g, uint texel, uint texels, vec4 value) {
  uint c = 4u * g;
  texture[c * texels + texel] = value.x;
  if (c + 1u < p.channels) texture[(c + 1u) * texels + texel] = value.y;
  if (c + 2u < p.channels) texture[(c + 2u) * texels + texel] = value.z;
  if (c + 3u < p.channels) texture[(c + 3u) * texels + texel] = value.w;
}

// `carried` (what earlier batches left in this channel of the texel; 0 for the first) plus the
// batch's entries, added one by one in order.
float batchSum(EntryBatch batch, uint plane, float carried) {
  precise float value = carried + entrySum(plane, batch.c0, batch.w0);
  if (GATHER_BATCH > 1u && batch.count > 1u) value = value + entrySum(plane, batch.c1, batch.w1);
  if (GATHER_BATCH > 2u && batch.count > 2u) value = value + entrySum(plane, batch.c2, batch.w2);
  if (GATHER_BATCH > 3u && batch.count > 3u) value = value + entrySum(plane, batch.c3, batch.w3);
  return value;
}

void main() {
  uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
  if (i >= p.textureWidth || j >= p.textureHeight) return;
  uint texel = j * p.textureWidth + i;
  uint texels = p.textureWidth * p.textureHeight;
  uint pixels = p.imageWidth * p.imageHeight;
  // The texture chunk and the weights arrive zero-filled (vkCmdFillBuffer). Texels no entry
  // reaches keep those zeros; every write below sits in a loop, which lavapipe ends as soon as
  // no lane is left in it (an `if` would run under a lane mask), so empty groups skip them.
  precise float weightSum = 0.0;
  EntryBatch batch = EntryBatch(uvec4(0u), uvec4(0u), uvec4(0u), uvec4(0u), vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0), 0u);
  bool flushed = false;  // an earlier batch of this texel is in the texture already
  uint slot = 0u;
  while (true) {
    // Fill the batch from the lookup table (entries whose point is outside the quad are skipped,
    // as in the reference).
    while (batch.count < GATHER_BATCH && slot < p.lutCapacity) {
      uint key = lut[texel * p.lutCapacity + slot];
      ++slot;
      if (key == UV_SPLAT_NO_QUAD) {
        slot = p.lutCapacity;
        break;
      }
      uint qx = key % (p.imageWidth - 1u), qy = key / (p.imageWidth - 1u);
      UvQuad quad;
      uvSplatLoadQuad(qx, qy, false, quad);
      float s, t;
      if (!uvSplatInverseBilinear(quad, float(i), float(j), s, t)) continue;
      vec4 w = uvSplatWeights(s, t);
      batchAppend(batch, uvec4(uvSplatCornerPixel(qx, qy, 0), uvSplatCornerPixel(qx, qy, 1), uvSplatCornerPixel(qx, qy, 2),
                               uvSplatCornerPixel(qx, qy, 3)),
                  w);
      weightSum = weightSum + (w.x + w.y + w.z + w.w);
    }
    bool last = slot >= p.lutCapacity;
    if (batch.count == 0u) {
      // The table ran out right after a full batch: divide what the batches wrote.
      for (uint c = 0u; c < (flushed ? p.channels : 0u); ++c) {
        precise float result = weightSum > 0.0 ? texture[c * texels + texel] / weightSum : 0.0;
        texture[c * texels + texel] = result;
      }
      break;
    }
    // Texels whose entries all fit one batch: one write per channel, divided by w-hat.
    bool single = last && !flushed;
    if (FEATURES_INTERLEAVED != 0u) {
      // A chunk starts at a multiple of 4 channels (the stage sizes chunks so), so group g of
      // the chunk is features group channelBase / 4 + g.
      uint groups = (p.channels + 3u) / 4u;
      for (uint g = 0u; g < (single ? groups : 0u); ++g) {
        precise vec4 value = batchSum4(batch, (p.channelBase / 4u + g) * pixels, vec4(0.0));
        precise vec4 result = weightSum > 0.0 ? value / weightSum : vec4(0.0);
        storeGroup(g, texel, texels, result);
      }
      for (uint g = 0u; g < (single ? 0u : groups); ++g) {
        vec4 carried = flushed ? loadGroup(g, texel, texels) : vec4(0.0);
        precise vec4 value = batchSum4(batch, (p.channelBase / 4u + g) * pixels, carried);
        precise vec4 result = !last ? value : (weightSum > 0.0 ? value / weightSum : vec4(0.0));
        storeGroup(g, texel, texels, result);
      }
      flushed = true;
      batch.count = 0u;
      if (last) break;
      continue;
    }
    for (uint c = 0u; c < (single ? p.channels : 0u); ++c) {
      precise float value = batchSum(batch, (p.channelBase + c) * pixels, 0.0);
      precise float result = weightSum > 0.0 ? value / weightSum : 0.0;
      texture[c * texels + texel] = result;
    }
    // Otherwise: the first batch writes, later ones add, the last divides.
    for (uint c = 0u; c < (single ? 0u : p.channels); ++c) {
      float carried = flushed ? texture[c * texels + texel] : 0.0;
      precise float value = batchSum(batch, (p.channelBase + c) * pixels, carried);
      precise float result = !last ? value : (weightSum > 0.0 ? value / weightSum : 0.0);
      texture[c * texels + texel] = result;
    }
    flushed = true;
    batch.count = 0u;
    if (last) break;
  }
  for (uint once = (flushed && p.channelBase == 0u) ? 0u : 1u; once < 1u; ++once) weight[texel] = weightSum;
}
