#include "support/textured_cube.h"

namespace meshrt::test {
namespace {

constexpr float ATLAS_WIDTH = 6.0f * CUBE_BLOCK, ATLAS_HEIGHT = CUBE_BLOCK;

}  // namespace

TexturedMesh makeTexturedCube() {
  // Per face: the outward normal axis and sign, and two in-plane axes (a, b) with a × b = normal,
  // so corners (−a−b, +a−b, +a+b, −a+b) run counter-clockwise seen from outside.
  struct FaceAxes {
    int normal, a, b;
    float sign;
  };
  const FaceAxes faces[6] = {{0, 1, 2, 1}, {0, 2, 1, -1}, {1, 2, 0, 1}, {1, 0, 2, -1}, {2, 0, 1, 1}, {2, 1, 0, -1}};
  TexturedMesh mesh;
  for (int f = 0; f < 6; ++f) {
    const FaceAxes& axes = faces[f];
    const float corners[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
    const uint32_t first = mesh.vertexCount();
    for (const auto& corner : corners) {
      float p[3];
      p[axes.normal] = axes.sign;
      p[axes.a] = corner[0];
      p[axes.b] = corner[1];
      mesh.positions.insert(mesh.positions.end(), p, p + 3);
      // UVs 1.5 texels inside the block's edges: bilinear taps stay in the block.
      const float u = (float(f * CUBE_BLOCK) + 1.5f + (corner[0] + 1) * 0.5f * (CUBE_BLOCK - 3.0f)) / ATLAS_WIDTH;
      const float v = (1.5f + (corner[1] + 1) * 0.5f * (CUBE_BLOCK - 3.0f)) / ATLAS_HEIGHT;
      mesh.uvs.push_back(u);
      mesh.uvs.push_back(v);
    }
    for (uint32_t index : {0u, 1u, 2u, 0u, 2u, 3u}) mesh.triangles.push_back(first + index);
  }
  return mesh;
}

Image makeCubeAtlas() {
  Image atlas(6 * CUBE_BLOCK, CUBE_BLOCK, 3);
  for (uint32_t y = 0; y < atlas.height; ++y) {
    for (uint32_t x = 0; x < atlas.width; ++x) {
      const auto& rgb = CUBE_FACE_RGB[x / CUBE_BLOCK];
      for (int c = 0; c < 3; ++c) atlas.at(x, y)[c] = rgb[size_t(c)];
    }
  }
  return atlas;
}

std::array<float, 2> cubeFaceCenterUv(CubeFace face) {
  return {(float(face) * CUBE_BLOCK + 0.5f * CUBE_BLOCK) / ATLAS_WIDTH, 0.5f};
}

}  // namespace meshrt::test
