#include "support/uv_splat_scene.h"

#include <random>

#include "support/test_meshes.h"

namespace meshrt::test {

SplatScene makeSplatScene(uint32_t seed, uint32_t imageSize, uint32_t channels, uint32_t textureSize) {
  std::mt19937 random(seed);
  const auto rotation = randomRotation(random);
  return makeSplatSceneAtPose(rotation.data(), seed, imageSize, channels, textureSize);
}

SplatScene makeSplatSceneAtPose(const float rotation[9], uint32_t seed, uint32_t imageSize, uint32_t channels,
                                uint32_t textureSize) {
  static const TestMesh sphere = makeIcosphere(4);
  std::mt19937 random(seed + 1000);
  SplatScene scene;
  scene.config = {imageSize, imageSize, channels, textureSize, textureSize, 0.2f, 10};
  const float translation[3] = {0.0f, 0.0f, 3.0f};
  const float focal = 1.1f * imageSize, centre = 0.5f * imageSize;
  scene.view = perspectiveView(rotation, translation, focal, focal, centre, centre);
  auto raster = rasterReference(sphere.view(), std::span(&scene.view, 1), {imageSize, imageSize, true});
  scene.raster = std::move(raster.value());  // fixed, valid inputs
  const size_t pixels = size_t{imageSize} * imageSize;
  scene.uvs.resize(pixels * 2);
  scene.mask.resize(pixels);
  for (size_t p = 0; p < pixels; ++p) {
    scene.mask[p] = scene.raster.triangleIds[p] != RASTER_NO_TRIANGLE ? 1 : 0;
    scene.uvs[2 * p] = scene.raster.attributes[p * scene.raster.attributeStride];
    scene.uvs[2 * p + 1] = scene.raster.attributes[p * scene.raster.attributeStride + 1];
  }
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  scene.features.resize(pixels * channels);
  for (float& value : scene.features) value = unit(random);
  return scene;
}

}  // namespace meshrt::test
