#version 460
// Raster pass 3: append every valid (view, triangle) to the list of each tile it touches.
// Order inside a tile's list depends on scheduling; the tile pass takes a minimum over it,
// so the image does not. Entries past p.listCapacity are dropped (the host grows and reruns).
#include "raster_params.h"

layout(local_size_x = 64) in;

// RasterTriangle [B][T] as 5 uvec4s each; this pass needs the 4th (flags) and 5th (tile range)
// only: two vec4 reads instead of three scalar ones (lavapipe loops over the lanes per read).
layout(std430, set = 0, binding = 0) readonly buffer Setup { uvec4 setupWords[]; };
layout(std430, set = 0, binding = 1) readonly buffer Offsets { uint offsets[]; };   // per tile
layout(std430, set = 0, binding = 2) buffer Cursors { uint cursors[]; };            // per tile, zeroed
layout(std430, set = 0, binding = 3) writeonly buffer List { uint list[]; };        // triangle ids

layout(push_constant) uniform Push { RasterPush p; };

void main() {
  uint t = gl_GlobalInvocationID.x;
  uint view = gl_WorkGroupID.y;
  if (t >= p.triangleCount) return;
  uint triangle = view * p.triangleCount + t;
  uint flags = setupWords[5u * triangle + 3u].w;     // RasterTriangle::flags
  uvec4 tileRange = setupWords[5u * triangle + 4u];  // tileMin, tileMax, pad
  if ((flags & RASTER_TRI_VALID) == 0u) return;
  uint tilesPerView = p.tilesX * p.tilesY;
  for (uint ty = tileRange.x >> 16; ty <= (tileRange.y >> 16); ++ty) {
    for (uint tx = tileRange.x & 0xffffu; tx <= (tileRange.y & 0xffffu); ++tx) {
      uint tile = view * tilesPerView + ty * p.tilesX + tx;
      uint slot = offsets[tile] + atomicAdd(cursors[tile], 1u);
      if (slot < p.listCapacity) list[slot] = t;
    }
  }
}
