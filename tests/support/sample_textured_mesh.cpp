#include "support/sample_textured_mesh.h"

#include "support/test_meshes.h"

namespace meshrt::test {

TexturedMesh makeTexturedIcosphere(int subdivisions) {
  const TestMesh sphere = makeIcosphere(subdivisions);
  TexturedMesh mesh;
  mesh.positions = sphere.positions;
  mesh.uvs = sphere.uvs;
  mesh.triangles = sphere.triangles;
  return mesh;
}

Rgba8Image makeGradientTexture(uint32_t width, uint32_t height, uint32_t channels) {
  Rgba8Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.pixels.resize(size_t{width} * height * channels);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      for (uint32_t c = 0; c < channels; ++c) {
        image.pixels[(size_t{y} * width + x) * channels + c] = static_cast<uint8_t>((x * 7 + y * 13 + c * 31) & 0xff);
      }
    }
  }
  return image;
}

}  // namespace meshrt::test
