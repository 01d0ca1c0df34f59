// UV splat inputs from the raster stage's CPU reference: the UV-mapped icosphere (spherical
// UVs, test_meshes.h) at a seeded random pose, seeded random features.
#pragma once

#include <cstdint>
#include <vector>

#include "stages/raster.h"
#include "stages/uv_splat.h"

namespace meshrt::test {

struct SplatScene {
  UvSplatConfig config;
  std::vector<float> features;  // [C][H][W], uniform in [-1, 1]
  std::vector<float> uvs;       // [H][W][2] from the raster attributes; 0 off the object
  std::vector<uint8_t> mask;    // [H][W]: raster triangle id != none
  RasterImage raster;           // the raster output the UVs and mask came from
  gpu::RasterView view;
  UvSplatInputs inputs() const { return {features, uvs, mask}; }
};

// Level-4 icosphere (5,120 triangles) at distance 3 with a random rotation, perspective camera
// with fx = fy = 1.1 * imageSize (the sphere covers about 40% of the image), back faces culled.
SplatScene makeSplatScene(uint32_t seed, uint32_t imageSize, uint32_t channels, uint32_t textureSize);
// The same at a given rotation (row-major, object -> camera).
SplatScene makeSplatSceneAtPose(const float rotation[9], uint32_t seed, uint32_t imageSize, uint32_t channels,
                                uint32_t textureSize);

}  // namespace meshrt::test
