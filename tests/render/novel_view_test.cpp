// render/novel_view.h on the Vulkan stages (RasterStage, UvSplatStage::sample) against the same
// composition on their CPU references, from several orbit poses, textured and as a
// correspondence map: the textured cube (support/textured_cube.h) and an icosphere with a
// texture whose every texel differs (bilinear weights matter). Covered pixels: exact match
// (raster ids are an integer output). Bytes: within 1 level (the raster attributes and the
// sampling compute the same floats; 1 level leaves room for a rounding tie; the measured
// maximum is printed). Validation on: any message fails (VulkanTest).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "render/novel_view.h"
#include "render/novel_view_support.h"
#include "support/sample_textured_mesh.h"
#include "support/textured_cube.h"
#include "support/vulkan_environment.h"

namespace meshrt::test {
namespace {

class NovelViewTest : public VulkanTest {};

Image rgbImage(const Rgba8Image& texture) {
  Image image(texture.width, texture.height, 3);
  for (size_t p = 0; p < size_t{texture.width} * texture.height; ++p) {
    for (size_t c = 0; c < 3; ++c) image.pixels[3 * p + c] = texture.pixels[texture.channels * p + c];
  }
  return image;
}

TEST_F(NovelViewTest, VulkanMatchesTheCpuReference) {
  auto gpu = NovelViewRenderer::create(&context());
  ASSERT_TRUE(gpu.ok()) << gpu.error().message;
  ASSERT_TRUE((*gpu)->usesVulkan());
  auto cpu = NovelViewRenderer::create(nullptr);
  ASSERT_TRUE(cpu.ok()) << cpu.error().message;
  struct Scene {
    const char* name;
    TexturedMesh mesh;
    Image texture;
  };
  const Scene scenes[] = {{"cube", makeTexturedCube(), makeCubeAtlas()},
                          {"icosphere", makeTexturedIcosphere(3), rgbImage(makeGradientTexture(64, 32, 3))}};
  int worstOverall = 0;
  for (const Scene& scene : scenes) {
    for (NovelViewMode mode : {NovelViewMode::Textured, NovelViewMode::Correspondence}) {
      for (auto [yaw, pitch] : {std::pair{0.0f, 0.0f}, std::pair{35.0f, 20.0f}, std::pair{-120.0f, -45.0f}}) {
        NovelViewParams params;
        params.width = 192;
        params.height = 160;
        params.camera.yawDegrees = yaw;
        params.camera.pitchDegrees = pitch;
        params.mode = mode;
        auto a = (*gpu)->render(scene.mesh, scene.texture, params);
        ASSERT_TRUE(a.ok()) << a.error().message;
        auto b = (*cpu)->render(scene.mesh, scene.texture, params);
        ASSERT_TRUE(b.ok()) << b.error().message;
        EXPECT_EQ(a->coveredPixels, b->coveredPixels) << scene.name;
        EXPECT_GT(a->coveredPixels, 2000u) << scene.name;
        ASSERT_EQ(a->image.pixels.size(), b->image.pixels.size());
        int worst = 0;
        for (size_t i = 0; i < a->image.pixels.size(); ++i) {
          worst = std::max(worst, std::abs(int(a->image.pixels[i]) - int(b->image.pixels[i])));
        }
        EXPECT_LE(worst, 1) << scene.name << " yaw " << yaw << " pitch " << pitch;
        worstOverall = std::max(worstOverall, worst);
      }
    }
  }
  std::printf("novel view, Vulkan vs CPU reference: max byte difference %d\n", worstOverall);
}

// The known cube from a known pose on the Vulkan path: the front face's colour at full shade
// where its centre projects, the background in the corner.
TEST_F(NovelViewTest, VulkanCubeShowsTheFrontFaceColour) {
  auto gpu = NovelViewRenderer::create(&context());
  ASSERT_TRUE(gpu.ok()) << gpu.error().message;
  NovelViewParams params;
  params.camera.yawDegrees = 90;  // the eye on +x
  auto view = (*gpu)->render(makeTexturedCube(), makeCubeAtlas(), params);
  ASSERT_TRUE(view.ok()) << view.error().message;
  const auto& rgb = CUBE_FACE_RGB[CUBE_PLUS_X];
  EXPECT_LE(pixelDifference(view->image, projectToPixel(view->pose, {1, 0, 0}), {float(rgb[0]), float(rgb[1]), float(rgb[2])}), 1);
  EXPECT_LE(pixelDifference(view->image, projectToPixel(view->pose, {1, 0.5f, -0.5f}), {float(rgb[0]), float(rgb[1]), float(rgb[2])}), 1);
  EXPECT_EQ(pixelDifference(view->image, {0, 0}, {30, 30, 36}), 0);
}

}  // namespace
}  // namespace meshrt::test
