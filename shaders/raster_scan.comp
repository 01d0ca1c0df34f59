#version 460
// Raster pass 2: exclusive prefix sum of the per-tile counts into list offsets, in three
// levels (p.scanLevel): 0 scans each block of 1024 counts in place and writes block sums;
// 1 scans the block sums (one workgroup, at most 1024 blocks) and writes the total;
// 2 adds each block's offset to its items. A scan of at most 1024 counts (one block) is level 0
// alone, which then writes the total.
#include "raster_params.h"

layout(local_size_x = 256) in;

layout(std430, set = 0, binding = 0) buffer Data { uint data[]; };            // counts -> offsets
layout(std430, set = 0, binding = 1) buffer BlockSums { uint blockSums[]; };
layout(std430, set = 0, binding = 2) buffer Totals { uint totals[]; };        // [0] = entries in all tiles

layout(push_constant) uniform Push { RasterPush p; };

shared uint partial[256];

uint loadItem(uint i) { return p.scanLevel == 0u ? data[i] : blockSums[i]; }
void storeItem(uint i, uint value) {
  if (p.scanLevel == 0u) data[i] = value; else blockSums[i] = value;
}

void main() {
  uint lane = gl_LocalInvocationIndex;
  uint block = gl_WorkGroupID.x;
  uint base = block * RASTER_SCAN_BLOCK + lane * 4u;
  if (p.scanLevel == 2u) {
    for (uint j = 0u; j < 4u; ++j) {
      if (base + j < p.scanCount) data[base + j] += blockSums[block];
    }
    return;
  }
  uint values[4];
  uint sum = 0u;
  for (uint j = 0u; j < 4u; ++j) {
    uint v = base + j < p.scanCount ? loadItem(base + j) : 0u;
    values[j] = sum;  // exclusive within this thread
    sum += v;
  }
  partial[lane] = sum;
  barrier();
  for (uint offset = 1u; offset < 256u; offset <<= 1u) {
    uint add = lane >= offset ? partial[lane - offset] : 0u;
    barrier();
    partial[lane] += add;
    barrier();
  }
  uint before = partial[lane] - sum;  // exclusive across threads
  for (uint j = 0u; j < 4u; ++j) {
    if (base + j < p.scanCount) storeItem(base + j, before + values[j]);
  }
  if (lane == 255u) {
    if (p.scanLevel == 0u) blockSums[block] = partial[255];
    // One block is the whole scan: its sum is the total, and levels 1 and 2 are not dispatched.
    if (p.scanLevel == 1u || p.scanCount <= RASTER_SCAN_BLOCK) totals[0] = partial[255];
  }
}
